// Property-based tests of the rc.conf editor and `rc get -f`, with /bin/sh as the oracle. Shared by
// property.test.ts (fixed seed, a few hundred cases, in `npm test`) and fuzz.ts (`npm run fuzz --
// --runs N [--seed S]`). Files and values are byte strings (src/rcconf/bytes.ts).
//
// Generators build rc.conf files from the shapes found on real hosts: comments and values
// holding arbitrary bytes 0x01-0xFF, blank lines, single-, double- and un-quoted values,
// backslash escapes and continuations, several assignments on one line, `export`, `if` blocks,
// functions, `.` includes, CRLF lines, no final newline. Operations: set, += (add), -= (remove),
// unset and get, with hostile values (quotes, $(), backquotes, backslashes, ;, globs, spaces,
// empty, line breaks, any byte).
//
// The properties, checked after every operation:
//  1. A refusal leaves the file byte-identical, and names the file (and the line for ECRLF,
//     EUNSAFE, EDYNAMIC); a refusal happens only for a reason the file or value really has.
//  2. After an edit, sh reads back the value asked for (set: the bytes given; unset: nothing;
//     +=/-=: the list with the item added once / removed).
//  3. Every other variable sh sees keeps its value, every line that does not assign the
//     variable is byte-identical and in the same order, and `sh -n` accepts the file.
//  4. `rc get -f FILE -n NAME` prints exactly the bytes sh holds, or exits 1 with an empty stdout.
import fc from 'fast-check';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KleeneBootError } from '../../src/errors.ts';
import { applyEdits, type RcEdit } from '../../src/rcconf/editor.ts';
import { parseRc, splitLines } from '../../src/rcconf/parse.ts';
import { cli } from './helpers.ts';
import { stageShell } from '../helpers/root-shell.ts';

// A `get` case's root gets this machine's sh (hard links to one staged copy), so `rc get -f`
// reads it with sh inside chroot(8), as -R does on a host: the oracle is that same sh. The
// generated files source /dev/null, which the root then holds as an empty file.
const TMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
let shellTemplate: string | undefined;
function withShell(root: string): void {
  if (shellTemplate === undefined) {
    const tpl = mkdtempSync(join(TMP, 'kb-prop-sh-'));
    process.once('exit', () => rmSync(tpl, { recursive: true, force: true }));
    stageShell(tpl);
    shellTemplate = tpl;
  }
  stageShell(root, [], shellTemplate);
  mkdirSync(join(root, 'dev'), { recursive: true });
  writeFileSync(join(root, 'dev/null'), '');
}

const RC = '/etc/rc.conf';
/** Few names, so that the operation's variable is often one the file assigns. */
export const NAMES = ['kb_a', 'kb_b', 'sshd_enable', 'kb_list'] as const;

const byteChar = (lo: number, hi: number, not: string) =>
  fc.integer({ min: lo, max: hi }).map((c) => String.fromCharCode(c)).filter((c) => !not.includes(c));
/** Any byte 0x01-0xFF except those in `not` (newline and CR are always excluded: lines add them). */
const bytes = (not = '', maxLength = 12) => fc.array(byteChar(1, 255, `\n\r${not}`), { maxLength }).map((a) => a.join(''));
const plain = fc.stringMatching(/^[A-Za-z0-9_.\/:,@%+-]{0,8}$/);
const highBytes = fc.array(byteChar(0x80, 0xff, ''), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));

const name = fc.constantFrom(...NAMES, 'other_var', 'hostname');
const comment = bytes('', 20).map((b) => `#${b}`);
const doubleBody = fc.array(fc.oneof(
  { weight: 4, arbitrary: bytes('"\\$`', 6) },
  { weight: 1, arbitrary: fc.constantFrom('\\"', '\\\\', '\\$', '\\`', '\\x', '$', ' ') },
), { maxLength: 4 }).map((a) => a.join(''));
export const value = fc.oneof(
  doubleBody.map((v) => `"${v}"`),
  bytes("'", 10).map((v) => `'${v}'`),
  fc.oneof(plain, highBytes),
  fc.tuple(plain, fc.constantFrom('\\ ', '\\;', '\\#', "\\'", '\\"', '\\\\'), plain).map(([a, e, b]) => `${a}${e}${b}`),
  fc.tuple(plain, plain).map(([a, b]) => `"${a} \\\n${b}"`),
  fc.tuple(plain, plain).map(([a, b]) => `${a}\\\n${b}`),
  fc.constantFrom('"$kb_a x"', '${kb_b:-d}', '`echo q`', "'a'\"b\"c", '"web  db"', ''),
);
const trailing = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: comment.map((c) => ` ${c}`) });
const assignment = fc.tuple(name, value, trailing).map(([n, v, c]) => `${n}=${v}${c}`);

