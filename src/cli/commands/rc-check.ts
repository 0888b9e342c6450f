// `kleene-boot rc check NAME=VALUE...` (sysrc -c): exit 0 when nothing would change, 1 when it would.
import type { CommandModule } from 'yargs';
import { parseEditArg, showValue, withCommonRcOptions, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface CheckArgs extends CommonRcArgs {
  assignments: string[];
  verbose?: boolean;
}

export const rcCheckCommand: CommandModule<object, CheckArgs> = {
  command: 'check <assignments..>',
  describe: 'Exit 0 when the files already say this, 1 when rc set would change something',
  builder: (y) =>
    withCommonRcOptions(y)
      .positional('assignments', { type: 'string', array: true, demandOption: true })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'Say what would change' }) as never,
  handler: async (argv) => {
    const edits = argv.assignments.map((a) => parseEditArg(String(a)));
    const r = await applyEdits(edits, { root: argv.root, file: argv.file, service: argv.service, dryRun: true });
    if (argv.verbose) {
      for (const c of r.changes) {
        process.stdout.write(`${c.name}: would change from ${showValue(c.before)} to ${showValue(c.after)} in ${c.file}\n`);
      }
    }
    process.exitCode = r.changed ? 1 : 0;
  },
};
