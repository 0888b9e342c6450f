// `kleene-boot plan`: the start waves, why each container is where it is, the stop order and
// the worst-case times against the budgets; `--dot` prints the dependency graph for Graphviz.
import type { Argv, CommandModule } from 'yargs';
import { contextFromEnv } from '../../hook/context.ts';
import { defaultDeps } from '../../hook/deps.ts';
import { runPlanDot } from '../../hook/plan-dot.ts';
import { hookVerbCommand, readRcVars, type HookVerbArgs } from './restore.ts';

const base = hookVerbCommand('plan',
  'Show the start waves, the reasons, the stop order and the worst-case start and stop times');

export const planCommand: CommandModule<object, HookVerbArgs & { dot?: boolean }> = {
  ...base,
  builder: (y) => (base.builder as (y: Argv) => Argv)(y)
    .option('dot', { type: 'boolean', conflicts: 'json', describe: 'Print the dependency graph in Graphviz DOT (kleene-boot plan --dot | dot -Tsvg > plan.svg)' }) as never,
  handler: async (argv) => {
    if (!argv.dot) return base.handler(argv as never);
    process.exitCode = await runPlanDot(contextFromEnv(await readRcVars(argv.root), defaultDeps(), { root: argv.root }), { boot: argv.boot ?? false, strict: argv.strict ?? false });
  },
};
