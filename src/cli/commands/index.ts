// The registry of CLI commands. Each command is one yargs CommandModule in its own file, loaded
// only when it is the command being run (a dynamic import: `generate` never loads the rc.conf
// editor, `rc set` never loads handlebars, execa or the hook), so the CLI starts fast.
//
// To add a command: write commands/NAME.ts exporting a CommandModule (builder + handler; its
// options need not repeat -R, which main.ts declares for all), then add one entry below with the
// same `command` string and a one-line `describe` (what `kleene-boot --help` lists without
// loading the module).
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

export interface CommandEntry {
  /** yargs command string: name and positionals, e.g. `enable [service]`. */
  command: string;
  describe: string;
  load: () => Promise<AnyCommand>;
}

export const commands: CommandEntry[] = [
  { command: 'generate', describe: 'Render rc.d/kleened, rc.d/kleene_containers and the boot hook into ROOT/PREFIX',
    load: async () => (await import('./generate.ts')).generateCommand },
  { command: 'install', describe: 'Install the rc.d scripts, hook, CLI and man page, recording them in a manifest (--enable: also enable both services)',
    load: async () => (await import('./install.ts')).installCommand },
  { command: 'uninstall', describe: "Remove what install wrote, put back the port's rc.d/kleened and the previous rc.conf values",
    load: async () => (await import('./uninstall.ts')).uninstallCommand },
  { command: 'doctor', describe: 'Find drift (a package put its rc.d script back, half-enabled services, missing node, boot order) and say how to fix it',
    load: async () => (await import('./doctor.ts')).doctorCommand },
  { command: 'pkg-trigger', describe: "Run by kleene-boot's pkg trigger: put kleene-boot's rc.d/kleened back after a package reinstalled the port's",
    load: async () => (await import('./pkg-trigger.ts')).pkgTriggerCommand },
  { command: 'daily', describe: 'The periodic(8) daily report: listed containers not running, the last restore\'s failures, doctor\'s problems; silent when all is well',
    load: async () => (await import('./daily.ts')).dailyCommand },
  { command: 'rc <command>', describe: 'Read, edit and lint rc.conf like sysrc(8)',
    load: async () => (await import('./rc.ts')).rcCommand },
  { command: 'enable <service>', describe: "Set <service>_enable=YES (as service NAME enable) where rc(8) reads it last: the file already setting it (sysrc's rule), else /etc/rc.conf.d/<service>",
    load: async () => (await import('./enable.ts')).enableCommand },
  { command: 'disable <service>', describe: "Set <service>_enable=NO (as service NAME disable) where rc(8) reads it last: the file already setting it (sysrc's rule), else /etc/rc.conf.d/<service>",
    load: async () => (await import('./disable.ts')).disableCommand },
  { command: 'restore', describe: 'Start the configured containers now, as boot does: dependencies first, checking jails and volumes',
    load: async () => (await import('./restore.ts')).restoreCommand },
  { command: 'stop', describe: 'Stop the configured containers that run, dependents first, each bounded by kleene_containers_stop_timeout',
    load: async () => (await import('./stop.ts')).stopCommand },
  { command: 'check', describe: 'Check the configured containers without acting: exit 1 when one is blocked, missing or ambiguous',
    load: async () => (await import('./check.ts')).checkCommand },
  { command: 'plan', describe: 'Show the start waves, the reasons, the stop order and the worst-case start and stop times',
    load: async () => (await import('./plan.ts')).planCommand },
  { command: 'adopt', describe: "Move kleened's on-startup containers into kleene_containers_list and set their restart_policy to no",
    load: async () => (await import('./adopt.ts')).adoptCommand },
  { command: 'report', describe: 'Show what the last restore or stop did: blame, the critical chain, where the time went; --svg draws the timeline',
    load: async () => (await import('./report.ts')).reportCommand },
];

/** The name a command is typed as (first word of its command string). */
export function commandName(e: CommandEntry): string {
  return e.command.split(' ')[0]!;
}

/** The command `argv` runs: its first word (before `--`) that names a command; undefined for none. */
export function wantedCommand(argv: readonly string[], names: ReadonlySet<string> = new Set(commands.map(commandName))): string | undefined {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).find((a) => names.has(a));
}
