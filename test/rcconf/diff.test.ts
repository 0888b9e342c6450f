import t from 'tap';
import fc from 'fast-check';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_EDIT_LINES, unifiedDiff } from '../../src/rcconf/diff.ts';

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

/** `a` with the unified diff `d` applied (whole lines, each ending in a newline); throws when a context or removed line is not a's. */
function apply(a: string, d: string): string {
  if (d === '') return a;
  const src = a === '' ? [] : a.slice(0, -1).split('\n');
  const out: string[] = [];
  let at = 0;
  for (const line of d.split('\n').slice(2, -1)) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (h) {
      const start = Number(h[1]) - (h[2] === '0' ? 0 : 1);
      while (at < start) out.push(src[at++]!);
      continue;
    }
    const kind = line[0];
    const text = line.slice(1);
    if (kind === '+') out.push(text);
    else if (src[at] !== text) throw new Error(`line ${at + 1} is ${JSON.stringify(src[at])}, the diff says ${JSON.stringify(text)}`);
    else {
      if (kind === ' ') out.push(text);
      at++;
    }
  }
  while (at < src.length) out.push(src[at++]!);
  return out.map((l) => `${l}\n`).join('');
}

/** The least number of lines removed and added from `a` to `b`: n + m - 2 × their longest common subsequence. */
function fewestChanges(a: string[], b: string[]): number {
  const l = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) l[i]![j] = a[i] === b[j] ? l[i + 1]![j + 1]! + 1 : Math.max(l[i + 1]![j]!, l[i]![j + 1]!);
  return a.length + b.length - 2 * l[0]![0]!;
}

t.test('the diff turns a into b with the fewest lines removed and added (2,000 pairs)', async (t) => {
  // diff(1) and this diff may align equally short answers differently, so the property is the
  // answer's, not diff -u's text. Mutation tried: commonLines's walk back choosing its step with
  // <= where the search chose with < fails at once.
  const line = fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', 'x\n');
  const out = fc.check(fc.property(fc.array(line, { maxLength: 14 }), fc.array(line, { maxLength: 14 }), (xs, ys) => {
    const a = xs.join('');
    const b = ys.join('');
    const d = unifiedDiff('a', 'b', a, b);
    const changed = d.split('\n').slice(2).filter((l) => l.startsWith('-') || l.startsWith('+')).length;
    return apply(a, d) === b && changed === fewestChanges(xs, ys);
  }), { seed: 20261207, numRuns: 2000 });
  t.notOk(out.failed, out.failed ? fc.defaultReportMessage(out) ?? 'failed' : '2,000 pairs');
});

t.test('two edits far apart in a 10,000-line file: two hunks, as diff -u gives them', async (t) => {
  // The search is bounded by the changes, not by the lines between them: rc set with two edits
  // far apart once built a 10,000 × 10,000 table (1.2 s, 400 MB).
  const dir = mkdtempSync(join(tmpdir(), 'kb-diff-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = lines(10_000);
  const b = a.replace('l2\n', 'x\n').replace('l9990\n', 'y\nz\n');
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  const r = await execa('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { reject: false, stripFinalNewline: false });
  t.equal(unifiedDiff('a', 'b', a, b).split('\n').slice(2).join('\n'), String(r.stdout).split('\n').slice(2).join('\n'));
});

t.test(`more than MAX_EDIT_LINES (${MAX_EDIT_LINES}) changes: the middle removed and added whole, still a diff from a to b`, async (t) => {
  const a = lines(MAX_EDIT_LINES, 'a') + 'same\n' + lines(10, 'p');
  const b = lines(MAX_EDIT_LINES, 'b') + 'same\n' + lines(10, 'q');
  const d = unifiedDiff('a', 'b', a, b);
  t.equal(apply(a, d), b, 'applies');
  const body = d.split('\n').slice(2);
  t.equal(body.filter((l) => l.startsWith('-')).length, MAX_EDIT_LINES + 11, 'the common line in the middle goes too');
  t.equal(body.filter((l) => l.startsWith('+')).length, MAX_EDIT_LINES + 11);
  // Within the bound the same shape keeps its common line.
  const small = unifiedDiff('a', 'b', lines(5, 'a') + 'same\n' + lines(2, 'p'), lines(5, 'b') + 'same\n' + lines(2, 'q'));
  t.notMatch(small, /^-same$/m, 'kept under the bound');
});
