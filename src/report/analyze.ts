// What a run record says about where the time went: blame (slowest first), the critical chain
// (systemd-analyze critical-chain: the chain of dependencies that decided when the last
// container was up, each link with its own time and how long it waited) and an account of the
// whole run that adds up to its total. Pure functions of a RunRecord.
import type { ContainerRecord, RunRecord } from '../record/schema.ts';

/** When a container was up (ready), or its start (stop) ended otherwise. */
export function finishMs(c: ContainerRecord): number | undefined {
  return c.readyMs ?? c.doneMs;
}

export interface BlameEntry {
  id?: string;
  name: string;
  outcome: ContainerRecord['outcome'];
  /** Start (stop) request to ready (or to the end of the attempt). */
  ms: number;
}

/** Containers the run acted on, by time from request to ready, slowest first (ties: earlier request first). */
export function blame(rec: RunRecord): BlameEntry[] {
  const out: (BlameEntry & { at: number })[] = [];
  for (const c of rec.containers) {
    const end = finishMs(c);
    if (c.requestedMs === undefined || end === undefined) continue;
    const e: BlameEntry & { at: number } = { name: c.name, outcome: c.outcome, ms: Math.max(0, end - c.requestedMs), at: c.requestedMs };
    if (c.id !== undefined) e.id = c.id;
    out.push(e);
  }
  out.sort((a, b) => b.ms - a.ms || a.at - b.at);
  return out.map(({ at: _at, ...e }) => e);
}

export interface ChainLink {
  id?: string;
  name: string;
  outcome: ContainerRecord['outcome'];
  /** When it was requested and when it was up (ms from the run's start). */
  requestedMs: number;
  atMs: number;
  /** Its own time: request to up. */
  ownMs: number;
  /** From the moment it could have been requested (its link before was up, or the plan was made) to its request. */
  waitedMs: number;
  /** Part of the wait during which the jobs limit's worth of starts (stops) were already in flight. */
  jobsWaitMs: number;
}

/**
 * The critical chain, first link (a root) to last (the container up last). For restore a link's
 * predecessor is the dependency that was up last before it was requested; for stop it is the
 * stop it waited for that ended last (stop goes dependents first). Empty when nothing was acted on.
 */
export function criticalChain(rec: RunRecord): ChainLink[] {
  const acted = rec.containers.filter((c) => c.requestedMs !== undefined && finishMs(c) !== undefined);
  if (acted.length === 0) return [];
  const ok = acted.filter((c) => c.outcome === 'started' || c.outcome === 'started-by-kleened' || c.outcome === 'stopped');
  const pool = ok.length > 0 ? ok : acted;
  let last = pool[0]!;
  for (const c of pool) if (finishMs(c)! > finishMs(last)!) last = c;
  const byId = new Map(acted.filter((c) => c.id !== undefined).map((c) => [c.id!, c]));
  const dependents = new Map<string, ContainerRecord[]>();
  for (const c of acted) for (const d of c.depends) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(c);
  const predecessors = (c: ContainerRecord): ContainerRecord[] => predecessorsOf(rec, c, byId, dependents);

  const chain: ContainerRecord[] = [last];
  const seen = new Set([last]);
  for (;;) {
    const cur = chain[0]!;
    let pred: ContainerRecord | undefined;
    for (const p of predecessors(cur)) {
      if (seen.has(p) || finishMs(p)! > cur.requestedMs!) continue;
      if (pred === undefined || finishMs(p)! > finishMs(pred)!) pred = p;
    }
    if (pred === undefined) break;
    chain.unshift(pred);
    seen.add(pred);
  }
  const planned = plannedMs(rec, chain[0]!.requestedMs!);
  const intervals = acted.map((c) => [c.requestedMs!, finishMs(c)!] as const);
  return chain.map((c, k) => {
    const eligible = k === 0 ? planned : finishMs(chain[k - 1]!)!;
    const link: ChainLink = {
      name: c.name, outcome: c.outcome, requestedMs: c.requestedMs!, atMs: finishMs(c)!,
      ownMs: Math.max(0, finishMs(c)! - c.requestedMs!),
      waitedMs: Math.max(0, c.requestedMs! - eligible),
      jobsWaitMs: saturatedMs(intervals, eligible, c.requestedMs!, rec.run.jobs),
    };
    if (c.id !== undefined) link.id = c.id;
    return link;
  });
}

