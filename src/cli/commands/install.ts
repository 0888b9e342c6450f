// `kleene-boot install`: one-time install on a host (or a staging root); see src/install/install.ts.
import type { CommandModule } from 'yargs';
import { runInstall } from '../../install/install.ts';
import { answeringCheck } from '../status.ts';

interface InstallArgs {
  root: string;
  prefix?: string;
  node?: string;
  enable?: boolean;
  'dry-run'?: boolean;
  diff?: boolean;
  force?: boolean;
}

export const installCommand: CommandModule<object, InstallArgs> = {
  command: 'install',
  builder: (y) =>
    y
      .option('prefix', { type: 'string', describe: 'Installation prefix on the host [default: as installed, else /usr/local]' })
      .option('node', { type: 'string', describe: 'Node.js on the host [default: as installed, else PREFIX/bin/node]' })
      .option('enable', { type: 'boolean', describe: 'Set kleened_enable=YES and kleene_containers_enable=YES where rc(8) reads each last (the file already setting it, else /etc/rc.conf.d/<service>)' })
      .option('dry-run', { type: 'boolean', describe: 'Print one line per file (would write, would replace, unchanged) and the rc.conf changes; write nothing' })
      .option('diff', { type: 'boolean', describe: 'As --dry-run, with the text diffs of the rc.d scripts and rc.conf (never of the bundles); exit 0 when nothing would change, 1 when something would, 2 on trouble' })
      .option('force', { type: 'boolean', describe: 'Replace installed files that changed since install' }) as never,
  handler: async (argv) => {
    if (argv.diff) answeringCheck();
    process.exitCode = await runInstall({
      root: argv.root,
      prefix: argv.prefix,
      node: argv.node,
      enable: argv.enable,
      dryRun: argv['dry-run'],
      diff: argv.diff,
      force: argv.force,
    }, { out: (l) => process.stdout.write(`${l}\n`) });
  },
};
