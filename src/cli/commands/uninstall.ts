// `kleene-boot uninstall`: undo exactly what install recorded; see src/install/uninstall.ts.
import type { CommandModule } from 'yargs';
import { runUninstall } from '../../install/uninstall.ts';

interface UninstallArgs {
  root: string;
  'dry-run'?: boolean;
  force?: boolean;
}

export const uninstallCommand: CommandModule<object, UninstallArgs> = {
  command: 'uninstall',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', describe: 'Say what would be removed or restored; change nothing' })
      .option('force', { type: 'boolean', describe: 'Also remove files changed since install' }) as never,
  handler: async (argv) => {
    process.exitCode = await runUninstall({
      root: argv.root,
      dryRun: argv['dry-run'],
      force: argv.force,
    }, { out: (l) => process.stdout.write(`${l}\n`) });
  },
};
