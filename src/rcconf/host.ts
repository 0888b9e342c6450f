// Thin adapters between rc.conf host paths and the files under a staged root, plus the one
// call to `sh -n`. Paths in messages are always host paths (/etc/rc.conf), never staged ones.
import { promises as fsp } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { OptionError } from '../errors.ts';

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
 * sh's first complaint. Runs nothing. See ./sh-spawn.ts.
 */
export async function shSyntaxError(text: string): Promise<string | undefined> {
  return (await spawning()).shSyntaxError(text);
}

/** What runShell gives back: the exit status (undefined when sh could not run or was killed) and the output as bytes. */
export interface ShellRun {
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs sh (or `program`) with exactly `env`, see ./sh-spawn.ts; never rejects. */
export async function runShell(args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number; program?: string }): Promise<ShellRun> {
  return (await spawning()).runShell(args, opts);
}

/**
 * The code that spawns, with node:child_process, loaded on the first spawn: `rc get` answered
 * from the static reading spawns nothing, and the module (with net, dgram and their streams)
 * was part of every rc command's start. A module of ours, not import('node:child_process'):
 * the built CLI runs each part as a vm.Script, which has no dynamic import of node's modules.
 */
function spawning(): Promise<typeof import('./sh-spawn.ts')> {
  return import('./sh-spawn.ts');
}