const line = fc.oneof(
  { weight: 3, arbitrary: comment },
  { weight: 2, arbitrary: fc.constantFrom('', '   ', '\t') },
  { weight: 8, arbitrary: assignment },
  { weight: 2, arbitrary: fc.tuple(assignment, assignment).map(([a, b]) => `${a.replace(/ #.*$/s, '')}; ${b}`) },
  { weight: 1, arbitrary: fc.tuple(name, plain, name, plain).map(([a, x, b, y]) => `${a}=${x} ${b}=${y}`) },
  { weight: 1, arbitrary: fc.tuple(name, value).map(([n, v]) => `export ${n}=${v}`) },
  { weight: 1, arbitrary: fc.tuple(name, value).map(([n, v]) => `if [ -n "$kb_b" ]; then\n\t${n}=${v}\nfi`) },
  { weight: 1, arbitrary: fc.tuple(name, value).map(([n, v]) => `kb_fn() {\n\t${n}=${v}\n}`) },
  { weight: 1, arbitrary: fc.constant('. /dev/null') },
  { weight: 1, arbitrary: assignment.map((a) => `${a}\r`) },
);

/** An rc.conf file: lines, joined by newlines, with or without the final one. */
export const rcFile = fc.tuple(fc.array(line, { maxLength: 10 }), fc.boolean())
  .map(([ls, last]) => ls.join('\n') + (last && ls.length > 0 ? '\n' : ''));

const hostile = fc.oneof(
  fc.constantFrom('YES', '', ' ', '$(touch /tmp/kb-pwned)', '`id`', "it's", '"q"', 'a\\b', 'a;b', '*', '~', '$HOME', '${x}',
    'web db', '\\', "'\\''", '#', 'é', '\xe9\xff', 'a\nb', 'a\rb', '\t'),
  bytes('', 10),
);
const item = fc.oneof(fc.constantFrom('web', 'db', 'a;b', '$x', "'", '"', '\\', '*', 'é', '', 'a b'), plain, bytes(' \t', 5));

export type Op = RcEdit | { op: 'get'; name: string };
export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...NAMES), hostile).map(([n, v]): Op => ({ op: 'set', name: n, value: v })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NAMES), item).map(([n, v]): Op => ({ op: 'add', name: n, item: v })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NAMES), item).map(([n, v]): Op => ({ op: 'remove', name: n, item: v })) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMES).map((n): Op => ({ op: 'unset', name: n })) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMES).map((n): Op => ({ op: 'get', name: n })) },
);

// One sh process per check (the machine is shared): `sh -n` on the last file, then what sh
// holds after sourcing each file (set -a; . FILE; env -0), in a subshell each.
const ORACLE = `
last=; for f; do last=$f; done
sh -n "$last" 2>/dev/null; printf '%s\\000=KB=\\000' "$?"
for f; do (set -a; . "$f" >/dev/null 2>&1; env -0); printf '=KB=\\000'; done
`;

/** sh's reading of each file (every variable, as byte strings), and whether sh -n accepts the last one. */
export async function shOracle(...paths: string[]): Promise<{ syntaxOk: boolean; vars: Map<string, string>[] }> {
  const r = await execa('/bin/sh', ['-c', ORACLE, 'sh', ...paths], {
    env: { PATH: '/usr/bin:/bin' }, extendEnv: false, input: '', encoding: 'buffer', reject: false, timeout: 20_000,
  });
  // env -0 ends every NAME=VALUE with NUL; a token `=KB=` cannot be one (no name), so it separates.
  const blocks = Buffer.from(r.stdout).toString('latin1').split('\0=KB=\0');
  const vars = blocks.slice(1, 1 + paths.length).map((b) => {
    const m = new Map<string, string>();
    for (const tok of b.split('\0')) {
      const eq = tok.indexOf('=');
      if (eq > 0 && !['PWD', 'OLDPWD', 'SHLVL', '_', 'PATH'].includes(tok.slice(0, eq))) m.set(tok.slice(0, eq), tok.slice(eq + 1));
    }
    return m;
  });
  return { syntaxOk: blocks[0] === '0', vars };
}

async function shAccepts(path: string): Promise<boolean> {
  return (await execa('/bin/sh', ['-n', path], { reject: false, timeout: 10_000 })).exitCode === 0;
}

const split = (v: string | undefined) => (v ?? '').split(/[ \t\n]+/).filter((x) => x !== '');

function isSubsequence(small: string[], big: string[]): boolean {
  let k = 0;
  for (const x of big) if (k < small.length && small[k] === x) k++;
  return k === small.length;
}

class PropertyFailure extends Error {}
function must(ok: boolean, what: string): void {
  if (!ok) throw new PropertyFailure(what);
}

