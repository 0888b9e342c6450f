// The registry of CLI commands: one yargs CommandModule per file, listed here.
import type { CommandModule } from 'yargs';
import { disableCommand } from './disable.ts';
import { enableCommand } from './enable.ts';
import { generateCommand } from './generate.ts';
import { rcCommand } from './rc.ts';
import { doctorCommand } from './doctor.ts';
import { installCommand } from './install.ts';
import { uninstallCommand } from './uninstall.ts';
import { restoreCommand } from './restore.ts';
import { stopCommand } from './stop.ts';
import { checkCommand } from './check.ts';
import { planCommand } from './plan.ts';
import { adoptCommand } from './adopt.ts';
import { reportCommand } from './report.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  generateCommand,
  installCommand,
  uninstallCommand,
  doctorCommand,
  rcCommand,
  enableCommand,
  disableCommand,
  restoreCommand,
  stopCommand,
  checkCommand,
  planCommand,
  adoptCommand,
  reportCommand,
];
