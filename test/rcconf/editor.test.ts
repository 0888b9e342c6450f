import t from 'tap';
import { execa } from 'execa';
import { existsSync, readdirSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits } from '../../src/rcconf/editor.ts';
import { readEffective } from '../../src/rcconf/effective.ts';
import { lockPathFor } from '../../src/rcconf/lock.ts';
import { splitLines } from '../../src/rcconf/parse.ts';
import { textToBytes } from '../../src/rcconf/bytes.ts';
import { fixture, makeRoot, readHost, writeHost } from './helpers.ts';

const RC = '/etc/rc.conf';

t.test('set then get returns every hostile value exactly, and runs none of it', async (t) => {
  const dir = makeRoot(t);
  const marker = join(dir, 'pwned');
  const hostile = [
    `$(touch ${marker})`, `\`touch ${marker}\``, `"double" 'single'`, `a;touch ${marker};b`, 'back\\slash\\\\ and \\n',
    '  spaces  around  ', `'\\''`, `it's`, '$HOME ${x:-y} $((1+1))', '', '#not a comment', 'tab\there', textToBytes('ünïcödé ✓'), '\xe9crit \xff\xfe', '*', '~/x', '&|<>()',
  ];
  // kleened_rN exist (with a trailing comment) and are replaced; kleened_aN are appended.
  const rc = hostile.map((_, n) => `kleened_r${n}="old" # keep ${n}\n`).join('');
  const root = makeRoot(t, { [RC]: rc });
  await applyEdits(hostile.flatMap((value, n) => [
    { op: 'set' as const, name: `kleened_r${n}`, value }, { op: 'set' as const, name: `kleened_a${n}`, value }]), { root, file: RC });
  const eff = await readEffective('kleened', { root });
  hostile.forEach((value, n) => {
    t.equal(eff.get(`kleened_r${n}`)?.value, value, `replace: ${JSON.stringify(value)}`);
    t.equal(eff.get(`kleened_a${n}`)?.value, value, `append: ${JSON.stringify(value)}`);
  });
  t.notOk(existsSync(marker), 'nothing in a value was executed');
  const lines = splitLines(readHost(root, RC));
  hostile.forEach((_, n) => t.match(lines[n], new RegExp(`^kleened_r${n}=(['"]).*\\1 # keep ${n}\\n$`), `line ${n + 1} keeps its comment`));
});

t.test('replaces the last assignment in the last file and keeps every other byte', async (t) => {
  const rc = fixture('06-duplicates.conf');
  const root = makeRoot(t, { [RC]: rc, '/etc/rc.conf.local': '# local\nsshd_enable="YES"\n' });
  const r = await applyEdits([{ op: 'set', name: 'kleened_enable', value: 'NO' }], { root });
  t.same(r.changes, [{ file: RC, name: 'kleened_enable', before: 'YES', after: 'NO', line: 10 }]);
  const before = splitLines(rc);
  const after = splitLines(readHost(root, RC));
  t.equal(after.length, before.length);
  before.forEach((l, i) => t.equal(after[i], i === 9 ? 'kleened_enable="NO"\n' : l, `line ${i + 1}`));
  t.equal(readHost(root, '/etc/rc.conf.local'), '# local\nsshd_enable="YES"\n');
  const r2 = await applyEdits([{ op: 'set', name: 'sshd_enable', value: 'NO' }], { root });
  t.equal(r2.changes[0]!.file, '/etc/rc.conf.local', 'the later file in rc_conf_files wins');
  t.equal(readHost(root, RC), after.join(''), 'rc.conf is untouched');
});

