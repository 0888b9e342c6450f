// `check` and `plan`: the inventory and the plan, no action.
import { planRestore } from '../plan/restore.ts';
import type { Plan } from '../plan/types.ts';
import type { HookContext } from './context.ts';
import { readyText } from './execute.ts';
import { gatherInventory } from './inventory.ts';
import type { ContainerResult } from './outcome.ts';
import { outcomeWord, type Report } from './report.ts';
import { problemResults, unreachableReport } from './restore.ts';
import { QUICK_WAIT_MS } from './stop.ts';

/** Plans without acting; ok when nothing is blocked, in a cycle, unknown or ambiguous. Never rejects. */
export async function runCheck(ctx: HookContext, command = 'check'): Promise<Report & { plan?: Plan }> {
  const { config, deps } = ctx;
  let plan: Plan;
  try {
    if (config.list.length > 0 || config.importOnStartup) {
      await deps.waitForApi(config.socket, Math.min(config.waitTimeout * 1000, QUICK_WAIT_MS));
    }
    const inv = config.list.length > 0 || config.importOnStartup
      ? await gatherInventory(ctx, { volumes: true })
      : { containers: [], jails: { ok: true as const, value: [] }, datasets: { ok: true as const, value: [] }, volumes: { ok: true as const, value: [] }, mounts: {} };
    plan = planRestore(config, inv, { rcshutdownTimeout: ctx.rcshutdownTimeout });
  } catch (err) {
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
  const ok = !ctx.configErrors && results.every((r) => r.outcome === 'would-start' || r.outcome === 'running');
  return { command, ok, results, notes: [...ctx.notes], plan };
}

/** The human form of `plan`: start waves, why each other container is where it is, the stop order and the budgets. */
export function planLines(plan: Plan, ctx: HookContext, results: ContainerResult[]): string[] {
  const { config } = ctx;
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  const label = (id: string): string => `${byId.get(id)!.name} (${id})`;
  const out: string[] = [];
  if (plan.waves.length === 0) out.push('start: nothing to start');
  plan.waves.forEach((w, k) => {
    out.push(`wave ${k + 1}:`);
    for (const id of w) {
      const i = byId.get(id)!;
      const deps = i.depends.length ? `, after ${i.depends.map((d) => byId.get(d)?.name ?? d).join(' ')}` : '';
      const why = i.source === 'import' ? ', restart_policy on-startup' : i.source === 'depend' ? ', pulled in as a dependency' : '';
      out.push(`  ${label(id)}: priority ${i.priority}, ready ${readyText(i)}${deps}${why}`);
    }
  });
  const rest = results.filter((r) => r.outcome !== 'would-start');
  if (rest.length > 0) {
    out.push('not started:');
    for (const r of rest) out.push(`  ${r.id ? `${r.name} (${r.id})` : r.entry}: ${outcomeWord(r.outcome)}${r.reason ? `: ${r.reason}` : ''}`);
  }
  out.push(`stop order: ${plan.stopOrder.length ? plan.stopOrder.map((id) => byId.get(id)!.name).join(', ') : 'nothing'}`);
  const b = plan.budget;
  out.push(`worst case start: ${b.startWorst} s (${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}, ${config.jobs} at once, ${config.startTimeout} s each)`);
  out.push(`worst case stop: ${b.stopWorst} s (${config.stopTimeout} s each) of rcshutdown_timeout ${b.rcshutdownTimeout} s${b.stopWorst > b.rcshutdownTimeout ? ': OVER BUDGET, rc.shutdown may kill the rest' : ''}`);
  return out;
}
