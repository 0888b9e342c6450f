// `kleene-boot restore`: what boot runs (`hook.js restore`), for people. The configuration is
// rc.conf as rc(8) would read it for kleened and kleene_containers (evaluated by /bin/sh, under
// --root), handed to the very code the boot hook runs. Also the factory for stop/check/plan.
import type { CommandModule } from 'yargs';
import { runHook } from '../../hook/main.ts';
import { RECORD_DIR_ENV } from '../../hook/progress.ts';
import { recordDir } from '../../record/store.ts';
import { evaluateRc } from '../../rcconf/effective.ts';

export interface HookVerbArgs {
  root: string;
  json?: boolean;
  boot?: boolean;
}

/** rc.conf's variables for both services, as load_rc_config leaves them (kleene_containers' fragment wins on conflicts). */
export async function readRcVars(root: string): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (const service of ['kleened', 'kleene_containers'] as const) {
    const ev = await evaluateRc(service, { root });
    for (const [k, v] of ev.final) vars[k] = v;
  }
  return vars;
}

/** One CLI verb that runs the boot hook's command of the same name on rc.conf's configuration. */
export function hookVerbCommand(verb: 'restore' | 'stop' | 'check' | 'plan', describe: string): CommandModule<object, HookVerbArgs> {
  return {
    command: verb,
    describe,
    builder: (y) =>
      y
        .option('root', { alias: 'R', type: 'string', default: '/', describe: 'Read rc.conf from a host image staged under this directory' })
        .option('json', { type: 'boolean', describe: 'Print one JSON document' })
        .option('boot', { type: 'boolean', hidden: verb !== 'plan', describe: 'Plan as a boot from scratch would (no jail runs yet)' }) as never,
    handler: async (argv) => {
      const vars = await readRcVars(argv.root);
      // restore and stop leave their record under the staged root too, where `report --root` reads it.
      const env = argv.root === '/' ? vars : { ...vars, [RECORD_DIR_ENV]: recordDir(argv.root) };
      process.exitCode = await runHook([verb, ...(argv.json ? ['--json'] : []), ...(verb === 'plan' && argv.boot ? ['--boot'] : [])], env);
    },
  };
}

export const restoreCommand = hookVerbCommand('restore',
  'Start the configured containers now, as boot does: dependencies first, checking jails and volumes');