// What each corpus file must look like after the set, typed out (not derived from the parser or
// the quoting helper under test): the line that changes, its old bytes, its new bytes.
// Q(f) is the value written the way sh reads it back exactly: ' closes the quote, \' is one
// quote, ' reopens; $(x) and "…" stay literal inside single quotes.
const Q = (f: string) => `'v'\\''$(x) "${f}"'`;
const CORPUS_EDIT: Record<string, { line: number; old: string; now: string } | 'append' | 'refuse'> = {
  '01-server-long.conf': { line: 47, old: 'kleened_enable="YES"', now: `kleened_enable=${Q('01-server-long.conf')}` },
  '02-comments-everywhere.conf': { line: 11, old: 'kleened_enable="NO" # disabled while debugging (see the change log)',
    now: `kleened_enable=${Q('02-comments-everywhere.conf')} # disabled while debugging (see the change log)` },
  '03-quotes.conf': 'append',
  // a value continued on the next line is one value: both lines become the new one
  '04-continuations.conf': { line: 11, old: 'kleened_enable=\\\n"YES"', now: `kleened_enable=${Q('04-continuations.conf')}` },
  '05-if-blocks.conf': 'append', // only assignments inside if-blocks: rc(8) may not run them
  '06-duplicates.conf': { line: 10, old: 'kleened_enable="YES"', now: `kleened_enable=${Q('06-duplicates.conf')}` },
  '07-crlf.conf': 'refuse',
  '08-no-final-newline.conf': { line: 3, old: 'kleened_enable="YES"', now: `kleened_enable=${Q('08-no-final-newline.conf')}` },
  '09-utf8-comments.conf': 'append',
  '10-export-and-semicolons.conf': 'append',
  '11-functions-heredoc.conf': { line: 10, old: 'kleened_enable="NO"', now: `kleened_enable=${Q('11-functions-heredoc.conf')}` },
  '12-rc-conf-local.conf': { line: 3, old: 'kleened_enable="YES"', now: `kleened_enable=${Q('12-rc-conf-local.conf')}` },
  '13-blank-and-whitespace.conf': { line: 7, old: '\tkleened_enable="YES"\t# tabbed', now: `\tkleened_enable=${Q('13-blank-and-whitespace.conf')}\t# tabbed` },
  '14-bsdinstall.conf': 'append',
};

