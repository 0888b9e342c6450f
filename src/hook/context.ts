// The configuration a hook run works from: rc.conf's variables as the rc.d script exported
// them (same names), parsed by the shared config model.
import { parseContainersConfig, type ContainersConfig, type VarMap } from '../model/config.ts';
import { parseWhole, splitList } from '../model/config.ts';
import { KNOBS } from '../model/knobs.ts';
import { isContainerId, isContainerName } from '../model/names.ts';
import type { HookDeps } from './deps.ts';
import type { RunEvent } from './events.ts';
import { monoMs } from '../host/clock.ts';

/** Where kleened keeps what the hook reads about it (FACTS: hard-coded in kleened). */
export interface KleenedFiles {
  /** config.yaml, for the API address (`kleened_config`). */
  config: string;
  /** kleened's own pidfile (`kleened_pidfile`). */
  pidfile: string;
  /** kleened's log, named in messages (`kleened_logfile`). */
  log: string;
}

export const KLEENED_FILES: KleenedFiles = {
  config: '/usr/local/etc/kleened/config.yaml',
  pidfile: '/var/run/kleened.pid',
  log: '/var/log/kleened.log',
};

export interface HookContext {
  config: ContainersConfig;
  /** Configuration problems, one line each, reported with the run. */
  notes: string[];
  /** rc.shutdown's watchdog: `rcshutdown_timeout` when exported, else 90 (rc.shutdown's default). */
  rcshutdownTimeout: number;
  /** `kleened_shutdown_timeout` when exported, else its default: how long rc.d/kleened's stop, after ours, may wait. */
  kleenedShutdownTimeout: number;
  deps: HookDeps;
  /** kleene_containers_list entries that are not container names or ids: configured, never startable. */
  badEntries: string[];
  /** True when the configuration has an error (a value replaced by its default, a bad entry). */
  configErrors: boolean;
  /** rc.conf's kleened_socket when set (it overrides config.yaml), else undefined. */
  kleenedSocket?: string;
  files: KleenedFiles;
  /** Every file path the hook reads, and a unix socket address, is taken under this root ('/' = the host). */
  root: string;
  /** Progress of a run (see events.ts); a no-op unless a caller listens. */
  onEvent: (e: RunEvent) => void;
  /** monoMs() when the run began: events carry ms since then. */
  t0: number;
  /** Aborted (reason: the signal's name) when SIGTERM or SIGINT asks the run to end early. */
  cancel?: AbortSignal;
}

export interface ContextOptions {
  root?: string;
  onEvent?: (e: RunEvent) => void;
}

/** Builds the context from environment variables; bad values become notes and their defaults. */
export function contextFromEnv(env: VarMap, deps: HookDeps, opts: ContextOptions = {}): HookContext {
  // kleene_containers_wait_timeout defaults to kleened_ready_timeout: one number for "how long
  // kleened may take to answer" . An empty kleened_socket means "not set".
  const vars: Record<string, string | undefined> = { ...env };
  if (vars.kleene_containers_wait_timeout === undefined && vars.kleened_ready_timeout !== undefined) {
    vars.kleene_containers_wait_timeout = vars.kleened_ready_timeout;
  }
  const kleenedSocket = vars.kleened_socket === '' ? undefined : vars.kleened_socket;
  if (kleenedSocket === undefined) delete vars.kleened_socket;
  const { config, diagnostics } = parseContainersConfig(vars);
  const notes = diagnostics.map((d) => `${d.severity}: ${d.variable}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  const raw = env.rcshutdown_timeout;
  let rcshutdownTimeout = 90;
  if (raw !== undefined && raw !== '') {
    const v = parseWhole(raw.trim(), 0, 86_400);
    if (v === undefined) notes.push(`warning: rcshutdown_timeout: '${raw}' is not a number of seconds; using 90`);
    else rcshutdownTimeout = v;
  }
  // rc.d/kleened's own bound, read here to keep kleened's share of the shutdown (plan/stop.ts).
  const kleenedKnob = KNOBS.find((k) => k.name === 'kleened_shutdown_timeout')!;
  let kleenedShutdownTimeout = Number(kleenedKnob.default);
  const rawK = env.kleened_shutdown_timeout;
  if (rawK !== undefined && rawK !== '') {
    const v = parseWhole(rawK.trim(), kleenedKnob.min ?? 1, kleenedKnob.max ?? 3600);
    if (v === undefined) notes.push(`warning: kleened_shutdown_timeout: '${rawK}' is not a whole number from ${kleenedKnob.min} to ${kleenedKnob.max}; using ${kleenedKnob.default}`);
    else kleenedShutdownTimeout = v;
  }
  const badEntries = splitList(env.kleene_containers_list ?? '').filter((e) => !isContainerName(e) && !isContainerId(e));
  const configErrors = diagnostics.some((d) => d.severity === 'error');
  const file = (name: string, def: string): string => {
    const v = env[name];
    return v !== undefined && v.startsWith('/') ? v : def;
  };
  const files: KleenedFiles = {
    config: file('kleened_config', KLEENED_FILES.config),
    pidfile: file('kleened_pidfile', KLEENED_FILES.pidfile),
    log: file('kleened_logfile', KLEENED_FILES.log),
  };
  const ctx: HookContext = { config, notes, rcshutdownTimeout, kleenedShutdownTimeout, deps, badEntries, configErrors, files,
    root: opts.root ?? '/', onEvent: opts.onEvent ?? (() => {}), t0: monoMs() };
  if (kleenedSocket !== undefined) ctx.kleenedSocket = config.socket;
  return ctx;
}

/** A path on the host as seen under the context's root. */
export function hostPath(ctx: Pick<HookContext, 'root'>, p: string): string {
  return ctx.root === '/' || ctx.root === '' ? p : `${ctx.root.replace(/\/+$/, '')}${p}`;
}

/** Milliseconds since the run began. */
export function since(ctx: Pick<HookContext, 't0'>): number {
  return Math.round(monoMs() - ctx.t0);
}
