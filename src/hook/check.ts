// `check` (rc.d status) and `plan`: the inventory and the plan, no action.
import { planRestore, rcConfOnlyInventory } from '../plan/restore.ts';
import type { Plan } from '../plan/types.ts';
import type { HookContext } from './context.ts';
import { readyText } from './execute.ts';
import { gatherInventory } from './inventory.ts';
import { awaitKleened, KleenedUnavailable, resolveAddress } from './kleened-up.ts';
import { outcomeWord, type ContainerResult } from '../model/run.ts';
import type { Report } from './report.ts';
import { problemResults, unreachableReport } from './restore.ts';
import { QUICK_WAIT_MS } from './stop.ts';

export interface CheckReport extends Report {
  plan?: Plan;
  /** Set when kleened could not be asked: the plan is what rc.conf alone decides. */
  offline?: string;
  /** kleened could not be asked because a file exists that cannot be read: plan fails (exit 1). */
  unreadable?: boolean;
}

/**
 * Plans without acting. `check` is ok only when every configured container runs (rc.d status);
 * `plan` is ok when nothing is blocked, in a cycle, unknown or ambiguous. `boot`: plan as at
 * boot, from scratch (no jail runs yet). With kleened down, `plan` still shows what rc.conf alone
 * decides (order, waves, dependencies). Never rejects.
 */
export async function runCheck(ctx: HookContext, command = 'check', opts: { boot?: boolean } = {}): Promise<CheckReport> {
  const { config } = ctx;
  let plan: Plan;
  const asks = config.list.length > 0 || config.importOnStartup;
  try {
    if (asks) {
      const { address } = await resolveAddress(ctx);
      const containers = await awaitKleened(ctx, address, Math.min(config.waitTimeout * 1000, QUICK_WAIT_MS));
      const inv = await gatherInventory(ctx, address, containers, { volumes: true, boot: opts.boot ?? false });
      plan = planRestore(config, inv, { rcshutdownTimeout: ctx.rcshutdownTimeout, kleenedShutdownTimeout: ctx.kleenedShutdownTimeout });
    } else {
      plan = planRestore(config, { containers: [], jails: { ok: true, value: [] }, datasets: { ok: true, value: [] }, volumes: { ok: true, value: [] }, mounts: {} },
        { rcshutdownTimeout: ctx.rcshutdownTimeout, kleenedShutdownTimeout: ctx.kleenedShutdownTimeout });
    }
  } catch (err) {
    if (command === 'plan' && err instanceof KleenedUnavailable) {
      const offline = err.message;
      const p = planRestore(config, rcConfOnlyInventory(config), { rcshutdownTimeout: ctx.rcshutdownTimeout, kleenedShutdownTimeout: ctx.kleenedShutdownTimeout });
      return { command, ok: false, results: [], notes: [...ctx.notes], plan: p, offline, ...(err.unreadable ? { unreadable: true } : {}) };
    }
    return unreachableReport(command, ctx, err);
  }
  const results: ContainerResult[] = [
    ...problemResults(plan.problems, ctx),
    ...plan.items.map((i) => {
      const r: ContainerResult = { id: i.id, name: i.name, entry: i.entry,
        outcome: i.decision === 'start' ? 'would-start' : i.decision };
      if (i.reason !== undefined) r.reason = i.reason;
      return r;
    }),
  ];
  const ok = command === 'check'
    ? !ctx.configErrors && results.every((r) => r.outcome === 'running')
    : !ctx.configErrors && results.every((r) => r.outcome === 'would-start' || r.outcome === 'running' || r.outcome === 'kleened-starts');
  return { command, ok, results, notes: [...ctx.notes], plan };
}

/** The human form of `plan`: start waves, why each other container is where it is, the stop order and the budgets. */
export function planLines(plan: Plan, ctx: HookContext, results: ContainerResult[], opts: { offline?: string; boot?: boolean } = {}): string[] {
  const { config } = ctx;
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  // Offline, items are rc.conf's names (there are no ids to show).
  const label = (id: string): string => (opts.offline ? byId.get(id)!.name : `${byId.get(id)!.name} (${id})`);
  const out: string[] = [];
  if (opts.offline) {
    out.push(`kleened cannot be asked: ${opts.offline}`);
    out.push('what rc.conf alone decides (whether each container exists, runs or has its volumes is not known):');
  } else if (opts.boot) {
    out.push('as at boot, from scratch (no jail runs yet):');
  }
  if (plan.waves.length === 0) out.push('start: nothing to start');
  plan.waves.forEach((w, k) => {
    out.push(`wave ${k + 1}:`);
    for (const id of w) {
      const i = byId.get(id)!;
      const deps = i.depends.length ? `, after ${i.depends.map((d) => byId.get(d)?.name ?? d).join(' ')}` : '';
      const why = i.decision === 'kleened-starts' ? ', started by kleened itself (restart_policy on-startup; see kleene-boot adopt)'
        : i.source === 'import' ? ', restart_policy on-startup' : i.source === 'depend' ? ', pulled in as a dependency' : '';
      out.push(`  ${label(id)}: priority ${i.priority}, ready ${readyText(i)}${deps}${why}`);
    }
  });
  const rest = results.filter((r) => r.outcome !== 'would-start' && r.outcome !== 'kleened-starts');
  if (rest.length > 0) {
    out.push('not started:');
    for (const r of rest) out.push(`  ${r.id ? `${r.name} (${r.id})` : r.entry}: ${outcomeWord(r.outcome)}${r.reason ? `: ${r.reason}` : ''}`);
  }
  if (opts.offline) {
    const blocked = plan.items.filter((i) => i.decision !== 'start');
    if (blocked.length > 0) {
      out.push('not started:');
      for (const i of blocked) out.push(`  ${i.name}: ${outcomeWord(i.decision === 'start' ? 'would-start' : i.decision)}${i.reason ? `: ${i.reason}` : ''}`);
    }
  }
  out.push(`stop order: ${plan.stopOrder.length ? plan.stopOrder.map((id) => byId.get(id)!.name).join(', ') : 'nothing'}`);
  const b = plan.budget;
  out.push(`worst case start: ${b.startWorst} s (${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}, ${config.jobs} at once, ${config.startTimeout} s each)`);
  const secs = (ms: number): string => `${+(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const fits = b.stopWorst * 1000 <= b.stopBudgetMs;
  const cut = b.stopTimeoutMs < config.stopTimeout * 1000;
  out.push(`worst case stop: ${b.stopWorst} s (${+b.stopWaves.toFixed(2)} stop${b.stopWaves === 1 ? '' : 's'} one after another, ${b.stopJobs} at once, ${config.stopTimeout} s each)`
    + ` of the ${secs(b.stopBudgetMs)} rcshutdown_timeout=${b.rcshutdownTimeout} s leaves${fits ? ''
      : cut && b.stopWaves * b.stopTimeoutMs <= b.stopBudgetMs ? `: each stop would be cut at ${secs(b.stopTimeoutMs)}`
        : `: OVER BUDGET even at ${secs(b.stopTimeoutMs)} each, rc.shutdown may kill the rest`}`);
  return out;
}

/**
 * plan's exit status: it answered (a plan was printed, kleened down or not), so 0, and a `set -e`
 * script goes on; 1 when no plan could be made. "Something would not start" is an answer too:
 * only --strict makes it exit 1 (and `check` always does).
 */
export function planStatus(report: CheckReport, strict: boolean): number {
  if (!report.plan || report.unreadable) return 1;
  return strict && !report.ok ? 1 : 0;
}
