// `plan --dot` (hook.js and kleene-boot): the plan's dependency graph as Graphviz DOT on stdout,
// for `kleene-boot plan --dot | dot -Tsvg > plan.svg`. With kleened down, the graph is what
// rc.conf alone decides (titled so) and the reason goes to stderr; when no plan at all could be
// made, stdout stays empty, so a pipe into dot draws nothing wrong.
import { planDot } from '../report/dot.ts';
import { planStatus, runCheck } from './check.ts';
import type { HookContext } from './context.ts';
import { reportLines } from './report.ts';

/** Prints the DOT graph; resolves to the exit status `plan` has (main.ts planStatus: 0 once a graph was printed). */
export async function runPlanDot(ctx: HookContext, opts: { boot?: boolean; strict?: boolean } = {}): Promise<number> {
  const report = await runCheck(ctx, 'plan', { boot: opts.boot ?? false });
  if (!report.plan) {
    ctx.deps.stderr(reportLines(report).join('\n') + '\n');
    return 1;
  }
  for (const n of report.notes) ctx.deps.stderr(`${n}\n`);
  if (report.offline) ctx.deps.stderr(`kleened cannot be asked: ${report.offline}; the graph shows what rc.conf alone decides\n`);
  ctx.deps.stdout(planDot(report.plan, { offline: report.offline !== undefined }));
  return planStatus(report, opts.strict ?? false);
}
