// The one way host adapters run a tool: node's child_process with an argument list (no shell), a
// timeout, the environment less rc.conf's variables (toolEnv), and every failure turned into a HostCommandError naming
// the command. The hook runs four tools with fixed arguments at boot: it needs neither execa's
// features nor its dependency tree (its load time is on every boot's path), so this adapter is all it loads.
import { spawn } from 'node:child_process';
import { HostCommandError } from '../errors.ts';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  input?: string;
  /** The environment (default: toolEnv() now); the hook computes it once per run. */
  env?: NodeJS.ProcessEnv;
  /** Resident runners (runner.ts) that may take the call instead of a spawn. */
  resident?: Resident;
}

/** Takes a call instead of a spawn, or not (undefined): runner.ts's ToolRunners. */
export interface Resident {
  tryRun(file: string, args: readonly string[], opts: RunOptions & { env: NodeJS.ProcessEnv }): Promise<RunResult> | undefined;
}

/**
 * The environment tools run with: the hook's own, less rc.conf's kleene_containers_* and
 * kleened_* variables that rc.d exported to the hook. A jail's ready command has no use for the
 * host's configuration, and at 500 containers copying their 500 `_depend` variables into every
 * jls spawn cost a restore 0.3 s (bench profile).
 */
export function toolEnv(source: Readonly<Record<string, string | undefined>> = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([k]) => !/^(kleene_containers|kleened)_/.test(k)));
}

/**
 * process.env as a plain object, read once. Every whole read of process.env asks the C library
 * for each variable: at 500 containers rc.d exports about 1,000, and spreading process.env cost
 * the hook 20 ms before its first start, filtering it for the tools 10 ms more. Reading the
 * names and then each value once costs half a spread, and a plain object costs nothing after.
 */
export function envSnapshot(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(source)) {
    const v = source[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** After SIGTERM on timeout or cancel, SIGKILL follows this much later. */
const KILL_AFTER_MS = 1000;

/** Runs `file args`; resolves with its exit status and output, rejects only when it cannot run, times out or is cancelled. */
export function runTool(file: string, args: string[], options: RunOptions): Promise<RunResult> {
  const { resident, ...opts } = options;
  if (resident) {
    const viaResident = resident.tryRun(file, args, { ...opts, env: opts.env ?? toolEnv() });
    if (viaResident) return viaResident;
  }
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new HostCommandError('host-cancelled', `${file} was cancelled`, { command }));
      return;
    }
    let child;
    try {
      child = spawn(file, args, { env: opts.env ?? toolEnv(), stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new HostCommandError('host-spawn', `cannot run ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { command }));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    let why: 'timeout' | 'cancel' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (w: 'timeout' | 'cancel'): void => {
      if (why) return;
      why = w;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    const onAbort = (): void => stop('cancel');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => { spawnError = e; });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => { /* the tool may exit without reading */ });
      child.stdin!.end(opts.input);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (why === 'timeout') {
        reject(new HostCommandError('host-timeout', `${file} did not finish within ${opts.timeoutMs / 1000} s`, { command }));
      } else if (why === 'cancel') {
        reject(new HostCommandError('host-cancelled', `${file} was cancelled`, { command }));
      } else if (spawnError || code === null) {
        // Not run at all (ENOENT, EACCES) or killed by a signal.
        const reason = signal ? `killed by ${signal}` : (spawnError?.code ?? spawnError?.message ?? 'no exit status');
        reject(new HostCommandError('host-spawn', `cannot run ${file}: ${reason}`, { command }));
      } else {
        resolve({ exitCode: code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      }
    });
  });
}

/** One line of a tool's stderr for a message: the first non-empty line, or the exit status. */
export function firstLine(r: RunResult): string {
  const line = r.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ?? `exit status ${r.exitCode}`;
}
