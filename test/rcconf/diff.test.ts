import t from 'tap';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedDiff } from '../../src/rcconf/diff.ts';

const lines = (n: number, p = 'l') => Array.from({ length: n }, (_, i) => `${p}${i}\n`).join('');

// diff(1) -u is the reference: the hunks (after the two header lines) must be identical.
const cases: [string, string, string][] = [
  ['one changed line in the middle', lines(20), lines(20).replace('l9\n', 'L9\n')],
  ['changes far apart make two hunks', lines(30), lines(30).replace('l2\n', 'x\n').replace('l25\n', 'y\n')],
  ['changes close together share a hunk', lines(30), lines(30).replace('l10\n', 'x\n').replace('l14\n', 'y\n')],
  ['an appended line', lines(5), lines(5) + 'new\n'],
  ['a removed line', lines(5), lines(5).replace('l3\n', '')],
  ['from an empty file', '', 'a\nb\n'],
  ['to an empty file', 'a\nb\n', ''],
  ['a missing final newline added', 'a\nb', 'a\nb\n'],
  ['a missing final newline kept', 'a\nb', 'a\nc'],
  ['CRLF lines', 'a\r\nb\r\n', 'a\r\nc\r\n'],
];

t.test('matches diff -u hunk for hunk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-diff-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, a, b] of cases) {
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const r = await execa('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { reject: false, stripFinalNewline: false });
    const want = String(r.stdout).split('\n').slice(2).join('\n');
    const got = unifiedDiff('a', 'b', a, b);
    t.equal(got.split('\n').slice(0, 2).join('\n'), '--- a\n+++ b', `${name}: header`);
    t.equal(got.split('\n').slice(2).join('\n'), want, name);
  }
});

t.test('returns an empty string when nothing differs', async (t) => {
  t.equal(unifiedDiff('a', 'b', 'same\n', 'same\n'), '');
});