/**
 * What a container's request waited for. Restore: its dependencies. Stop: the stops the record
 * says it waited for (its nearest running dependents), else its dependents (older records).
 */
function predecessorsOf(rec: RunRecord, c: ContainerRecord, byId: ReadonlyMap<string, ContainerRecord>,
  dependents: ReadonlyMap<string, ContainerRecord[]>): ContainerRecord[] {
  const known = (ids: readonly string[]): ContainerRecord[] => ids.map((d) => byId.get(d)).filter((x): x is ContainerRecord => x !== undefined);
  if (rec.run.command !== 'stop') return known(c.depends);
  if (c.waitedFor !== undefined) return known(c.waitedFor);
  return c.id !== undefined ? dependents.get(c.id) ?? [] : [];
}

/** The predecessors a container's wait is drawn from (the same as the chain's): exported for the timeline. */
export function waitedOn(rec: RunRecord, c: ContainerRecord): ContainerRecord[] {
  const byId = new Map(rec.containers.filter((x) => x.id !== undefined).map((x) => [x.id!, x]));
  const dependents = new Map<string, ContainerRecord[]>();
  for (const x of rec.containers) for (const d of x.depends) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(x);
  return predecessorsOf(rec, c, byId, dependents);
}

/** Most requests in flight at once over the run (starts, or stops): what the jobs limit let through. */
export function peakInFlight(rec: RunRecord): number {
  const edges: [number, number][] = [];
  for (const c of rec.containers) {
    const end = finishMs(c);
    if (c.requestedMs === undefined || end === undefined) continue;
    edges.push([c.requestedMs, 1], [Math.max(end, c.requestedMs), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (level += d));
  return peak;
}

/** When the plan was made: after kleened answered and the inventory was taken, but never after `firstRequest`. */
function plannedMs(rec: RunRecord, firstRequest: number): number {
  return Math.min(firstRequest, (rec.run.kleenedWaitMs ?? 0) + (rec.run.inventoryMs ?? 0));
}

/** Time within [from, to) during which at least `jobs` of `intervals` ([begin, end)) overlap. */
export function saturatedMs(intervals: readonly (readonly [number, number])[], from: number, to: number, jobs: number): number {
  if (to <= from) return 0;
  const edges: [number, number][] = [];
  for (const [b, e] of intervals) {
    const lo = Math.max(b, from);
    const hi = Math.min(e, to);
    if (hi <= lo) continue;
    edges.push([lo, 1], [hi, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let prev = from;
  let total = 0;
  for (const [t, d] of edges) {
    if (level >= jobs) total += t - prev;
    level += d;
    prev = t;
  }
  return total;
}

/** Where the run's time went; the parts add up to `totalMs`. */
export interface Accounting {
  totalMs: number;
  /** Waiting for kleened's API. */
  kleenedWaitMs: number;
  /** Inventory and plan (or the rest of the run when nothing was acted on). */
  beforeChainMs: number;
  /** Σ of the chain's own times. */
  chainOwnMs: number;
  /** Σ of the chain's waits, and the part of it at the jobs limit. */
  chainWaitMs: number;
  chainJobsWaitMs: number;
  /** After the last container was up: confirming jails, the report. */
  afterMs: number;
  links: number;
}

/** The account of a run along its critical chain. */
export function accounting(rec: RunRecord, chain: readonly ChainLink[] = criticalChain(rec)): Accounting {
  const total = rec.run.totalMs;
  const kleened = Math.min(total, rec.run.kleenedWaitMs ?? 0);
  if (chain.length === 0) {
    return { totalMs: total, kleenedWaitMs: kleened, beforeChainMs: total - kleened, chainOwnMs: 0, chainWaitMs: 0, chainJobsWaitMs: 0, afterMs: 0, links: 0 };
  }
  const first = chain[0]!;
  const lastAt = chain[chain.length - 1]!.atMs;
  const firstEligible = first.requestedMs - first.waitedMs;
  const kleenedPart = Math.min(kleened, firstEligible);
  return {
    totalMs: total,
    kleenedWaitMs: kleenedPart,
    beforeChainMs: firstEligible - kleenedPart,
    chainOwnMs: chain.reduce((s, l) => s + l.ownMs, 0),
    chainWaitMs: chain.reduce((s, l) => s + l.waitedMs, 0),
    chainJobsWaitMs: chain.reduce((s, l) => s + l.jobsWaitMs, 0),
    afterMs: Math.max(0, total - lastAt),
    links: chain.length,
  };
}
