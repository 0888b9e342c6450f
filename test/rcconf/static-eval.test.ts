// The static reader of rc.conf (src/rcconf/static-eval.ts), used for -R DIR when DIR cannot be
// chroot'ed into: what it evaluates must equal what sh reads (sh is the oracle, on the same
// text), and what needs a command is reported with file:line and never run.
import t from 'tap';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandWord, loadStatic, MAX_INCLUDE_DEPTH, sourceStatic, type PathKind, type RootView, type StaticState } from '../../src/rcconf/static-eval.ts';

/** A root made of a map: host path → content, 'unreadable', or a list of names for a directory. */
function view(files: Record<string, string | { unreadable: true } | { dir: string[] } | { unreadableDir: true }>): RootView {
  return {
    kind(p): PathKind {
      const f = files[p];
      if (f === undefined) return 'missing';
      if (typeof f === 'string' || 'unreadable' in f) return 'file';
      return 'dir';
    },
    read(p) {
      const f = files[p];
      return typeof f === 'string' ? f : 'unreadable';
    },
    list(p) {
      const f = files[p];
      return f !== undefined && typeof f !== 'string' && 'dir' in f ? f.dir : 'unreadable';
    },
  };
}

function read(text: string, files: Parameters<typeof view>[0] = {}): StaticState {
  const state: StaticState = { vars: new Map(), notRun: [] };
  sourceStatic(text, '/etc/rc.conf', state, view(files));
  return state;
}

/** sh's own reading of `text` (set -a; . FILE; every variable's bytes). */
async function shReads(text: string): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'kb-static-'));
  try {
    writeFileSync(join(dir, 'f'), Buffer.from(text, 'latin1'));
    // env -i: the test runner puts its own variables into every child's environment.
    const r = await execa('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', '/bin/sh', '-c', 'set -a; . "$1"; env -0', 'sh', join(dir, 'f')], {
      env: { PATH: '/usr/bin:/bin' }, extendEnv: false, encoding: 'buffer', reject: false,
    });
    const m = new Map<string, string>();
    for (const tok of Buffer.from(r.stdout).toString('latin1').split('\0')) {
      const eq = tok.indexOf('=');
      if (eq > 0 && !['PATH', 'PWD', 'OLDPWD', 'SHLVL', '_'].includes(tok.slice(0, eq))) m.set(tok.slice(0, eq), tok.slice(eq + 1));
    }
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each file is plain data (no command): the static reading must be exactly sh's.
const SAME_AS_SH: [string, string][] = [
  ['plain, quoted, several per line', 'a=1\nb="two words" c=\'single $a\'\nexport d=4; e=\n'],
  ['$var, ${var}, in double quotes, next to text', 'base=registry\nlist="$base api ${base}x"\nplain=$base/x\n'],
  ['defaults: - :- + :+ = :=', 'set=v\nempty=\na=${unset-d1}\nb=${empty-d2}\nc=${empty:-d3}\nd=${set:+alt}\ne=${unset+alt}\nf=${nope:=assigned}\ng=${empty:+x}\n'],
  ['nested words and quotes in a default', 'x=${u:-"a b" \'c\'}\ny="${u:-$HOME_X-z}"\nz=${u:-${v:-deep}}\n'],
  ['backslashes outside and inside double quotes', 'a=x\\ y\nb="q\\"uote \\$no \\\\ \\n kept"\nc=\'back\\slash\'\n'],
  ['line continuation', 'a="one \\\ntwo"\nb=x\\\ny\n'],
  ['a $ that starts nothing, ${#var}', 'a="cost $ 5"\nb=$\nv=abcd\nc=${#v}\n'],
  ['bytes that are not UTF-8', 'h="h\xf4te \xff\xfe"\nm=\'\x80\'\n'],
  ['comments and unset', 'a=1 # comment\nb=2\nunset b\n# c=3\n'],
  ['a later assignment sees an earlier one on the same line', 'a=1 b=$a\n'],
];
for (const [name, text] of SAME_AS_SH) {
  t.test(`reads what sh reads: ${name}`, async (t) => {
    const st = read(text);
    t.same(st.notRun, [], 'nothing reported');
    t.same(Object.fromEntries([...st.vars].sort()), Object.fromEntries([...(await shReads(text))].sort()));
  });
}

