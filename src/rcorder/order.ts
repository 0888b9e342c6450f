// rcorder(8) ordering over parsed headers. Pure: no file system, no process.
// Semantics follow FreeBSD's sbin/rcorder/rcorder.c and rcorder(8):
// - `REQUIRE: X` runs the file after every file that provides X; X with no provider warns
//   (rcorder: "requirement `X' in file `F' has no providers") and is otherwise ignored;
// - `BEFORE: X` in file F makes every provider of X require F (rcorder's "fake provision");
// - `-s kw` / `-k kw` only filter what is printed: a skipped file still provides its names, so the
//   order of the others does not change when a keyword is skipped;
// - a cycle warns and its files (and everything that requires them) are pushed to the end instead
//   of aborting the boot; within the pushed part a back edge is simply ignored.
// Order between unrelated files is unspecified in rcorder; we make it deterministic: a depth-first
// walk in input order (the order /etc/rc passes files: glob order), requirements in header order.

import type { RcHeader } from './headers.ts';

/** One script to order: its path and its parsed header. */
export interface RcFile {
  file: string;
  header: Pick<RcHeader, 'provide' | 'require' | 'before' | 'keyword'>;
}

/** rcorder's -s (skip) and -k (keep) keyword filters. */
export interface RcorderOptions {
  /** Files with any of these keywords are not listed (`rcorder -s`). */
  skipKeywords?: readonly string[];
  /** When non-empty, only files with at least one of these keywords are listed (`rcorder -k`). */
  onlyKeywords?: readonly string[];
}

export interface RcorderWarning {
  kind: 'missing-provider' | 'cycle';
  message: string;
  /** The files concerned, in input order. */
  files: string[];
}

export interface RcorderResult {
  order: string[];
  warnings: RcorderWarning[];
}

/**
 * Orders scripts as rcorder(8) would, deterministically for a given input order; never throws on
 * bad graphs (missing providers and cycles become warnings, as at boot).
 */
export function rcorder(files: readonly RcFile[], options: RcorderOptions = {}): RcorderResult {
  const warnings: RcorderWarning[] = [];
  const providers = new Map<string, number[]>();
  files.forEach((f, i) => {
    for (const p of f.header.provide) {
      const list = providers.get(p) ?? [];
      if (!list.includes(i)) list.push(i);
      providers.set(p, list);
    }
  });

  // deps[i]: files that must run before file i, in a stable order without duplicates.
  const deps: number[][] = files.map(() => []);
  const addDep = (i: number, j: number) => {
    const d = deps[i]!;
    if (!d.includes(j)) d.push(j);
  };
  files.forEach((f, i) => {
    for (const r of f.header.require) {
      const ps = providers.get(r);
      if (!ps) {
        warnings.push({
          kind: 'missing-provider',
          message: `requirement '${r}' in file '${f.file}' has no providers`,
          files: [f.file],
        });
        continue;
      }
      for (const p of ps) addDep(i, p);
    }
  });
  files.forEach((f, i) => {
    for (const b of f.header.before) {
      const ps = providers.get(b);
      if (!ps) {
        warnings.push({
          kind: 'missing-provider',
          message: `file '${f.file}' is before unknown provision '${b}'`,
          files: [f.file],
        });
        continue;
      }
      for (const p of ps) addDep(p, i);
    }
  });

  const cyclic = findCycles(deps);
  for (const group of cyclic.groups) {
    const names = group.map((i) => files[i]!.file);
    warnings.push({
      kind: 'cycle',
      message: `circular dependency between ${names.map((n) => `'${n}'`).join(', ')}; ` +
        'these files and the files that require them run last',
      files: names,
    });
  }

  // Tainted: cyclic files and everything that (transitively) requires one of them.
  const tainted = new Set<number>(cyclic.members);
  let grew = true;
  while (grew) {
    grew = false;
    deps.forEach((d, i) => {
      if (!tainted.has(i) && d.some((j) => tainted.has(j))) {
        tainted.add(i);
        grew = true;
      }
    });
  }

  const done = new Set<number>();
  const inProgress = new Set<number>();
  const sequence: number[] = [];
  // Iterative post-order DFS so a long dependency chain cannot overflow the stack.
  const visit = (start: number) => {
    if (done.has(start)) return;
    const stack: Array<{ node: number; next: number }> = [{ node: start, next: 0 }];
    inProgress.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const d = deps[top.node]!;
      if (top.next < d.length) {
        const j = d[top.next++]!;
        // A back edge (j in progress) only exists inside the tainted part: ignore it there.
        if (done.has(j) || inProgress.has(j)) continue;
        inProgress.add(j);
        stack.push({ node: j, next: 0 });
      } else {
        stack.pop();
        inProgress.delete(top.node);
        done.add(top.node);
        sequence.push(top.node);
      }
    }
  };
  files.forEach((_, i) => { if (!tainted.has(i)) visit(i); });
  files.forEach((_, i) => { if (tainted.has(i)) visit(i); });

  const skip = new Set(options.skipKeywords ?? []);
  const only = new Set(options.onlyKeywords ?? []);
  const order = sequence
    .filter((i) => {
      const kws = files[i]!.header.keyword;
      if (kws.some((k) => skip.has(k))) return false;
      return only.size === 0 || kws.some((k) => only.has(k));
    })
    .map((i) => files[i]!.file);
  return { order, warnings };
}

/** Strongly connected components that form a cycle (size > 1, or a file requiring itself). */
function findCycles(deps: readonly number[][]): { groups: number[][]; members: Set<number> } {
  // Tarjan's algorithm, iterative.
  const n = deps.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const groups: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const d = deps[top.node]!;
      if (top.next < d.length) {
        const j = d[top.next++]!;
        if (index[j] === -1) {
          index[j] = low[j] = counter++;
          stack.push(j);
          onStack[j] = true;
          work.push({ node: j, next: 0 });
        } else if (onStack[j]) {
          low[top.node] = Math.min(low[top.node]!, index[j]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[top.node]!);
      if (low[top.node] === index[top.node]) {
        const group: number[] = [];
        let j: number;
        do {
          j = stack.pop()!;
          onStack[j] = false;
          group.push(j);
        } while (j !== top.node);
        if (group.length > 1 || deps[top.node]!.includes(top.node)) groups.push(group.sort((a, b) => a - b));
      }
    }
  }
  groups.sort((a, b) => a[0]! - b[0]!);
  return { groups, members: new Set(groups.flat()) };
}

/** Where a script lands in an order: 0-based index and its neighbours, or null when absent. */
export interface Position {
  index: number;
  /** 1-based rank, as a sysadmin would count lines of `rcorder` output. */
  rank: number;
  total: number;
  previous: string | null;
  next: string | null;
}

/** Says where `file` lands in `order` (null when it is not listed, e.g. skipped by a keyword). */
export function positionOf(order: readonly string[], file: string): Position | null {
  const index = order.indexOf(file);
  if (index === -1) return null;
  return {
    index,
    rank: index + 1,
    total: order.length,
    previous: index > 0 ? order[index - 1]! : null,
    next: index + 1 < order.length ? order[index + 1]! : null,
  };
}
