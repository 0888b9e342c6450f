// A small unified diff (the format of `diff -u` / POSIX diff -u), for `--dry-run` previews of
// rc.conf edits, generated files and install plans. Line based; lines keep their end-of-line
// bytes so a CRLF or a missing final newline shows up as a change, the way diff(1) shows it.
import { splitLines } from './parse.ts';

type Op = { kind: ' ' | '-' | '+'; text: string; a: number; b: number };

/** The unified diff from `a` to `b` (3 lines of context); '' when they are equal. Pure. */
export function unifiedDiff(aName: string, bName: string, a: string, b: string, context = 3): string {
  if (a === b) return '';
  const ops = diffLines(splitLines(a), splitLines(b));
  const changed: number[] = [];
  ops.forEach((o, k) => { if (o.kind !== ' ') changed.push(k); });
  // Changes closer than 2*context lines share a hunk, as diff -u does.
  const hunks: Op[][] = [];
  let first = 0;
  for (let c = 0; c < changed.length; c++) {
    const next = changed[c + 1];
    if (next === undefined || next - changed[c]! > 2 * context) {
      const from = Math.max(0, changed[first]! - context);
      const to = Math.min(ops.length, changed[c]! + context + 1);
      hunks.push(ops.slice(from, to));
      first = c + 1;
    }
  }
  let out = `--- ${aName}\n+++ ${bName}\n`;
  for (const h of hunks) {
    const aLines = h.filter((o) => o.kind !== '+');
    const bLines = h.filter((o) => o.kind !== '-');
    const aStart = aLines.length > 0 ? aLines[0]!.a + 1 : startOf(h, 'a');
    const bStart = bLines.length > 0 ? bLines[0]!.b + 1 : startOf(h, 'b');
    out += `@@ -${range(aStart, aLines.length)} +${range(bStart, bLines.length)} @@\n`;
    for (const o of h) {
      out += o.kind + o.text;
      if (!o.text.endsWith('\n')) out += '\n\\ No newline at end of file\n';
    }
  }
  return out;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

// An empty side of a hunk is numbered by the line before it (diff -u prints `-0,0` for an empty file).
function startOf(h: Op[], side: 'a' | 'b'): number {
  return h[0]![side];
}

/** Edit script between two line arrays: longest common subsequence after trimming equal ends. */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const n = am.length;
  const m = bm.length;
  // lcs[i][j] = LCS length of am[i:], bm[j:]
  const lcs: Uint32Array[] = [];
  for (let i = 0; i <= n; i++) lcs.push(new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({ kind: ' ', text: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ kind: ' ', text: am[i]!, a: pre + i, b: pre + j });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: '-', text: am[i]!, a: pre + i, b: pre + j });
      i++;
    } else {
      ops.push({ kind: '+', text: bm[j]!, a: pre + i, b: pre + j });
      j++;
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: ' ', text: a[a.length - suf + k]!, a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}
