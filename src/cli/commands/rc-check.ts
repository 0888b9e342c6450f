// `kleene-boot rc check NAME=VALUE...` (sysrc -c): exit 0 when nothing would change, 1 when it
// would (diff(1)'s convention, as every check and diff of kleene-boot), 2 or more on trouble.
// As sysrc -c, a value is compared with the one rc(8) reads now, /etc/defaults/rc.conf included:
// `rc check rc_debug=NO` with the default NO changes nothing.
import type { CommandModule } from 'yargs';
import { parseEditArg, quoteForCheck, refuseSysrcFlags, textToBytes, withCommonRcOptions, withSysrcFlags, writeBytes, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';
import { answeringCheck, WOULD_CHANGE } from '../status.ts';

interface CheckArgs extends CommonRcArgs {
  assignments: string[];
  verbose?: boolean;
}

export const rcCheckCommand: CommandModule<object, CheckArgs> = {
  command: 'check <assignments..>',
  describe: 'Exit 0 when rc(8) already reads these values, 1 when rc set would change something, 2 on trouble (sysrc -c)',
  builder: (y) =>
    withSysrcFlags(withCommonRcOptions(y), ['x', 'a', 'e'])
      .positional('assignments', { type: 'string', array: true, demandOption: true })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'Say what would change' }) as never,
  handler: async (argv) => {
    answeringCheck();
    refuseSysrcFlags(argv as unknown as Record<string, unknown>, 'rc check');
    const edits = argv.assignments.map((a) => parseEditArg(String(a)));
    const r = await applyEdits(edits, { root: argv.root, file: argv.file, service: argv.service, dryRun: true });
    // rc set writes an assignment even when rc(8) already reads that value from the defaults
    // (sysrc does too); for check, what rc(8) reads is what counts.
    const changes = r.changes.filter((c) => c.before !== c.after);
    if (argv.verbose) {
      for (const c of changes) {
        writeBytes(process.stdout, `${c.name}: would change from ${quoteForCheck(c.before)} to ${quoteForCheck(c.after)} in ${textToBytes(c.file)}\n`);
      }
    }
    process.exitCode = changes.length > 0 ? WOULD_CHANGE : 0;
  },
};
