// `plan --dot` (hook.js and kleene-boot): the plan's dependency graph as Graphviz DOT on stdout,
// for `kleene-boot plan --dot | dot -Tsvg > plan.svg`. When no plan could be made (kleened down),
// the reasons go to stderr and stdout stays empty, so a pipe into dot draws nothing wrong.
import { planDot } from '../report/dot.ts';
import { runCheck } from './check.ts';
import type { HookContext } from './context.ts';
import { reportLines } from './report.ts';

/** Prints the DOT graph; resolves to the exit status `plan` would have (0 when nothing is blocked or missing). */
export async function runPlanDot(ctx: HookContext, opts: { boot?: boolean } = {}): Promise<number> {
  const report = await runCheck(ctx, 'plan', { boot: opts.boot ?? false });
  if (!report.plan) {
    ctx.deps.stderr(reportLines(report).join('\n') + '\n');
    return 1;
  }
  for (const n of report.notes) ctx.deps.stderr(`${n}\n`);
  ctx.deps.stdout(planDot(report.plan));
  return report.ok ? 0 : 1;
}
