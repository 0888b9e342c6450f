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
  // Plan order is a topological order that already prefers lower priority, earlier list
  // position, then id: among the startable ones, the earliest in it goes first.
  const pending = plan.items.filter((i) => i.decision === 'start');
  let inFlight = 0;
  const jobs = Math.max(1, opts.jobs);

  await new Promise<void>((resolveAll) => {
    const pump = (): void => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (let k = 0; k < pending.length; k++) {
          const item = pending[k]!;
          const state = depState(item, results, byId);
          if (state.kind === 'wait') continue;
          if (state.kind === 'blocked') {
            pending.splice(k, 1);
            results.set(item.id, { id: item.id, name: item.name, entry: item.entry, outcome: 'blocked-dependency', reason: state.reason });
            progressed = true;
            break;
          }
          if (inFlight >= jobs) continue;
          pending.splice(k, 1);
          inFlight++;
          opts.onEvent?.({ type: 'begin', id: item.id, inFlight });
          void startOne(item, actions, opts.startTimeoutMs).then((r) => {
            results.set(item.id, r);
            inFlight--;
            opts.onEvent?.({ type: 'end', id: item.id, inFlight });
            pump();
          });
          progressed = true;
          break;
        }
      }
      if (pending.length === 0 && inFlight === 0) resolveAll();
    };
    pump();
  });
  return plan.items.map((i) => results.get(i.id)!);
}

function depState(item: PlanItem, results: Map<string, ContainerResult>, byId: Map<string, PlanItem>):
  { kind: 'go' } | { kind: 'wait' } | { kind: 'blocked'; reason: string } {
  for (const d of item.depends) {
    const r = results.get(d);
    if (!r) {
      if (byId.has(d)) return { kind: 'wait' };
      continue;
    }
    if (r.outcome === 'started' || r.outcome === 'running') continue;
    return { kind: 'blocked', reason: `dependency ${r.name} (${d}) ${r.outcome === 'timed-out' ? 'timed out' : r.outcome === 'failed' ? 'failed' : 'is blocked'}` };
  }
  return { kind: 'go' };
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
