// Acting on a restore plan: start containers in waves as their dependencies become ready, at most
// `jobs` at once, each start (API start + ready check) bounded by the start timeout. A failure or
// timeout blocks only that container's dependents; the rest go on.
import type { Plan, PlanItem } from '../plan/types.ts';
import type { ContainerResult } from './outcome.ts';
import { deadline } from './sleep.ts';

export interface StartActions {
  /** Starts the container through kleened; rejects with a reason. */
  start(item: PlanItem, signal: AbortSignal): Promise<void>;
  /** Resolves once the container's ready check passes; rejects when it cannot. */
  ready(item: PlanItem, signal: AbortSignal): Promise<void>;
}

export interface ExecuteOptions {
  jobs: number;
  startTimeoutMs: number;
  /** Called when a start begins and ends (tests watch concurrency through it). */
  onEvent?: (e: { type: 'begin' | 'end'; id: string; inFlight: number }) => void;
}

/** Runs the plan's `start` items and returns one result per plan item, in plan order; never rejects. */
export async function executeRestore(plan: Plan, actions: StartActions, opts: ExecuteOptions): Promise<ContainerResult[]> {
  const results = new Map<string, ContainerResult>();
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  for (const item of plan.items) {
    if (item.decision === 'start') continue;
    const r: ContainerResult = { id: item.id, name: item.name, entry: item.entry,
      outcome: item.decision === 'running' ? 'running' : item.decision };
    if (item.reason !== undefined) r.reason = item.reason;
    results.set(item.id, r);
  }
  // Plan order is a topological order that already prefers lower priority, the longest chain
  // of dependents, list position, then id: among the startable ones, the earliest in it goes
  // first. Each item counts its unfinished dependencies; a finish decrements its dependents'
  // counts, so every start and finish costs O(its edges), not a rescan of everything pending.
  const starts = plan.items.filter((i) => i.decision === 'start');
  const rank = new Map(starts.map((i, k) => [i.id, k]));
  const unmet = new Map<string, number>();
  const dependents = new Map<string, PlanItem[]>();
  const ready = new MinHeap<PlanItem>((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  let inFlight = 0;
  let finished = 0;
  const jobs = Math.max(1, opts.jobs);

  await new Promise<void>((resolveAll) => {
    // Records an item's result and passes it on: dependents of a container that did not come
    // up are blocked (and so, transitively, are theirs); others may become ready.
    const finish = (item: PlanItem, r: ContainerResult): void => {
      results.set(item.id, r);
      finished++;
      for (const n of dependents.get(item.id) ?? []) {
        if (results.has(n.id)) continue;
        if (runsOk(r)) {
          const left = unmet.get(n.id)! - 1;
          unmet.set(n.id, left);
          if (left === 0) ready.push(n);
        } else {
          finish(n, blockedBy(n, r));
        }
      }
    };
    const pump = (): void => {
      while (inFlight < jobs && ready.size > 0) {
        const item = ready.pop()!;
        inFlight++;
        opts.onEvent?.({ type: 'begin', id: item.id, inFlight });
        void startOne(item, actions, opts.startTimeoutMs).then((r) => {
          inFlight--;
          opts.onEvent?.({ type: 'end', id: item.id, inFlight });
          finish(item, r);
          pump();
        });
      }
      if (finished === starts.length && inFlight === 0) resolveAll();
    };
    for (const item of starts) {
      if (results.has(item.id)) continue;
      let waits = 0;
      let blocked: ContainerResult | undefined;
      for (const d of item.depends) {
        const r = results.get(d);
        if (r) {
          if (!runsOk(r)) { blocked = blockedBy(item, r); break; }
          continue;
        }
        if (!byId.has(d) || !rank.has(d)) continue;
        waits++;
        (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(item);
      }
      if (blocked) {
        // Its own dependents may already be registered; finish() blocks them too.
        finish(item, blocked);
        continue;
      }
      unmet.set(item.id, waits);
    }
    for (const item of starts) if (!results.has(item.id) && unmet.get(item.id) === 0) ready.push(item);
    pump();
  });
  return plan.items.map((i) => results.get(i.id)!);
}

function runsOk(r: ContainerResult): boolean {
  return r.outcome === 'started' || r.outcome === 'running';
}

/** The result of an item whose dependency `dep` did not come up. */
function blockedBy(item: PlanItem, dep: ContainerResult): ContainerResult {
  const how = dep.outcome === 'timed-out' ? 'timed out' : dep.outcome === 'failed' ? 'failed' : 'is blocked';
  return { id: item.id, name: item.name, entry: item.entry, outcome: 'blocked-dependency', reason: `dependency ${dep.name} (${dep.id}) ${how}` };
}

/** A binary min-heap: the ready queue, ordered by plan rank. */
class MinHeap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(v: T): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

async function startOne(item: PlanItem, actions: StartActions, timeoutMs: number): Promise<ContainerResult> {
  const t0 = Date.now();
  const { signal, clear } = deadline(timeoutMs);
  const base = { id: item.id, name: item.name, entry: item.entry };
  let phase = 'start';
  try {
    // The timeout signal bounds each step, and the race makes sure a step that ignores it
    // still cannot hold this container (or the run) past its budget.
    await bounded(actions.start(item, signal), signal);
    phase = 'ready';
    await bounded(actions.ready(item, signal), signal);
    return { ...base, outcome: 'started', ms: Date.now() - t0 };
  } catch (err) {
    const secs = timeoutMs / 1000;
    if (signal.aborted) {
      const what = phase === 'start' ? `kleened did not start it within ${secs} s` : `not ready within ${secs} s (${readyText(item)})`;
      return { ...base, outcome: 'timed-out', reason: what, ms: Date.now() - t0 };
    }
    return { ...base, outcome: 'failed', reason: err instanceof Error ? err.message : String(err), ms: Date.now() - t0 };
  } finally {
    clear();
  }
}

function bounded<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }, (e: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}

/** `tcp:HOST:PORT`, `exec:COMMAND` or `started`, as written in rc.conf. */
export function readyText(item: Pick<PlanItem, 'ready'>): string {
  const r = item.ready;
  return r.kind === 'tcp' ? `tcp:${r.host}:${r.port}` : r.kind === 'exec' ? `exec:${r.command}` : 'started';
}
