// The registry of CLI commands: one yargs CommandModule per file, listed here.
import type { CommandModule } from 'yargs';
import { generateCommand } from './generate.ts';
import { installCommand } from './install.ts';
import { uninstallCommand } from './uninstall.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  generateCommand,
  installCommand,
  uninstallCommand,
];
