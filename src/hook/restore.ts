// `restore`: wait (bounded) for kleened, take the inventory, plan, start, report.
import { planRestore } from '../plan/restore.ts';
import type { EntryProblem, Plan } from '../plan/types.ts';
import type { HookContext } from './context.ts';
import { executeRestore, type StartActions } from './execute.ts';
import { gatherInventory, INVENTORY_TIMEOUT_MS } from './inventory.ts';
import { sleep } from './sleep.ts';
import { RUNS, type ContainerResult } from './outcome.ts';
import { waitReady } from './ready.ts';
import type { Report } from './report.ts';

/** Results for rc.conf entries that are not names, name no container, or name several. */
export function problemResults(problems: EntryProblem[], ctx: HookContext): ContainerResult[] {
  return [
    ...ctx.badEntries.map((e): ContainerResult => ({ name: e, entry: e, outcome: 'unknown',
      reason: 'kleene_containers_list: not a container name or id' })),
    ...problems.map((p): ContainerResult => ({ name: p.entry, entry: p.entry, outcome: p.kind,
      reason: `${p.variable}: ${p.message}${p.hint ? ` (${p.hint})` : ''}` })),
  ];
}

/** A report where kleened could not be asked anything: every configured entry fails with the same reason. */
export function unreachableReport(command: string, ctx: HookContext, err: unknown): Report {
  const reason = err instanceof Error ? err.message : String(err);
  const results: ContainerResult[] = [...ctx.config.list, ...ctx.badEntries].map((e) => ({ name: e, entry: e, outcome: 'failed', reason }));
  return { command, ok: false, results, notes: [...ctx.notes, `error: ${reason}`] };
}

/** True when the configuration names nothing to restore (then kleened need not even be asked). */
export function nothingConfigured(ctx: HookContext): boolean {
  return ctx.config.list.length === 0 && !ctx.config.importOnStartup && ctx.badEntries.length === 0;
}

/** Restores the configured containers; resolves to the report (ok only when every one runs at the end); never rejects. */
export async function runRestore(ctx: HookContext): Promise<Report & { plan?: Plan }> {
  const { config, deps } = ctx;
  if (nothingConfigured(ctx)) return { command: 'restore', ok: true, results: [], notes: [...ctx.notes, 'nothing to restore: kleene_containers_list is empty'] };
  let plan: Plan;
  try {
    await deps.waitForApi(config.socket, config.waitTimeout * 1000);
    const inv = await gatherInventory(ctx, { volumes: true });
    plan = planRestore(config, inv, { rcshutdownTimeout: ctx.rcshutdownTimeout });
  } catch (err) {
    return unreachableReport('restore', ctx, err);
  }
  const api = deps.api(config.socket);
  const actions: StartActions = {
    start: (item, signal) => api.startContainer(item.id, signal),
    ready: (item, signal) => waitReady(item.ready, item.id, config.tools.jexec, deps, signal),
  };
  const started = await confirmStarts(ctx, await executeRestore(plan, actions, { jobs: config.jobs, startTimeoutMs: config.startTimeout * 1000 }));
  const results = [...problemResults(plan.problems, ctx), ...started];
  return { command: 'restore', ok: results.every((r) => RUNS.has(r.outcome)), results, notes: [...ctx.notes], plan };
}

/** How long, at most, confirmStarts waits for jails that kleened reported started. */
export const CONFIRM_TIMEOUT_MS = 3000;
const CONFIRM_POLL_MS = 200;

/**
 * Checks with jls that every container reported `started` has a jail. kleened closes the exec
 * start with 1001 as soon as `jail -c` is spawned (lib/core/exec.ex), so a jail that fails
 * right after never reaches the socket: without this, boot would say "started" for a container
 * that is not running. One jls call for all of them (a few more, bounded, while a jail is still
 * being created); a container whose jail never shows up is failed with the reason.
 */
export async function confirmStarts(ctx: HookContext, results: ContainerResult[]): Promise<ContainerResult[]> {
  const pending = () => results.filter((r) => r.outcome === 'started' && r.id !== undefined && !seen.has(r.id));
  const seen = new Set<string>();
  const deadline = Date.now() + Math.min(CONFIRM_TIMEOUT_MS, ctx.config.startTimeout * 1000);
  let lastError: string | undefined;
  while (pending().length > 0) {
    try {
      for (const j of await ctx.deps.listJails(ctx.config.tools.jls, { timeoutMs: INVENTORY_TIMEOUT_MS })) seen.add(j);
      lastError = undefined;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (pending().length === 0 || Date.now() + CONFIRM_POLL_MS > deadline) break;
    await sleep(CONFIRM_POLL_MS);
  }
  const missing = new Set(pending().map((r) => r.id));
  return results.map((r) => {
    if (!missing.has(r.id)) return r;
    // jls failing is no evidence that the jail is missing: keep kleened's word, say why unconfirmed.
    if (lastError !== undefined) return { ...r, reason: `not confirmed: ${lastError}` };
    return { ...r, outcome: 'failed', reason: `kleened reported the start, but no jail ${r.id} runs; see /var/log/kleened.log` };
  });
}
