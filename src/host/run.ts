// The one way host adapters run a tool: execa with an argument list (no shell), a timeout, the
// environment left as is, and every failure turned into a HostCommandError naming the command.
import { execa } from 'execa';
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
}

/** Runs `file args`; resolves with its exit status and output, rejects only when it cannot run, times out or is cancelled. */
export async function runTool(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const command = [file, ...args].join(' ');
  const r = await execa(file, args, {
    reject: false,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    stripFinalNewline: false,
    forceKillAfterDelay: 1000,
  });
  if (r.timedOut) {
    throw new HostCommandError('host-timeout', `${file} did not finish within ${opts.timeoutMs / 1000} s`, { command });
  }
  if (r.isCanceled) throw new HostCommandError('host-cancelled', `${file} was cancelled`, { command });
  if (r.exitCode === undefined) {
    // Not run at all (ENOENT, EACCES) or killed by a signal.
    const why = r.signal ? `killed by ${r.signal}` : (r.code ?? r.shortMessage);
    throw new HostCommandError('host-spawn', `cannot run ${file}: ${why}`, { command });
  }
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** One line of a tool's stderr for a message: the first non-empty line, or the exit status. */
export function firstLine(r: RunResult): string {
  const line = r.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ?? `exit status ${r.exitCode}`;
}