t.test('a set on every corpus file changes one line or appends one, nothing else', async (t) => {
  const corpus = readdirSync(fileURLToPath(new URL('../fixtures/rcconf/', import.meta.url))).filter((f) => f.endsWith('.conf'));
  t.same(corpus.slice().sort(), Object.keys(CORPUS_EDIT).sort(), 'every corpus file has its expected edit written down');
  for (const f of corpus) {
    const text = fixture(f);
    const root = makeRoot(t, { [RC]: text });
    const value = `v'$(x) "${f}"`;
    const want = CORPUS_EDIT[f]!;
    let r;
    try {
      r = await applyEdits([{ op: 'set', name: 'kleened_enable', value }], { root, file: RC });
    } catch (e) {
      const code = (e as { code?: string }).code;
      t.equal(want, 'refuse', `${f}: refused with ${code}`);
      t.ok(code === 'ECRLF' || code === 'EUNSAFE', `${f}: refused with ${code}`);
      t.equal(readHost(root, RC), text, `${f}: untouched after refusal`);
      continue;
    }
    const now = readHost(root, RC);
    if (want === 'append') {
      t.equal(r.changes[0]!.line, undefined, `${f}: appended`);
      t.equal(now, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}kleened_enable=${Q(f)}\n`, `${f}: appended only`);
    } else if (want === 'refuse') {
      t.fail(`${f}: should have been refused`);
    } else {
      t.equal(r.changes[0]!.line, want.line, `${f}: line ${want.line}`);
      const start = text.split('\n').slice(0, want.line - 1).join('\n').length + (want.line > 1 ? 1 : 0);
      t.equal(text.slice(start, start + want.old.length), want.old, `${f}: line ${want.line} is the one expected`);
      t.equal(now, text.slice(0, start) + want.now + text.slice(start + want.old.length), `${f}: only the value bytes changed`);
    }
    // /bin/sh is the oracle for the value: it reads back exactly what was set.
    const eff = await readEffective('kleened', { root });
    t.equal(eff.get('kleened_enable')?.value, value, `${f}: sh reads the value back`);
  }
});

t.test('appends to the service fragment, created 0644, and leaves rc.conf alone', async (t) => {
  const root = makeRoot(t, { [RC]: 'hostname="h"' });
  const r = await applyEdits([{ op: 'set', name: 'kleene_containers_list', value: 'web db' }], { root });
  t.equal(readHost(root, '/etc/rc.conf.d/kleene_containers'), 'kleene_containers_list="web db"\n');
  t.equal(statSync(join(root, '/etc/rc.conf.d/kleene_containers')).mode & 0o777, 0o644);
  t.equal(readHost(root, RC), 'hostname="h"');
  t.match(r.diff, /^--- \/dev\/null\n\+\+\+ \/etc\/rc.conf.d\/kleene_containers\n@@ -0,0 \+1 @@\n\+kleene_containers_list="web db"\n$/);
});

t.test('adds a missing final newline before appending', async (t) => {
  const root = makeRoot(t, { [RC]: fixture('08-no-final-newline.conf') });
  await applyEdits([{ op: 'set', name: 'sshd_enable', value: 'YES' }], { root, file: RC });
  t.equal(readHost(root, RC), `${fixture('08-no-final-newline.conf')}\nsshd_enable="YES"\n`);
});

t.test('+= and -= keep a list without duplicates', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf.d/kleene_containers': 'kleene_containers_list="web  db" # the list\n' });
  const frag = '/etc/rc.conf.d/kleene_containers';
  let r = await applyEdits([{ op: 'add', name: 'kleene_containers_list', item: 'web' }], { root });
  t.equal(r.changed, false, 'adding a present item changes nothing');
  r = await applyEdits([{ op: 'add', name: 'kleene_containers_list', item: 'api' }, { op: 'remove', name: 'kleene_containers_list', item: 'web' }], { root });
  t.equal(readHost(root, frag), 'kleene_containers_list="db api" # the list\n');
  r = await applyEdits([{ op: 'remove', name: 'kleene_containers_list', item: 'nope' }], { root });
  t.equal(r.changed, false);
  r = await applyEdits([{ op: 'add', name: 'kleene_containers_x_depend', item: 'db' }], { root });
  t.match(readHost(root, frag), /kleene_containers_x_depend="db"\n$/);
});

t.test('+= refuses a value that sh would expand, instead of writing it back expanded', async (t) => {
  const root = makeRoot(t, { [RC]: fixture('12-rc-conf-local.conf') });
  await t.rejects(applyEdits([{ op: 'add', name: 'kleene_containers_list', item: 'x' }], { root, file: RC }),
    { code: 'EDYNAMIC', where: { file: RC, line: 4 } });
  t.equal(readHost(root, RC), fixture('12-rc-conf-local.conf'));
});

t.test('refuses to rewrite inside an if or case block, naming the place', async (t) => {
  const root = makeRoot(t, { [RC]: fixture('05-if-blocks.conf') });
  await t.rejects(applyEdits([{ op: 'set', name: 'kleene_containers_list', value: 'x' }], { root, file: RC }),
    { code: 'EUNSAFE', where: { file: RC, line: 19 }, message: /inside a case block \(lines 14-21\)/ });
  await t.rejects(applyEdits([{ op: 'unset', name: 'kleene_containers_jobs' }], { root, file: RC }), { code: 'EUNSAFE' });
  t.equal(readHost(root, RC), fixture('05-if-blocks.conf'));
});

t.test('unset removes every assignment rc(8) would read, in any shape', async (t) => {
  const root = makeRoot(t, {
    [RC]: 'a=1; kleened_socket=/x; b=2\nexport kleened_socket=/y\nexport LANG=C kleened_socket=/z\nkleened_socket=/w # comment\nkeep=1\n',
    '/etc/rc.conf.d/kleened': 'kleened_socket=/frag\n',
  });
  const r = await applyEdits([{ op: 'unset', name: 'kleened_socket' }], { root });
  t.equal(r.changes.length, 5);
  t.equal(readHost(root, RC), 'a=1; b=2\nexport LANG=C\nkeep=1\n');
  t.equal(readHost(root, '/etc/rc.conf.d/kleened'), '');
  t.notOk((await readEffective('kleened', { root })).has('kleened_socket'));
});

t.test('refuses bad names, newlines and NUL with clear errors', async (t) => {
  const root = makeRoot(t, { [RC]: 'x=1\n' });
  await t.rejects(applyEdits([{ op: 'set', name: '1bad', value: 'x' }], { root }), { code: 'EBADNAME', message: /not a valid sh variable name/ });
  await t.rejects(applyEdits([{ op: 'set', name: 'a-b', value: 'x' }], { root }), { code: 'EBADNAME' });
  await t.rejects(applyEdits([{ op: 'set', name: 'ok', value: 'a\nb' }], { root }), { code: 'EBADVALUE', message: /line break/ });
  await t.rejects(applyEdits([{ op: 'set', name: 'ok', value: 'a\0b' }], { root }), { code: 'EBADVALUE', message: /NUL/ });
  await t.rejects(applyEdits([{ op: 'add', name: 'ok', item: 'a b' }], { root }), { code: 'EBADVALUE' });
  t.equal(readHost(root, RC), 'x=1\n');
});

t.test('refuses to edit a file sh -n rejects, and a CRLF file', async (t) => {
  const root = makeRoot(t, { [RC]: 'if true; then\nx=1\n', '/etc/rc.conf.local': fixture('07-crlf.conf') });
  await t.rejects(applyEdits([{ op: 'set', name: 'x', value: '2' }], { root, file: RC }), { code: 'ESYNTAX', where: { file: RC } });
  await t.rejects(applyEdits([{ op: 'set', name: 'sshd_enable', value: 'NO' }], { root, file: '/etc/rc.conf.local' }),
    { code: 'ECRLF', where: { file: '/etc/rc.conf.local', line: 3 } });
});
