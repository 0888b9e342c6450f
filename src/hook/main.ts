// The boot hook's entry: `hook.js restore|stop|check|plan [--json]` and
// `hook.js wait-api --socket PATH --timeout SECONDS`, run by the rc.d scripts with rc.conf's
// variables in the environment. Imports nothing heavy (no yargs, no handlebars): it is bundled
// alone into dist/hook.js and runs at boot with no node_modules.
import type { VarMap } from '../model/config.ts';
import { parseWhole } from '../model/config.ts';
import { closeKleenedConnections } from '../kleened/http.ts';
import { planLines, runCheck, type CheckReport } from './check.ts';
import { contextFromEnv, since, type HookContext } from './context.ts';
import type { RunEvent } from './events.ts';
import { resolveAddress } from './kleened-up.ts';
import { defaultDeps, type HookDeps } from './deps.ts';
import { reportJson, reportLines } from './report.ts';
import { runRestore } from './restore.ts';
import { runStop } from './stop.ts';

/** syslog tag of the boot report (logger -t). */
export const LOG_TAG = 'kleene_containers';

const USAGE = `usage: hook.js restore|stop|check [--json]
       hook.js plan [--boot] [--json]
       hook.js wait-api [--socket PATH | --config FILE] --timeout SECONDS [--verbose]`;

export interface RunHookOptions {
  /** The host's / (files and a unix socket are read under it); '/' by default. */
  root?: string;
  /** Progress events of the run (events.ts). */
  onEvent?: (e: RunEvent) => void;
}

/** Runs one hook command; resolves to the process exit status (0 ok, 1 failed, 2 usage); never rejects. */
export async function runHook(argv: readonly string[], env: VarMap, deps: HookDeps = defaultDeps(), opts: RunHookOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  const usage = (msg: string): number => {
    deps.stderr(`hook: ${msg}\n${USAGE}\n`);
    return 2;
  };
  if (command === 'wait-api') return waitApi(rest, env, deps, usage, opts);
  if (command !== 'restore' && command !== 'stop' && command !== 'check' && command !== 'plan') {
    return usage(command === undefined ? 'name a command' : `unknown command '${command}'`);
  }
  let json = false;
  let boot = false;
  for (const a of rest) {
    if (a === '--json') json = true;
    else if (a === '--boot' && command === 'plan') boot = true;
    else return usage(`unknown option '${a}' for ${command}`);
  }
  const ctx = contextFromEnv(env, deps, opts);
  try {
    return await runCommand(command, ctx, json, boot);
  } catch (err) {
    // Every run* resolves with a report; this is the last guard so boot always gets a line.
    deps.stderr(`hook: ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeKleenedConnections();
  }
}

async function runCommand(command: 'restore' | 'stop' | 'check' | 'plan', ctx: HookContext, json: boolean, boot: boolean): Promise<number> {
  const { deps } = ctx;
  let report: CheckReport;
  if (command === 'restore') report = await runRestore(ctx);
  else if (command === 'stop') report = await runStop(ctx);
  else report = await runCheck(ctx, command, { boot });
  ctx.onEvent({ type: 'run-done', at: since(ctx), ok: report.ok });

  if (json) {
    const extra = command === 'plan' && report.plan
      ? { plan: { waves: report.plan.waves, stopOrder: report.plan.stopOrder, budget: report.plan.budget, items: report.plan.items },
        ...(report.offline ? { offline: report.offline } : {}), boot }
      : {};
    deps.stdout(reportJson(report, extra) + '\n');
  } else if (command === 'plan' && report.plan) {
    deps.stdout([...report.notes, ...planLines(report.plan, ctx, report.results, { offline: report.offline, boot })].join('\n') + '\n');
  } else {
    deps.stdout(reportLines(report).join('\n') + '\n');
  }
  // restore and stop change the system: their report goes to syslog too, in one logger call.
  if (command === 'restore' || command === 'stop') {
    try {
      await deps.log(ctx.config.tools.logger, LOG_TAG, reportLines(report));
    } catch (err) {
      deps.stderr(`hook: cannot log to syslog: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return report.ok ? 0 : 1;
}

async function waitApi(args: string[], env: VarMap, deps: HookDeps, usage: (m: string) => number, opts: RunHookOptions): Promise<number> {
  let socket: string | undefined;
  let config: string | undefined;
  let timeout: number | undefined;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (a === '--socket' && v !== undefined) { socket = v; i++; }
    else if (a === '--config' && v !== undefined) { config = v; i++; }
    else if (a === '--verbose') verbose = true;
    else if (a === '--timeout' && v !== undefined) {
      timeout = parseWhole(v, 1, 86_400);
      if (timeout === undefined) return usage(`--timeout '${v}' is not a whole number of seconds from 1 to 86400`);
      i++;
    } else return usage(`unknown or incomplete option '${a}' for wait-api`);
  }
  if (timeout === undefined) return usage('wait-api needs --timeout SECONDS');
  // The address as restore finds it: --socket (rc.conf's kleened_socket), else config.yaml's.
  const ctx = contextFromEnv({ ...env, kleened_socket: socket ?? '', ...(config ? { kleened_config: config } : {}) }, deps, opts);
  try {
    const { address, source } = await resolveAddress(ctx);
    for (const n of ctx.notes) deps.stderr(`${n}\n`);
    const from = source === 'kleened_socket' ? 'kleened_socket' : source === 'config.yaml' ? ctx.files.config : 'the default';
    try {
      await deps.waitForApi(address, timeout * 1000);
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).replace(/^.*did not answer within [0-9.]+ s: /, '');
      deps.stderr(`kleened's API did not answer on ${address} within ${timeout} s; see ${ctx.files.log} (address from ${from}; ${why})\n`);
      return 1;
    }
    if (verbose) deps.stdout(`kleened's API answers on ${address} (address from ${from}).\n`);
    return 0;
  } catch (err) {
    deps.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeKleenedConnections();
  }
}
