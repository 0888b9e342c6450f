// The boot hook's entry: `hook.js restore|stop|check|plan [--json]` and
// `hook.js wait-api --socket PATH --timeout SECONDS`, run by the rc.d scripts with rc.conf's
// variables in the environment. Imports nothing heavy (no yargs, no handlebars): it is bundled
// alone into dist/hook.js and runs at boot with no node_modules.
import type { VarMap } from '../model/config.ts';
import { parseWhole } from '../model/config.ts';
import { closeKleenedConnections } from '../kleened/http.ts';
import { planLines, planStatus, runCheck, type CheckReport } from './check.ts';
import { contextFromEnv, since, type HookContext } from './context.ts';
import type { RunEvent } from './events.ts';
import { resolveAddress } from './kleened-up.ts';
import { defaultDeps, type HookDeps } from './deps.ts';
import { runPlanDot } from './plan-dot.ts';
import type { RunRecord } from '../record/schema.ts';
import { RunProgress, recordDirFor } from './progress.ts';
import { reportJson, reportLines } from './report.ts';
import { lockPathFor, type LockResult } from './lock.ts';
import { notDoneReport, runRestore } from './restore.ts';
import { runStop } from './stop.ts';
import { monoMs } from '../host/clock.ts';

/** syslog tag of the boot report (logger -t). */
export const LOG_TAG = 'kleene_containers';

const USAGE = `usage: hook.js restore|stop|check [--json]
       hook.js plan [--boot] [--strict] [--json | --dot]
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
  let dot = false;
  let strict = false;
  for (const a of rest) {
    if (a === '--json') json = true;
    else if (a === '--boot' && command === 'plan') boot = true;
    else if (a === '--dot' && command === 'plan') dot = true;
    else if (a === '--strict' && command === 'plan') strict = true;
    else return usage(`unknown option '${a}' for ${command}`);
  }
  if (dot && json) return usage('plan takes --json or --dot, not both');
  const ctx = contextFromEnv(env, deps, opts);
  try {
    if (dot) return await runPlanDot(ctx, { boot, strict });
    return await runCommand(command, ctx, json, boot, strict, recordDirFor(env, ctx.root), lockPathFor(env, ctx.root));
  } catch (err) {
    // Every run* resolves with a report; this is the last guard so boot always gets a line.
    deps.stderr(`hook: ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeKleenedConnections();
  }
}

async function runCommand(command: 'restore' | 'stop' | 'check' | 'plan', ctx: HookContext, json: boolean, boot: boolean,
  strict: boolean, recordDir: string | undefined, lockPath: string): Promise<number> {
  const { deps } = ctx;
  if (command !== 'restore' && command !== 'stop') return runVerb(command, ctx, json, boot, strict, recordDir, undefined);
  // SIGTERM or SIGINT ends the run early, through its own end (report, record, lock released).
  const ac = new AbortController();
  const undo = deps.onTerminate?.((sig) => ac.abort(sig));
  if (undo) ctx.cancel = ac.signal;
  let lock: LockResult | undefined;
  try {
    lock = await takeLock(command, ctx, lockPath);
    return await runVerb(command, ctx, json, boot, strict, recordDir, lock && 'refused' in lock ? lock.refused : undefined);
  } finally {
    if (lock && 'held' in lock) lock.held.release();
    undo?.();
  }
}

/**
 * The host-wide lock (lock.ts): one restore, stop or adopt at a time. restore waits for a holder
 * up to kleene_containers_wait_timeout, then does nothing; stop ends a restore that holds it
 * (SIGTERM), waits up to kleene_containers_stop_timeout, then goes on regardless (shutdown must).
 * Lines about the wait go to stderr at once; what the run should keep (a take-over, the wait) to
 * its notes. Undefined when deps take no lock.
 */
async function takeLock(command: 'restore' | 'stop', ctx: HookContext, path: string): Promise<LockResult | undefined> {
  const { deps, config } = ctx;
  if (!deps.lock) return undefined;
  const t0 = monoMs();
  const r = await deps.lock({
    path, pid: process.pid, command,
    preempt: command === 'stop',
    waitMs: (command === 'stop' ? config.stopTimeout : config.waitTimeout) * 1000,
    onTimeout: command === 'stop' ? 'proceed' : 'refuse',
    say: (line, live) => {
      if (live) deps.stderr(`${line}\n`);
      else ctx.notes.push(line);
    },
    ...(ctx.cancel ? { signal: ctx.cancel } : {}),
  });
  if ('held' in r && r.waitedFor) {
    ctx.notes.push(`waited ${Math.round((monoMs() - t0) / 100) / 10} s for pid ${r.waitedFor.pid} (${r.waitedFor.command}) to release ${path}`);
  }
  return r;
}

async function runVerb(command: 'restore' | 'stop' | 'check' | 'plan', ctx: HookContext, json: boolean, boot: boolean,
  strict: boolean, recordDir: string | undefined, lockedOut: string | undefined): Promise<number> {
  const { deps } = ctx;
  // restore and stop change the system: each container's line goes to the console and syslog
  // as soon as its outcome is known, and the run leaves a record (progress.ts).
  const progress = command === 'restore' || command === 'stop'
    ? new RunProgress(command, { t0: ctx.t0, deps, jobs: ctx.config.jobs, notes: ctx.notes, console: !json, recordDir,
      ...(deps.logStream ? { logStream: () => deps.logStream!(ctx.config.tools.logger, LOG_TAG) } : {}),
      logOnce: (lines) => deps.log(ctx.config.tools.logger, LOG_TAG, lines),
      ...(deps.writeRecord ? { writeRecord: (dir: string, rec: RunRecord) => deps.writeRecord!(dir, rec) } : {}) })
    : undefined;
  if (progress) {
    const listener = ctx.onEvent;
    ctx.onEvent = (e) => { listener(e); progress.onEvent(e); };
  }
  let report: CheckReport;
  try {
    if (lockedOut !== undefined) report = notDoneReport(command, ctx, command === 'restore' ? 'blocked' : 'failed', `not ${command === 'restore' ? 'started' : 'stopped'}: ${lockedOut}`);
    else if (command === 'restore') report = await runRestore(ctx);
    else if (command === 'stop') report = await runStop(ctx);
    else report = await runCheck(ctx, command, { boot });
  } catch (err) {
    // The logger process must not keep the hook alive after the last guard in runHook reports this.
    await progress?.abandon();
    throw err;
  }
  ctx.onEvent({ type: 'run-done', at: since(ctx), ok: report.ok });

  if (json) {
    const extra = command === 'plan' && report.plan
      ? { plan: { waves: report.plan.waves, stopOrder: report.plan.stopOrder, budget: report.plan.budget, items: report.plan.items },
        ...(report.offline ? { offline: report.offline } : {}), boot }
      : {};
    deps.stdout(reportJson(report, extra) + '\n');
  } else if (command === 'plan' && report.plan) {
    deps.stdout([...report.notes, ...planLines(report.plan, ctx, report.results, { offline: report.offline, boot })].join('\n') + '\n');
  } else if (!progress) {
    deps.stdout(reportLines(report).join('\n') + '\n');
  }
  // The lines not said yet and the summary (console unless --json, and syslog), then the record.
  await progress?.end(report);
  if (command === 'plan') return planStatus(report, strict);
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
