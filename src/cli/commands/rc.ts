// `kleene-boot rc <get|show|set|unset|check|lint|apply>`: rc.conf, read as rc(8) reads it and edited
// as sysrc(8) edits it (src/rcconf).
import type { CommandModule } from 'yargs';
import { rcApplyCommand } from './rc-apply.ts';
import { rcCheckCommand } from './rc-check.ts';
import { rcGetCommand } from './rc-get.ts';
import { rcLintCommand } from './rc-lint.ts';
import { rcSetCommand } from './rc-set.ts';
import { rcShowCommand } from './rc-show.ts';
import { rcUnsetCommand } from './rc-unset.ts';

export const rcCommand: CommandModule<object, object> = {
  command: 'rc <command>',
  describe: 'Read, edit and lint rc.conf like sysrc(8)',
  builder: (y) =>
    y
      .command(rcGetCommand as CommandModule<object, object>)
      .command(rcShowCommand as CommandModule<object, object>)
      .command(rcSetCommand as CommandModule<object, object>)
      .command(rcUnsetCommand as CommandModule<object, object>)
      .command(rcCheckCommand as CommandModule<object, object>)
      .command(rcLintCommand as CommandModule<object, object>)
      .command(rcApplyCommand as CommandModule<object, object>)
      .demandCommand(1, 'name an rc command: get, show, set, unset, check, lint or apply'),
  handler: () => {},
};
