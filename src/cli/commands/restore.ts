// `kleene-boot restore`: what boot runs (`hook.js restore`), for people. The configuration is
// rc.conf as rc(8) would read it for kleened and kleene_containers (by /bin/sh; under --root
// inside chroot(8), or read without running anything, see effective.ts), handed to the very code the boot hook runs. Also the factory for stop/check/plan.
import type { CommandModule } from 'yargs';
import { runHook } from '../../hook/main.ts';
import { KNOBS } from '../../model/knobs.ts';
import { LOCK_ENV } from '../../hook/lock.ts';
import { RECORD_DIR_ENV } from '../../hook/progress.ts';
import { recordDir } from '../../record/store.ts';
import { evaluateRc, warnNotRun, type RcEvaluation } from '../../rcconf/effective.ts';
import { hostPath } from '../root.ts';

export interface HookVerbArgs {
  root: string;
  json?: boolean;
  boot?: boolean;
  strict?: boolean;
}

/** rc.conf's variables for both services, as load_rc_config leaves them (kleene_containers' fragment wins on conflicts). */
export async function readRcVars(root: string): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  const evaluations: RcEvaluation[] = [];
  for (const service of ['kleened', 'kleene_containers'] as const) {
    const ev = await evaluateRc(service, { root });
    evaluations.push(ev);
    for (const [k, v] of ev.final) vars[k] = v;
  }
  // -R without chroot: say which lines were not run (nothing of the root runs on this host).
  warnNotRun(evaluations);
  return vars;
}

/**
 * rc.conf's variables with the host paths that name kleened (its socket and config) placed under
 * root: with -R DIR, the host's / is DIR for files and for kleened alike. Host tools (jls, zfs,
 * jexec) are still run from this machine's PATH entries as configured.
 */
export async function readHostVars(root: string): Promise<Record<string, string>> {
  const vars = await readRcVars(root);
  if (root === '/') return vars;
  for (const k of ['kleened_socket', 'kleened_config'] as const) {
    const v = vars[k] || KNOB_DEFAULTS[k];
    if (v.startsWith('/')) vars[k] = hostPath(root, v);
  }
  return vars;
}

const KNOB_DEFAULTS = {
  kleened_socket: knobDefault('kleened_socket'),
  kleened_config: knobDefault('kleened_config'),
};

function knobDefault(name: string): string {
  const k = KNOBS.find((x) => x.name === name);
  return String(k?.default ?? '').replace('{prefix}', '/usr/local');
}

/** One CLI verb that runs the boot hook's command of the same name on rc.conf's configuration. */
export function hookVerbCommand(verb: 'restore' | 'stop' | 'check' | 'plan', describe: string): CommandModule<object, HookVerbArgs> {
  return {
    command: verb,
    describe,
    builder: (y) => {
      const withJson = y.option('json', { type: 'boolean', describe: 'Print one JSON document' });
      // --boot only where it means something: an unknown option elsewhere is a usage error.
      return (verb === 'plan'
        ? withJson.option('boot', { type: 'boolean', describe: 'Plan as a boot from scratch would (no jail runs yet)' })
          .option('strict', { type: 'boolean', describe: 'Exit 1 when a container would not start (blocked, missing, kleened down); without it plan exits 0 once it printed its plan' })
        : withJson) as never;
    },
    handler: async (argv) => {
      // The hook takes kleened's socket, config and pidfile under the root itself.
      const vars = await readRcVars(argv.root);
      // restore and stop leave their record under the staged root too, where `report --root` reads it.
      const env: Record<string, string> = argv.root === '/' ? vars : { ...vars, [RECORD_DIR_ENV]: recordDir(argv.root) };
      // The lock file's override (lock.ts) reaches the CLI's runs as it reaches the hook's.
      const lockOverride = process.env[LOCK_ENV];
      if (lockOverride !== undefined) env[LOCK_ENV] = lockOverride;
      process.exitCode = await runHook([verb, ...(argv.json ? ['--json'] : []), ...(verb === 'plan' && argv.boot ? ['--boot'] : []), ...(verb === 'plan' && argv.strict ? ['--strict'] : [])], env, undefined, { root: argv.root });
    },
  };
}

export const restoreCommand = hookVerbCommand('restore',
  'Start the configured containers now, as boot does: dependencies first, checking jails and volumes');
