// Thin adapters between rc.conf host paths and the files under a staged root, plus the one
// call to `sh -n`. Paths in messages are always host paths (/etc/rc.conf), never staged ones.
import { execa } from 'execa';
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

/** `sh -n` over a file's bytes (a byte string, see bytes.ts): undefined when sh accepts it, else sh's first complaint. Runs nothing. */
export async function shSyntaxError(text: string): Promise<string | undefined> {
  const r = await execa(shPath(), ['-n'], { input: Buffer.from(text, 'latin1'), reject: false, timeout: 10_000, stripFinalNewline: true });
  if (r.exitCode === 0) return undefined;
  const line = String(r.stderr ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ?? `sh -n exited with status ${r.exitCode}`;
}
