// `kleene-boot rc check NAME=VALUE...` (sysrc -c): exit 0 when nothing would change, 1 when it would.
import type { CommandModule } from 'yargs';
import { parseEditArg, refuseSysrcFlags, showValue, textToBytes, withCommonRcOptions, withSysrcFlags, writeBytes, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface CheckArgs extends CommonRcArgs {
  assignments: string[];
  verbose?: boolean;
}

export const rcCheckCommand: CommandModule<object, CheckArgs> = {
  command: 'check <assignments..>',
  describe: 'Exit 0 when the files already say this, 1 when rc set would change something',
  builder: (y) =>
    withSysrcFlags(withCommonRcOptions(y), ['x', 'a', 'e'])
      .positional('assignments', { type: 'string', array: true, demandOption: true })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'Say what would change' }) as never,
  handler: async (argv) => {
    refuseSysrcFlags(argv as unknown as Record<string, unknown>, 'rc check');
    const edits = argv.assignments.map((a) => parseEditArg(String(a)));
    const r = await applyEdits(edits, { root: argv.root, file: argv.file, service: argv.service, dryRun: true });
    if (argv.verbose) {
      for (const c of r.changes) {
        writeBytes(process.stdout, `${c.name}: would change from ${showValue(c.before)} to ${showValue(c.after)} in ${textToBytes(c.file)}\n`);
      }
    }
    process.exitCode = r.changed ? 1 : 0;
  },
};
