// logger(1) as a stream: one `logger -t TAG` process for a whole run, each line written to its
// stdin the moment it is known (logger logs every stdin line as its own message as it reads
// it), so syslog follows a restore live and a hundred containers still cost one process.
// node:child_process directly: the hook loads nothing heavy at boot.
import { spawn } from 'node:child_process';
import { HostCommandError } from '../errors.ts';
import { toolEnv } from './run.ts';

export interface LogStream {
  /** Sends one line (no newline in it); never throws: a failed logger is reported by close(). */
  write(line: string): void;
  /** Ends the input and waits (bounded) for logger to exit; rejects with HostCommandError when it failed. */
  close(): Promise<void>;
}

/** Starts `logger -t TAG`. Writes never block the run; close() says whether every line got through. */
export function openLogStream(logger: string, tag: string, opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): LogStream {
  const command = `${logger} -t ${tag}`;
  let failure: string | undefined;
  let stderr = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const child = spawn(logger, ['-t', tag], { env: opts.env ?? toolEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
  const exit = new Promise<void>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      failure ??= `cannot run ${logger}: ${e.code ?? e.message}`;
      resolve();
    });
    child.once('close', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
  // A logger that died early closes its stdin: EPIPE is a failure to report, not a crash.
  child.stdin!.on('error', (e: NodeJS.ErrnoException) => { failure ??= `${logger} stopped reading: ${e.code ?? e.message}`; });
  return {
    write(line) {
      if (failure !== undefined || exited !== undefined || child.stdin!.destroyed) return;
      child.stdin!.write(`${line}\n`);
    },
    async close() {
      if (!child.stdin!.destroyed) child.stdin!.end();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exit.then(() => false),
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), opts.timeoutMs); }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        throw new HostCommandError('host-timeout', `${logger} did not finish within ${opts.timeoutMs / 1000} s`, { command });
      }
      if (failure !== undefined) throw new HostCommandError('host-spawn', failure, { command });
      if (exited && exited.code !== 0) {
        const why = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? (exited.signal ? `killed by ${exited.signal}` : `exit status ${exited.code}`);
        throw new HostCommandError('host-failed', `${logger} failed: ${why}`, { command });
      }
    },
  };
}
