// `stop`: stop the configured containers that run, several at once (kleene_containers_stop_jobs),
// each only after the listed containers that depend on it have stopped, each bounded by the stop
// timeout the schedule gives (plan/stop.ts: shortened to fit rcshutdown_timeout), then check with
// one jls call that their jails are really gone (as rc.d/jail does with jls -j).
import { planRestore } from '../plan/restore.ts';
import { planStop, type StopSchedule } from '../plan/stop.ts';
import { since, type HookContext } from './context.ts';
import { INVENTORY_TIMEOUT_MS, gatherInventory } from './inventory.ts';
import { awaitKleened, KleenedUnavailable, resolveAddress } from './kleened-up.ts';
import type { ContainerResult } from '../model/run.ts';
import type { Report } from './report.ts';
import { deadline } from './sleep.ts';
import { untilAborted } from '../abort.ts';
import { nothingConfigured, problemResults, unreachableReport } from './restore.ts';
import { monoMs } from '../host/clock.ts';

/** How long stop and check wait for kleened: at shutdown or for a status query it is up or it is not. */
export const QUICK_WAIT_MS = 5_000;

/** Stops what runs of the configured containers; never rejects; ok when every one that ran is stopped. */
export async function runStop(ctx: HookContext): Promise<Report> {
  const { config, deps } = ctx;
  if (nothingConfigured(ctx)) return { command: 'stop', ok: true, results: [], notes: [...ctx.notes] };
  const notes = [...ctx.notes];
  let plan;
  let jails: Set<string>;
  let address: string;
  try {
    address = (await resolveAddress(ctx)).address;
    const containers = await awaitKleened(ctx, address, Math.min(config.waitTimeout * 1000, QUICK_WAIT_MS));
    const inv = await gatherInventory(ctx, address, containers, { volumes: false });
    if (!inv.jails.ok) throw new Error(`cannot tell which jails run: ${inv.jails.error}`);
    jails = new Set(inv.jails.value);
    plan = planRestore(config, inv, { rcshutdownTimeout: ctx.rcshutdownTimeout, kleenedShutdownTimeout: ctx.kleenedShutdownTimeout });
    // The report counts the first stop's wait from here, not from kleened's answer.
    ctx.onEvent({ type: 'inventory-done', at: since(ctx) });
  } catch (err) {
    // Nothing can be stopped through kleened; jails outlive it (FACTS), so whatever runs keeps running.
    return unreachableReport('stop', ctx, err, err instanceof KleenedUnavailable ? '; its jail, if it runs, keeps running' : '');
  }
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  const sched = planStop(plan, jails, { jobs: config.stopJobs, stopTimeout: config.stopTimeout },
    { rcshutdownTimeout: ctx.rcshutdownTimeout, kleenedShutdownTimeout: ctx.kleenedShutdownTimeout, spentMs: since(ctx) });
  // Said before the first stop, so a sysadmin watching the console knows why stops are cut short.
  for (const l of sched.lines) {
    notes.push(l);
    ctx.onEvent({ type: 'note', at: since(ctx), text: l });
  }
  ctx.onEvent({ type: 'stop-planned', at: since(ctx), jobs: sched.jobs, timeoutMs: sched.timeoutMs,
    configuredTimeoutMs: sched.configuredTimeoutMs, budgetMs: sched.budget.availableMs, waves: sched.waves, depth: sched.depth });
  const toStop = sched.order;
  const api = deps.api(address);
  const results = await runStops(sched, ctx, byId, (id, signal) => api.stopContainer(id, signal));
  if (toStop.length > 0) {
    try {
      const still = new Set(await deps.listJails(config.tools.jls, { timeoutMs: INVENTORY_TIMEOUT_MS }));
      for (const id of toStop) {
        const r = results.get(id)!;
        if (r.outcome === 'stopped' && still.has(id)) {
          results.set(id, { ...r, outcome: 'failed', reason: 'kleened answered, but its jail still runs' });
        }
      }
    } catch (err) {
      notes.push(`warning: cannot check that the jails are gone: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const ordered: ContainerResult[] = [
    ...problemResults(plan.problems, ctx),
    ...toStop.map((id) => results.get(id)!),
    ...plan.stopOrder.filter((id) => !jails.has(id)).map((id) => {
      const i = byId.get(id)!;
      return { id, name: i.name, entry: i.entry, outcome: 'not-running' } satisfies ContainerResult;
    }),
  ];
  const ok = ordered.every((r) => r.outcome === 'stopped' || r.outcome === 'not-running');
  return { command: 'stop', ok, results: ordered, notes };
}

/** What a stop needs to know of a container: its result's names and its dependencies (for the record). */
export interface StopItem {
  id: string;
  name: string;
  entry: string;
  depends: readonly string[];
}

/**
 * Runs the schedule: at most `sched.jobs` stops at once, a container's stop requested only once
 * every stop it waits for has ended (stopped, failed or timed out: a dependent that would not stop
 * must not keep its dependencies running through the shutdown), each cut at `sched.timeoutMs`
 * whether or not kleened gives up. Resolves with one result per id of `sched.order`; never rejects.
 */
export function runStops(sched: StopSchedule, ctx: Pick<HookContext, 'onEvent' | 't0'>, items: ReadonlyMap<string, StopItem>,
  stop: (id: string, signal: AbortSignal) => Promise<void>): Promise<Map<string, ContainerResult>> {
  const results = new Map<string, ContainerResult>();
  const unmet = new Map(sched.order.map((id) => [id, sched.waitsFor[id]!.length]));
  const waiters = new Map<string, string[]>();
  for (const id of sched.order) for (const w of sched.waitsFor[id]!) (waiters.get(w) ?? waiters.set(w, []).get(w)!).push(id);
  const rank = new Map(sched.order.map((id, k) => [id, k]));
  // Ready to go, in the schedule's order (the heads of the longest chains of stops first, then the stop order).
  const ready = sched.order.filter((id) => unmet.get(id) === 0);
  let inFlight = 0;
  const secs = +(sched.timeoutMs / 1000).toFixed(1);
  const why = sched.shortened
    ? `kleened did not stop it within ${secs} s (kleene_containers_stop_timeout=${sched.configuredTimeoutMs / 1000} s, shortened to fit rcshutdown_timeout)`
    : `kleened did not stop it within ${secs} s`;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (inFlight < sched.jobs && ready.length > 0) {
        const id = ready.shift()!;
        inFlight++;
        void one(id);
      }
      if (results.size === sched.order.length) resolve(results);
    };
    const one = async (id: string): Promise<void> => {
      const item = items.get(id)!;
      const b = { id, name: item.name, entry: item.entry };
      const t0 = monoMs();
      const { signal, clear } = deadline(sched.timeoutMs);
      ctx.onEvent({ type: 'stop-requested', id, name: b.name, at: since(ctx), depends: [...item.depends], waitedFor: sched.waitsFor[id]! });
      let r: ContainerResult;
      try {
        await untilAborted(stop(id, signal), signal);
        r = { ...b, outcome: 'stopped', ms: Math.round(monoMs() - t0) };
      } catch (err) {
        r = signal.aborted
          ? { ...b, outcome: 'timed-out', reason: why, ms: Math.round(monoMs() - t0) }
          : { ...b, outcome: 'failed', reason: err instanceof Error ? err.message : String(err), ms: Math.round(monoMs() - t0) };
      } finally {
        clear();
      }
      results.set(id, r);
      // Live progress: its line now; the jls check after the last stop may still correct it (a jail left running).
      ctx.onEvent({ type: 'stop-done', id, at: since(ctx) });
      ctx.onEvent({ type: 'outcome', id, name: b.name, at: since(ctx), result: r });
      inFlight--;
      for (const w of waiters.get(id) ?? []) {
        const left = unmet.get(w)! - 1;
        unmet.set(w, left);
        if (left === 0) {
          const at = ready.findIndex((x) => rank.get(x)! > rank.get(w)!);
          ready.splice(at < 0 ? ready.length : at, 0, w);
        }
      }
      pump();
    };
    pump();
  });
}

