// `stop`: stop the configured containers that run, one at a time in the exact reverse of the
// start order (dependents before what they depend on), each bounded by the stop timeout, then
// check with one jls call that their jails are really gone (as rc.d/jail does with jls -j).
import { planRestore } from '../plan/restore.ts';
import { since, type HookContext } from './context.ts';
import { INVENTORY_TIMEOUT_MS, gatherInventory } from './inventory.ts';
import { awaitKleened, KleenedUnavailable, resolveAddress } from './kleened-up.ts';
import type { ContainerResult } from '../model/run.ts';
import type { Report } from './report.ts';
import { deadline } from './sleep.ts';
import { nothingConfigured, problemResults, unreachableReport } from './restore.ts';

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
    plan = planRestore(config, inv, { rcshutdownTimeout: ctx.rcshutdownTimeout });
  } catch (err) {
    // Nothing can be stopped through kleened; jails outlive it (FACTS), so whatever runs keeps running.
    return unreachableReport('stop', ctx, err, err instanceof KleenedUnavailable ? '; its jail, if it runs, keeps running' : '');
  }
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  const toStop = plan.stopOrder.filter((id) => jails.has(id));
  const worst = toStop.length * config.stopTimeout;
  if (worst > ctx.rcshutdownTimeout) {
    notes.push(`warning: stopping ${toStop.length} containers may take up to ${worst} s, more than rcshutdown_timeout (${ctx.rcshutdownTimeout} s): rc.shutdown may kill the rest (lower kleene_containers_stop_timeout or raise rcshutdown_timeout)`);
  }
  const api = deps.api(address);
  const results = new Map<string, ContainerResult>();
  for (const id of toStop) {
    const item = byId.get(id)!;
    const base = { id, name: item.name, entry: item.entry };
    const t0 = Date.now();
    const { signal, clear } = deadline(config.stopTimeout * 1000);
    ctx.onEvent({ type: 'stop-requested', id, name: item.name, at: since(ctx) });
    try {
      await api.stopContainer(id, signal);
      results.set(id, { ...base, outcome: 'stopped', ms: Date.now() - t0 });
    } catch (err) {
      results.set(id, signal.aborted
        ? { ...base, outcome: 'timed-out', reason: `kleened did not stop it within ${config.stopTimeout} s`, ms: Date.now() - t0 }
        : { ...base, outcome: 'failed', reason: err instanceof Error ? err.message : String(err), ms: Date.now() - t0 });
    } finally {
      clear();
    }
    // Live progress: its line now; the jls check below may still correct it (a jail left running).
    ctx.onEvent({ type: 'stop-done', id, at: since(ctx) });
    ctx.onEvent({ type: 'outcome', id, name: item.name, at: since(ctx), result: results.get(id)! });
  }
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