// Mutation: treating `$(` as literal text in expandWord (Expander.dollar) stored the command as a value.
const NEEDS: [string, string, number, RegExp][] = [
  ['a command substitution', 'ok=1\npwn="$(touch /x)"\n', 2, /pwn's value needs a command substitution \$\(…\)/],
  ['backquotes', 'pwn=`touch /x`\n', 1, /needs a command substitution `…`/],
  ['arithmetic', 'n=$((1+2))\n', 1, /arithmetic/],
  ['a pattern operator', 'v=a.b\nw=${v%.b}\n', 2, /pattern expansion/],
  ['a special parameter', 'a=$1\n', 1, /special parameter \$1/],
  ["FreeBSD's $'…'", "a=$'x'\n", 1, /\$'…'/],
  ['a tilde', 'a=~/x\n', 1, /tilde/],
  ['a plain command', 'touch /x\n', 1, /the command 'touch'/],
  ['an if block', 'if [ -r /x ]; then\n  a=1\nfi\n', 1, /an if block \(lines 1-3\)/],
  ['an && list', 'b=1\n[ -r /x ] && a=1\n', 2, /the command '\['|&& \/ \|\|/],
  ['eval', 'eval "a=1"\n', 1, /the command 'eval'/],
  ['${x:?}', 'a=${nope:?unset}\n', 1, /stops sh/],
];
for (const [name, text, line, what] of NEEDS) {
  t.test(`reports and does not evaluate ${name}`, async (t) => {
    const st = read(text);
    t.equal(st.notRun.length >= 1, true, 'reported');
    t.equal(st.notRun[0]!.file, '/etc/rc.conf');
    t.equal(st.notRun[0]!.line, line);
    t.match(st.notRun[0]!.what, what);
  });
}

t.test('a value that needs a command leaves the variable as it was; the rest is read', async (t) => {
  const st = read('pwn=before\npwn="$(touch /x)"\nafter=yes\nif true; then after=no; fi\n');
  t.equal(st.vars.get('pwn'), 'before');
  t.equal(st.vars.get('after'), 'yes', 'nothing inside the if block is read');
  t.same(st.notRun.map((n) => n.line), [2, 4]);
});

t.test('a $(…) in a default sh would not expand is not needed', async (t) => {
  const st = read('set=v\na=${set:-$(touch /x)}\nb=${set+`x`}\n');
  t.equal(st.vars.get('a'), 'v');
  t.same(st.notRun.map((n) => n.line), [3], 'only the expansion sh would run');
});

t.test('`. FILE` and `source FILE` read the file under the root, after expanding its path', async (t) => {
  const st = read('dir=/etc\n. $dir/inc\nsource "/etc/inc2"\nafter=$inc\n', { '/etc/inc': 'inc=root\n', '/etc/inc2': 'two=2\n' });
  t.same(st.notRun, []);
  t.equal(st.vars.get('inc'), 'root');
  t.equal(st.vars.get('two'), '2');
  t.equal(st.vars.get('after'), 'root');
});

t.test('what an included file cannot evaluate is reported with its own file and line', async (t) => {
  const st = read('. /etc/inc\n', { '/etc/inc': '\nx=$(id)\n' });
  t.same(st.notRun.map((n) => `${n.file}:${n.line}`), ['/etc/inc:2']);
});

t.test('a missing include stops the reading, naming file and line, as sh would', async (t) => {
  t.throws(() => read('a=1\n. /etc/missing\n'), { code: 'EINCLUDE', where: { file: '/etc/rc.conf', line: 2 }, message: /no such file under the root/ });
});

t.test('an include that cannot be read is an error naming it', async (t) => {
  t.throws(() => read('. /etc/secret\n', { '/etc/secret': { unreadable: true } }), { code: 'EUNREADABLE', message: 'cannot read /etc/secret: permission denied' });
});

t.test(`includes nest at most ${MAX_INCLUDE_DEPTH} deep (a file that includes itself)`, async (t) => {
  // Mutation: MAX_INCLUDE_DEPTH + 1 in the check (or no check) -> a stack overflow or 17 levels read.
  t.throws(() => read('. /etc/loop\n', { '/etc/loop': 'n=x$n\n. /etc/loop\n' }), { code: 'EINCLUDE', message: /nest deeper than 16/ });
  // Exactly 16 levels are fine: /etc/l1 … /etc/l16.
  const files: Record<string, string> = {};
  for (let k = 1; k <= MAX_INCLUDE_DEPTH; k++) files[`/etc/l${k}`] = k < MAX_INCLUDE_DEPTH ? `d=${k}\n. /etc/l${k + 1}\n` : `d=${k}\n`;
  t.equal(read('. /etc/l1\n', files).vars.get('d'), String(MAX_INCLUDE_DEPTH));
  files[`/etc/l${MAX_INCLUDE_DEPTH}`] = `. /etc/l${MAX_INCLUDE_DEPTH + 1}\n`;
  files[`/etc/l${MAX_INCLUDE_DEPTH + 1}`] = 'd=17\n';
  t.throws(() => read('. /etc/l1\n', files), { code: 'EINCLUDE' }, '17 levels are refused');
});

t.test('`. name` without a slash (PATH lookup) is reported, not guessed', async (t) => {
  const st = read('. inc\n', { '/etc/inc': 'x=1\n' });
  t.equal(st.vars.has('x'), false);
  t.match(st.notRun[0]!.what, /looks up in PATH/);
});

t.test('a syntax error is an error naming the file and line', async (t) => {
  t.throws(() => read('a="open\n'), { code: 'ESYNTAX', where: { file: '/etc/rc.conf' } });
});

t.test('expandWord expands like sh and says what it would need', async (t) => {
  const vars = new Map([['a', 'x']]);
  t.same(expandWord('"$a"\'$a\'\\$a', vars), { value: 'x$a$a' });
  t.same(expandWord('$(id)', vars), { needs: 'a command substitution $(…)' });
});

t.test("loadStatic reads load_rc_config's chain under the root, and an unreadable file or directory is an error", async (t) => {
  const files = {
    '/etc/defaults/rc.conf': 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\nlocal_startup="/usr/local/etc/rc.d"\na=defaults\n',
    '/etc/rc.conf': 'a=rc.conf\nrc_conf_files="$rc_conf_files /etc/rc.conf.site"\n',
    '/etc/rc.conf.site': 'site=1\n',
    '/etc/rc.conf.d/kleened': 'k=frag\n',
    '/usr/local/etc/rc.conf.d/kleened': { dir: ['20-b', '10-a', '.hidden'] },
    '/usr/local/etc/rc.conf.d/kleened/10-a': 'k=10\n',
    '/usr/local/etc/rc.conf.d/kleened/20-b': 'k=$k-20\n',
  };
  const base = new Map<string, string>();
  const r = loadStatic({ service: 'kleened' }, view(files), base, { file: '(assumed)', vars: [] });
  t.same(r.snapshots.map((s) => s.file), ['/etc/defaults/rc.conf', '/etc/rc.conf', '/etc/rc.conf.site', '/etc/rc.conf.d/kleened',
    '/usr/local/etc/rc.conf.d/kleened/10-a', '/usr/local/etc/rc.conf.d/kleened/20-b']);
  const last = r.snapshots[r.snapshots.length - 1]!.vars;
  t.equal(last.get('k'), '10-20');
  t.equal(last.get('site'), '1');
  t.throws(() => loadStatic({ service: 'kleened' }, view({ ...files, '/etc/rc.conf': { unreadable: true } }), base, { file: '(a)', vars: [] }),
    { code: 'EUNREADABLE', message: 'cannot read /etc/rc.conf: permission denied' });
  t.throws(() => loadStatic({ service: 'kleened' }, view({ ...files, '/usr/local/etc/rc.conf.d/kleened': { unreadableDir: true } }), base, { file: '(a)', vars: [] }),
    { code: 'EUNREADABLE', message: 'cannot read /usr/local/etc/rc.conf.d/kleened: permission denied' });
});
