// `kleene-boot rc unset NAME...`: remove every assignment of NAME from the files rc(8) reads for
// it (sysrc -x), so the default applies again.
import type { CommandModule } from 'yargs';
import { formatChange, withCommonRcOptions, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface UnsetArgs extends CommonRcArgs {
  names: string[];
  'dry-run'?: boolean;
}

export const rcUnsetCommand: CommandModule<object, UnsetArgs> = {
  command: 'unset <names..>',
  describe: 'Remove variables from rc.conf files (sysrc -x); the default applies again',
  builder: (y) =>
    withCommonRcOptions(y)
      .positional('names', { type: 'string', array: true, demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'Print the unified diff; write nothing' }) as never,
  handler: async (argv) => {
    const names = argv.names.map(String);
    const r = await applyEdits(names.map((name) => ({ op: 'unset' as const, name })),
      { root: argv.root, file: argv.file, service: argv.service, dryRun: argv['dry-run'] });
    if (argv['dry-run']) {
      process.stdout.write(r.diff);
      return;
    }
    for (const c of r.changes) process.stdout.write(`${formatChange(c)} (${c.file}:${c.line})\n`);
    for (const n of names) {
      if (!r.changes.some((c) => c.name === n)) process.stderr.write(`kleene-boot: ${n}: not set in any file rc(8) reads for it\n`);
    }
  },
};