/** Runs one operation on one file in a fresh staged root and checks every property above. */
export async function checkOne(file: string, o: Op): Promise<void> {
  // On tmpfs when there is one: the editor fsyncs every write, and a shared disk makes that the slowest part.
  const root = mkdtempSync(join(TMP, 'kb-prop-'));
  try {
    mkdirSync(join(root, 'etc'));
    // Edits read only the file's text (and, with -f, nothing of sh's): the static reading does.
    if (o.op === 'get') withShell(root);
    const real = join(root, RC);
    writeFileSync(real, Buffer.from(file, 'latin1'));
    const copy = join(root, 'before.conf');
    writeFileSync(copy, Buffer.from(file, 'latin1'));
    if (o.op === 'get') {
      const before = (await shOracle(copy)).vars[0]!;
      const r = await cli('rc', 'get', '-f', RC, '-n', o.name, '--root', root);
      const want = before.get(o.name);
      if (want === undefined) must(r.code === 1 && r.stdout === '', `get of an unset variable: exit ${r.code}, stdout ${JSON.stringify(r.stdout)}`);
      else must(r.code === 0 && r.stdout === `${want}\n`, `get printed ${JSON.stringify(r.stdout)} (exit ${r.code}), sh holds ${JSON.stringify(want)}`);
      return;
    }
    let err: unknown;
    try {
      await applyEdits([o], { root, file: RC, lockTimeoutMs: 10_000 });
    } catch (e) {
      err = e;
    }
    const after = readFileSync(real, 'latin1');
    if (err !== undefined) {
      must(err instanceof KleeneBootError, `not a KleeneBootError: ${String(err)}`);
      const e = err as KleeneBootError;
      must(after === file, `refused with ${e.code} but the file changed`);
      const doc = parseRc(file);
      const v = o.op === 'set' ? o.value : o.op === 'unset' ? '' : o.item;
      switch (e.code) {
        case 'EBADVALUE':
          must(/[\0\n\r]/.test(v) || (o.op !== 'set' && (v === '' || /[ \t]/.test(v))), `EBADVALUE for ${JSON.stringify(v)}`);
          break;
        case 'ESYNTAX':
          must(!(await shAccepts(real)), 'ESYNTAX, but sh -n accepts the file');
          break;
        case 'ECRLF':
          must(doc.crlf, 'ECRLF on a file without CRLF');
          break;
        case 'EUNSAFE':
          must(doc.assignments.some((a) => a.name === o.name && (a.construct !== undefined || a.command.words > 1 || /[\r\n]/.test(a.value ?? ''))),
            'EUNSAFE without a construct, a shared command or a line break in the value');
          break;
        case 'EDYNAMIC':
          must(o.op === 'add' || o.op === 'remove', 'EDYNAMIC on set/unset');
          break;
        default:
          must(false, `unexpected refusal ${e.code}: ${e.message}`);
      }
      if (e.code !== 'EBADVALUE') {
        must(e.where !== undefined && 'file' in e.where && e.where.file === RC, `${e.code} does not name ${RC}`);
        if (['ECRLF', 'EUNSAFE', 'EDYNAMIC'].includes(e.code)) must(e.where !== undefined && 'line' in e.where && typeof e.where.line === 'number', `${e.code} names no line`);
      }
      return;
    }
    const oracle = await shOracle(copy, real);
    const [before, now] = oracle.vars as [Map<string, string>, Map<string, string>];
    must(oracle.syntaxOk, 'sh -n rejects the edited file');
    const got = now.get(o.name);
    if (o.op === 'set') must(got === o.value, `set: sh reads ${JSON.stringify(got)}, wanted ${JSON.stringify(o.value)}`);
    else if (o.op === 'unset') must(got === undefined, `unset: sh still reads ${JSON.stringify(got)}`);
    else {
      const items = split(before.get(o.name));
      const want = o.op === 'add' ? (items.includes(o.item) ? items : [...items, o.item]) : items.filter((x) => x !== o.item);
      must(split(got).join(' ') === want.join(' '), `${o.op}: sh reads ${JSON.stringify(got)}, wanted items ${JSON.stringify(want)}`);
    }
    // A variable whose value expands others (hostname="$kb_a x"), or that an if block sets
    // (its condition may read the edited one), may follow the edited one.
    const derived = new Set(parseRc(file).assignments.filter((x) => x.value === undefined || x.construct).map((x) => x.name));
    for (const [k, v] of before) {
      if (k !== o.name && !derived.has(k)) must(now.get(k) === v, `${k} changed from ${JSON.stringify(v)} to ${JSON.stringify(now.get(k))}`);
    }
    for (const k of now.keys()) must(k === o.name || before.has(k) || derived.has(k), `${k} appeared`);
    const touched = new Set<number>();
    for (const a of parseRc(file).assignments) {
      if (a.name !== o.name) continue;
      for (let l = a.line; l <= a.endLine; l++) touched.add(l);
    }
    const oldLines = splitLines(file);
    const kept = oldLines.filter((_, i) => !touched.has(i + 1));
    // The last kept line may gain the newline the file lacked before an append.
    const newLines = splitLines(after);
    const appended = !file.endsWith('\n') && after.startsWith(`${file}\n`);
    const keptFixed = kept.map((l, i) => (appended && i === kept.length - 1 && oldLines[oldLines.length - 1] === l ? `${l}\n` : l));
    must(isSubsequence(keptFixed, newLines), 'a line that does not assign the variable changed, moved or vanished');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const property = () => fc.asyncProperty(rcFile, op, checkOne);
