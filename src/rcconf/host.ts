// Thin adapters between rc.conf host paths and the files under a staged root, plus the one
// call to `sh -n`. Paths in messages are always host paths (/etc/rc.conf), never staged ones.
import { promises as fsp } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { lazyBuiltin } from '../builtin.ts';
import { OptionError } from '../errors.ts';

// Loaded on the first spawn: `rc get` answered from the static reading spawns nothing.
const childProcess = lazyBuiltin<typeof import('node:child_process')>('node:child_process');

/** Normalised root: '' for the real host, else an absolute path without a trailing slash. */
export function normRoot(root: string | undefined): string {
  if (root === undefined || root === '' || root === '/') return '';
  return resolve(root).replace(/\/+$/, '');
}

/** Refuses a --root that is not a directory, with one clear message (normalised root; '' passes). */
export async function assertRoot(root: string): Promise<void> {
  if (root === '') return;
  const st = await fsp.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new OptionError('ENOROOT', `${root} ${st ? 'is not a directory' : 'does not exist'}`, { option: 'root' },
      'give the directory that holds the staged host (its etc/, usr/local/, var/)');
  }
}

/** Where the host path `hostPath` lives on this machine under `root` (see normRoot). */
export function realPath(root: string, hostPath: string): string {
  return root + hostPath;
}

/** A `-f FILE` argument as a host path: absolute as given; relative only without a root. */
export function hostFileArg(file: string, root: string): string {
  if (isAbsolute(file)) return resolve(file);
  if (root !== '') {
    throw new OptionError('EOPTION', `'${file}' is relative; with --root, name the file as on the host`, { option: 'file' },
      'for example -f /etc/rc.conf');
  }
  return resolve(file);
}

/** The shell rc(8) uses. Tests may point KLEENE_BOOT_SH at another POSIX sh. */
export function shPath(): string {
  return process.env.KLEENE_BOOT_SH || '/bin/sh';
}

/**
 * `sh -n` over a file's bytes (a byte string, see bytes.ts): undefined when sh accepts it, else
 * sh's first complaint. Runs nothing. node's own spawn, not execa: `rc set` runs it twice and
 * loading execa's module tree cost more than both runs (bench: `rc set` ÷ bare node).
 */
export function shSyntaxError(text: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = childProcess().spawn(shPath(), ['-n'], { stdio: ['pipe', 'ignore', 'pipe'] });
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

/** What runShell gives back: the exit status (undefined when sh could not run or was killed) and the output as bytes. */
export interface ShellRun {
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: Buffer;
  stderr: Buffer;
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
    const child = childProcess().spawn(program, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
