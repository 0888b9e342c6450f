// Spawning sh for the rc.conf commands (`sh -n` of a file, sh evaluating rc.conf), apart from
// host.ts so that node:child_process loads only when something is spawned (host.ts imports this
// module lazily). node's own spawn, not execa: loading execa's module tree cost `rc get` and
// `rc set` more than sh itself.
import { spawn } from 'node:child_process';
import { shPath, type ShellRun } from './host.ts';

/**
 * `sh -n` over a file's bytes (a byte string, see bytes.ts): undefined when sh accepts it, else
 * sh's first complaint. Runs nothing. node's own spawn, not execa: `rc set` runs it twice and
 * loading execa's module tree cost more than both runs (bench: `rc set` ÷ bare node).
 */
export function shSyntaxError(text: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(shPath(), ['-n'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => { /* sh may stop reading at its first error */ });
    // sh cannot run: say so as its complaint (the file is then refused, never edited unchecked).
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(`cannot run ${shPath()}: ${e.code ?? e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(undefined);
      const line = Buffer.concat(err).toString().split('\n').map((l) => l.trim()).find((l) => l !== '');
      resolve(line ?? (signal ? `sh -n was killed by ${signal}` : `sh -n exited with status ${code}`));
    });
    child.stdin.end(Buffer.from(text, 'latin1'));
  });
}


/**
 * Runs `shPath() args` (or `program args`: chroot(8) for a root's own sh) with exactly `env` (nothing inherited), stdin closed, both outputs kept
 * as bytes; never rejects. node's own spawn, not execa: loading execa's module tree cost `rc get`
 * and `rc set` more than sh itself.
 */
export function runShell(args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number; program?: string }): Promise<ShellRun> {
  const program = opts.program ?? shPath();
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const child = spawn(program, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => { spawnError = e; });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = spawnError ? Buffer.from(`cannot run ${program}: ${spawnError.code ?? spawnError.message}\n`) : Buffer.concat(err);
      resolve({ exitCode: code ?? undefined, timedOut, stdout: Buffer.concat(out), stderr });
    });
  });
}
