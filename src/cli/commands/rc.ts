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

/** The rc subcommands, in the order --help lists them (the man page test reads their options too). */
export const rcSubcommands = [rcGetCommand, rcShowCommand, rcSetCommand, rcUnsetCommand, rcCheckCommand, rcLintCommand, rcApplyCommand] as unknown as CommandModule<object, object>[];

export const rcCommand: CommandModule<object, object> = {
  command: 'rc <command>',
  describe: 'Read, edit and lint rc.conf like sysrc(8)',
  builder: (y) =>
    rcSubcommands.reduce((acc, c) => acc.command(c), y)
      .demandCommand(1, 'name an rc command: get, show, set, unset, check, lint or apply'),
  handler: () => {},
};
