// Atomic file replacement: write a temp file in the target's directory, fsync it, rename it
// over the target, fsync the directory. A crash at any point leaves either the old or the new
// file complete. The target is never followed if it is a symlink: rename(2) replaces the
// link itself, and we refuse a symlink target outright so nobody is surprised.
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KleeneBootError } from '../errors.ts';

export interface AtomicWriteOptions {
  /** File mode; default: the existing file's mode, else 0o644. */
  mode?: number;
  /** Keep the existing file's owner (as sysrc does). Default true. */
  keepOwner?: boolean;
  /** Test hook: called between steps ('temp-written', 'temp-synced', 'renamed'). */
  onStep?: (step: AtomicStep) => void | Promise<void>;
}
export type AtomicStep = 'temp-written' | 'temp-synced' | 'renamed';

/** Replaces `path` with `data` atomically. Refuses a symlink at `path`. Creates no directories. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  let existing: import('node:fs').Stats | undefined;
  try {
    existing = await fsp.lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing?.isSymbolicLink()) {
    throw new KleeneBootError('ESYMLINK', 'refusing to write through a symbolic link', { file: path },
      'remove the link or point the command at the real file');
  }
  if (existing && !existing.isFile()) {
    throw new KleeneBootError('ENOTFILE', 'not a regular file', { file: path });
  }
  const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
  const dir = dirname(path);
  // O_EXCL: never reuse or follow something already at the temp name (a link there included), so
  // the name need not be unguessable, only unlikely to be taken: pid and time and Math.random
  // (node:crypto would cost every command its load), with another try when one is taken.
  let tmp = '';
  let fh: import('node:fs/promises').FileHandle | undefined;
  for (let attempt = 0; fh === undefined; attempt++) {
    tmp = join(dir, `.${basename(path)}.kleene-boot.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
    try {
      fh = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 9) throw e;
    }
  }
  try {
    try {
      await fh.writeFile(data);
      await opts.onStep?.('temp-written');
      await fh.chmod(mode);
      if (existing && opts.keepOwner !== false) await fh.chown(existing.uid, existing.gid);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.onStep?.('temp-synced');
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await opts.onStep?.('renamed');
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let dh: import('node:fs/promises').FileHandle | undefined;
  try {
    dh = await fsp.open(dir, constants.O_RDONLY);
    await dh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await dh?.close();
  }
}
