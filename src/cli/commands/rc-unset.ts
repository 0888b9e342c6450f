// `kleene-boot rc unset NAME...`: remove every assignment of NAME from the files rc(8) reads for
// it (sysrc -x), so the default applies again.
import type { CommandModule } from 'yargs';
import { formatChange, refuseSysrcFlags, withCommonRcOptions, withSysrcFlags, writeBytes, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface UnsetArgs extends CommonRcArgs {
  names: string[];
  'dry-run'?: boolean;
}

export const rcUnsetCommand: CommandModule<object, UnsetArgs> = {
  command: 'unset <names..>',
  describe: 'Remove variables from rc.conf files (sysrc -x); the default applies again',
  builder: (y) =>
    withSysrcFlags(withCommonRcOptions(y), ['a', 'e', 'c'])
      .positional('names', { type: 'string', array: true, demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'Print the unified diff; write nothing' }) as never,
  handler: async (argv) => {
    refuseSysrcFlags(argv as unknown as Record<string, unknown>, 'rc unset');
    const names = argv.names.map(String);
    const r = await applyEdits(names.map((name) => ({ op: 'unset' as const, name })),
      { root: argv.root, file: argv.file, service: argv.service, dryRun: argv['dry-run'] });
    if (argv['dry-run']) {
      writeBytes(process.stdout, r.diff);
      return;
    }
    writeBytes(process.stdout, r.changes.map((c) => `${formatChange(c, true)}\n`).join(''));
    for (const u of r.unchanged) {
      process.stderr.write(`kleene-boot: ${u.name}: not set in ${argv.file !== undefined ? u.file : 'any file rc(8) reads for it'}\n`);
    }
  },
};
