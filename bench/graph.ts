// The dependency graphs the restore benchmark feeds the hook, and the bounds its wall time is
// compared with. Pure: no I/O, deterministic for a seed, so a table can be reproduced and the
// smoke test can check the shapes without starting anything.

/** One container of a benchmark graph: its name and the names it depends on. */
export interface GraphNode {
  name: string;
  depends: string[];
  /** 0 for roots; a node at level L waits on a chain of exactly L earlier nodes. */
  level: number;
}

export interface GraphOptions {
  /** number of containers */
  n: number;
  /** share of containers without dependencies; default 0.1 */
  rootShare?: number;
  /** longest chain, counted in containers; default 5 */
  depth?: number;
  /** PRNG seed; default 7 */
  seed?: number;
}

/** A small, fast, seedable PRNG (mulberry32): returns a function giving floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Container name for index `i` of `n` (zero-padded so list order and sort order agree). */
export function containerName(i: number, n: number): string {
  return `c${String(i).padStart(String(Math.max(1, n - 1)).length, '0')}`;
}

/**
 * A layered DAG shaped like real stacks: `rootShare` of the containers have no dependency
 * (databases, caches), the rest sit on levels 1..depth-1 with fewer on each deeper level.
 * Every non-root depends on one container of the level just above it (so chains reach the
 * full depth) plus up to two more from any higher level (fan-in); parents are drawn with a
 * skew towards the first few of a level, so some containers get many dependents (fan-out).
 * Returned in a shuffled order: that is the order of kleene_containers_list, which people
 * write without regard to dependencies. Deterministic for a seed.
 */
export function layeredGraph(opts: GraphOptions): GraphNode[] {
  const n = opts.n;
  const depth = Math.max(1, opts.depth ?? 5);
  const rand = prng(opts.seed ?? 7);
  if (n <= 0) return [];
  const roots = Math.min(n, Math.max(1, Math.round(n * (opts.rootShare ?? 0.1))));
  // Deeper levels hold fewer containers: weights depth-1, depth-2, ..., 1.
  const sizes = [roots];
  const rest = n - roots;
  const levels = Math.min(depth - 1, rest);
  const weights = Array.from({ length: levels }, (_, k) => levels - k);
  const wsum = weights.reduce((s, w) => s + w, 0);
  let given = 0;
  for (let k = 0; k < levels; k++) {
    // At least one per level so the chain reaches `depth`; the last level takes the remainder.
    const size = k === levels - 1 ? rest - given : Math.max(1, Math.round((rest * weights[k]!) / wsum));
    sizes.push(size);
    given += size;
  }
  const byLevel: string[][] = [];
  let next = 0;
  const nodes: GraphNode[] = [];
  // Names are assigned in a shuffled order so that a name says nothing about the level.
  const names = shuffle(Array.from({ length: n }, (_, i) => containerName(i, n)), rand);
  sizes.forEach((size, level) => {
    const here: string[] = [];
    for (let k = 0; k < size; k++) {
      const name = names[next++]!;
      const depends: string[] = [];
      if (level > 0) {
        depends.push(pickSkewed(byLevel[level - 1]!, rand));
        const extra = Math.floor(rand() * 3);
        for (let e = 0; e < extra; e++) {
          const from = byLevel[Math.floor(rand() * level)]!;
          const d = pickSkewed(from, rand);
          if (!depends.includes(d)) depends.push(d);
        }
      }
      here.push(name);
      nodes.push({ name, depends, level });
    }
    byLevel.push(here);
  });
  return shuffle(nodes, rand);
}

/** Skewed pick: index ~ floor(len * r^2), so the first entries are chosen far more often. */
function pickSkewed<T>(list: readonly T[], rand: () => number): T {
  const r = rand();
  return list[Math.min(list.length - 1, Math.floor(list.length * r * r))]!;
}

