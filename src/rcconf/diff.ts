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

/**
 * Above this many inserted and deleted lines between the equal ends, the middle is shown as
 * removed and added whole (a valid diff, not the shortest): the search is bounded by it.
 */
export const MAX_EDIT_LINES = 2000;

/**
 * Edit script between two line arrays: equal ends trimmed, then Myers' O((N+M)·D) search for a
 * shortest one (D: lines inserted and deleted), each run of changes shown as diff -u shows it,
 * removed lines before added ones. A table of every pair of lines (the longest common
 * subsequence by dynamic programming) was N·M: two edits far apart in a 10,000-line rc.conf
 * made `rc set` fill 10^8 cells, 1.2 s and 400 MB.
 */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const [inA, inB] = commonLines(am, bm);
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({ kind: ' ', text: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && inA[i] && inB[j]) {
      ops.push({ kind: ' ', text: am[i]!, a: pre + i, b: pre + j });
      i++;
      j++;
      continue;
    }
    const i0 = i;
    const j0 = j;
    while (i < am.length && !inA[i]) {
      ops.push({ kind: '-', text: am[i]!, a: pre + i, b: pre + j0 });
      i++;
    }
    while (j < bm.length && !inB[j]) {
      ops.push({ kind: '+', text: bm[j]!, a: pre + i, b: pre + j });
      j++;
    }
    if (i === i0 && j === j0) break; // cannot happen: the common lines pair up in order
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: ' ', text: a[a.length - suf + k]!, a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

/**
 * Which lines of `a` and of `b` a shortest edit script keeps (Myers 1986, the greedy forward
 * search with its furthest points per diagonal kept for each D, then walked back). None when
 * more than MAX_EDIT_LINES changes are needed.
 */
function commonLines(a: string[], b: string[]): [Uint8Array, Uint8Array] {
  const n = a.length;
  const m = b.length;
  const inA = new Uint8Array(n);
  const inB = new Uint8Array(m);
  if (n === 0 || m === 0) return [inA, inB];
  // trace[d][k + d]: the furthest x on diagonal k (x - y) after d changes.
  const trace: Int32Array[] = [];
  let prev = new Int32Array(1);
  let end = -1;
  for (let d = 0; d <= Math.min(n + m, MAX_EDIT_LINES) && end < 0; d++) {
    const v = new Int32Array(2 * d + 1);
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (d === 0) x = 0;
      else if (k === -d || (k !== d && prev[k - 1 + d - 1]! < prev[k + 1 + d - 1]!)) x = prev[k + 1 + d - 1]!;
      else x = prev[k - 1 + d - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + d] = x;
      if (x >= n && y >= m) {
        end = d;
        break;
      }
    }
    trace.push(v);
    prev = v;
  }
  if (end < 0) return [inA, inB];
  let x = n;
  let y = m;
  for (let d = end; d > 0; d--) {
    const k = x - y;
    const before = trace[d - 1]!;
    const down = k === -d || (k !== d && before[k - 1 + d - 1]! < before[k + 1 + d - 1]!);
    const pk = down ? k + 1 : k - 1;
    const px = before[pk + d - 1]!;
    const py = px - pk;
    // The snake after the change: equal lines.
    while (x > (down ? px : px + 1) && y > (down ? py + 1 : py)) {
      inA[--x] = 1;
      inB[--y] = 1;
    }
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) {
    inA[--x] = 1;
    inB[--y] = 1;
  }
  return [inA, inB];
}
