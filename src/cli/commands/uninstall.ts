// `kleene-boot uninstall`: undo exactly what install recorded; see src/install/uninstall.ts.
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { runUninstall } from '../../install/uninstall.ts';
import { validatePathOption } from '../../render/options.ts';

interface UninstallArgs {
  root: string;
  'dry-run'?: boolean;
  force?: boolean;
}

export const uninstallCommand: CommandModule<object, UninstallArgs> = {
  command: 'uninstall',
  describe: "Remove what install wrote, put back the port's rc.d/kleened and the previous rc.conf values",
  builder: (y) =>
    y
      .option('root', { alias: 'R', type: 'string', default: '/', describe: 'Work under this directory (a staging root)' })
      .option('dry-run', { type: 'boolean', describe: 'Say what would be removed or restored; change nothing' })
      .option('force', { type: 'boolean', describe: 'Also remove files changed since install' }),
  handler: async (argv) => {
    process.exitCode = await runUninstall({
      root: validatePathOption('root', resolve(argv.root)),
      dryRun: argv['dry-run'],
      force: argv.force,
    }, { out: (l) => process.stdout.write(`${l}\n`) });
  },
};
