// `kleene-boot rc set NAME=VALUE|NAME+=ITEM|NAME-=ITEM...`: sysrc's edit, see src/rcconf/editor.ts.
import type { CommandModule } from 'yargs';
import { formatChange, parseEditArg, withCommonRcOptions, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface SetArgs extends CommonRcArgs {
  assignments: string[];
  'dry-run'?: boolean;
}

export const rcSetCommand: CommandModule<object, SetArgs> = {
  command: 'set <assignments..>',
  describe: 'Set variables (NAME=VALUE), or add/remove one list item (NAME+=ITEM, NAME-=ITEM), as sysrc does',
  builder: (y) =>
    withCommonRcOptions(y)
      .positional('assignments', { type: 'string', array: true, demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'Print the unified diff; write nothing' }) as never,
  handler: async (argv) => {
    const edits = argv.assignments.map((a) => parseEditArg(String(a)));
    const r = await applyEdits(edits, { root: argv.root, file: argv.file, service: argv.service, dryRun: argv['dry-run'] });
    for (const w of r.warnings) process.stderr.write(`kleene-boot: warning: ${w}\n`);
    for (const n of r.notes) process.stderr.write(`kleene-boot: note: ${n}\n`);
    if (argv['dry-run']) {
      process.stdout.write(r.diff);
      return;
    }
    for (const c of r.changes) process.stdout.write(`${formatChange(c)}\n`);
  },
};