/** Fisher–Yates with the given PRNG; returns a new array. */
export function shuffle<T>(list: readonly T[], rand: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Length of the longest dependency chain counted in containers (1 for a lone container). */
export function chainDepth(nodes: readonly GraphNode[]): number {
  return longestPaths(nodes, () => 1).max;
}

/** The critical path: the largest sum of start delays along one dependency chain, which is the
 * restore time with unlimited jobs. Throws on a cycle or an unknown dependency. */
export function criticalPathMs(nodes: readonly GraphNode[], delayMs: (name: string) => number): number {
  return longestPaths(nodes, delayMs).max;
}

function longestPaths(nodes: readonly GraphNode[], cost: (name: string) => number): { max: number; finish: Map<string, number> } {
  const byName = new Map(nodes.map((x) => [x.name, x]));
  const finish = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    const known = finish.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    if (!node) throw new Error(`unknown dependency ${name}`);
    if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
    visiting.add(name);
    let start = 0;
    for (const d of node.depends) start = Math.max(start, visit(d));
    visiting.delete(name);
    const f = start + cost(name);
    finish.set(name, f);
    return f;
  };
  let max = 0;
  for (const x of nodes) max = Math.max(max, visit(x.name));
  return { max, finish };
}

/** Σ of start delays: the total work, and what kleened's own sequential start takes. */
export function totalWorkMs(nodes: readonly GraphNode[], delayMs: (name: string) => number): number {
  return nodes.reduce((s, x) => s + delayMs(x.name), 0);
}

/** Lower bound for `jobs` parallel starts: the longer of the critical path and total work ÷ jobs. */
export function jobsBoundMs(criticalMs: number, workMs: number, jobs: number): number {
  return Math.max(criticalMs, workMs / Math.max(1, jobs));
}

/**
 * Makespan of a list schedule (what a greedy executor achieves with zero overhead): whenever a
 * slot is free, start the first container in `order` whose dependencies have all finished.
 * With `order` = the hook's plan order this predicts the hook's wall time; with order by
 * longest remaining chain it shows what critical-path-first scheduling would give.
 */
export function listScheduleMs(nodes: readonly GraphNode[], delayMs: (name: string) => number, jobs: number,
  order: readonly string[]): number {
  const byName = new Map(nodes.map((x) => [x.name, x]));
  const done = new Map<string, number>();
  const pending = order.filter((x) => byName.has(x));
  const running: Array<{ name: string; end: number }> = [];
  let now = 0;
  while (pending.length > 0 || running.length > 0) {
    let started = true;
    while (started && running.length < jobs) {
      started = false;
      const k = pending.findIndex((name) => byName.get(name)!.depends.every((d) => (done.get(d) ?? Infinity) <= now));
      if (k >= 0) {
        const name = pending.splice(k, 1)[0]!;
        running.push({ name, end: now + delayMs(name) });
        started = true;
      }
    }
    if (running.length === 0) throw new Error('list schedule is stuck: a dependency is missing or cyclic');
    running.sort((a, b) => a.end - b.end);
    const first = running.shift()!;
    now = first.end;
    done.set(first.name, now);
    while (running.length > 0 && running[0]!.end === now) done.set(running.shift()!.name, now);
  }
  return now;
}

/** Names ordered by longest remaining chain (own delay included), longest first; ties by name. */
export function criticalFirstOrder(nodes: readonly GraphNode[], delayMs: (name: string) => number): string[] {
  const dependents = new Map<string, string[]>();
  for (const x of nodes) for (const d of x.depends) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(x.name);
  const tail = new Map<string, number>();
  const visit = (name: string): number => {
    const known = tail.get(name);
    if (known !== undefined) return known;
    let rest = 0;
    for (const m of dependents.get(name) ?? []) rest = Math.max(rest, visit(m));
    const v = rest + delayMs(name);
    tail.set(name, v);
    return v;
  };
  return nodes.map((x) => x.name).sort((a, b) => visit(b) - visit(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/** List order for equal priorities (the hook's order before it preferred long chains): Kahn's
 * algorithm taking, among the startable, the earliest in kleene_containers_list. */
export function listOrderTopo(nodes: readonly GraphNode[]): string[] {
  const pos = new Map(nodes.map((x, i) => [x.name, i]));
  const remaining = new Map(nodes.map((x) => [x.name, x.depends.length]));
  const dependents = new Map<string, string[]>();
  for (const x of nodes) for (const d of x.depends) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(x.name);
  const available = nodes.filter((x) => x.depends.length === 0).map((x) => x.name);
  const out: string[] = [];
  while (available.length > 0) {
    available.sort((a, b) => pos.get(a)! - pos.get(b)!);
    const name = available.shift()!;
    out.push(name);
    for (const m of dependents.get(name) ?? []) {
      const left = remaining.get(m)! - 1;
      remaining.set(m, left);
      if (left === 0) available.push(m);
    }
  }
  return out;
}
