// File operations for install and uninstall, all under a resolved staging root: create missing
// directories one by one (so the manifest knows which ones are ours), write atomically without
// following a symlink at the target, keep and restore originals with their mode and owner.
import { constants, promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic.ts';
import { KleeneBootError } from '../errors.ts';
import { checkTarget, lstatMaybe, underRoot } from './paths.ts';
import { sha256, type OriginalFile } from './manifest.ts';

/** What is at a host path now: bytes, mode, owner; undefined when nothing is there. */
export interface Present {
  content: Buffer;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Reads a regular file under root without following a symlink at it; undefined when absent. */
export async function readPresent(root: string, hostPath: string): Promise<Present | undefined> {
  const full = underRoot(root, hostPath);
  const st = await lstatMaybe(full);
  if (!st) return undefined;
  if (st.isSymbolicLink()) {
    throw new KleeneBootError('ESYMLINK', 'is a symbolic link; kleene-boot never follows one at a file it manages', { file: full },
      'remove the link (and put the real file there) before running kleene-boot again');
  }
  if (!st.isFile()) throw new KleeneBootError('ENOTFILE', 'not a regular file', { file: full });
  // O_NOFOLLOW: the lstat above and this open must agree even if the path is swapped in between.
  const fh = await fsp.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const content = await fh.readFile();
    return { content, sha256: sha256(content), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } finally {
    await fh.close();
  }
}

/** Creates every missing directory of `hostPath`'s parent, returning the host paths it created (outermost first). */
export async function ensureParentDirs(root: string, hostPath: string): Promise<string[]> {
  const full = underRoot(root, hostPath);
  const { missingDirs } = await checkTarget(root, full);
  const created: string[] = [];
  for (const d of missingDirs) {
    await fsp.mkdir(d, { mode: 0o755 });
    // mkdir's mode is masked by the umask; installed directories are 0755 whatever the caller's umask.
    await fsp.chmod(d, 0o755);
    created.push(toHost(root, d));
  }
  return created;
}

/** Writes `content` at `hostPath` under root atomically with `mode`; refuses a symlink at the target. */
export async function writeUnderRoot(root: string, hostPath: string, content: Uint8Array, mode: number): Promise<string[]> {
  const created = await ensureParentDirs(root, hostPath);
  await writeFileAtomic(underRoot(root, hostPath), content, { mode, keepOwner: false });
  return created;
}

/** Copies what is at `hostPath` to `backupHostPath` (mode 0400) and describes it for the manifest. */
export async function backupOriginal(root: string, present: Present, backupHostPath: string): Promise<{ original: OriginalFile; created: string[] }> {
  const created = await writeUnderRoot(root, backupHostPath, present.content, 0o400);
  return {
    original: { backup: backupHostPath, sha256: present.sha256, mode: present.mode, uid: present.uid, gid: present.gid },
    created,
  };
}

/** Puts an original back at `hostPath` with its recorded mode and owner; checks the backup's checksum first. */
export async function restoreOriginal(root: string, hostPath: string, original: OriginalFile): Promise<void> {
  const backup = await readPresent(root, original.backup);
  if (!backup) {
    throw new KleeneBootError('missing-backup', `the saved original of ${hostPath} is gone`, { file: underRoot(root, original.backup) },
      'restore it from a backup, or run uninstall with --force to leave the current file in place');
  }
  if (backup.sha256 !== original.sha256) {
    throw new KleeneBootError('bad-backup', `the saved original of ${hostPath} does not match its checksum`, { file: underRoot(root, original.backup) });
  }
  await ensureParentDirs(root, hostPath);
  const full = underRoot(root, hostPath);
  await writeFileAtomic(full, backup.content, { mode: original.mode, keepOwner: false });
  await fsp.lchown(full, original.uid, original.gid);
}

/** Removes a regular file under root (not a symlink's target); true when something was removed. */
export async function removeUnderRoot(root: string, hostPath: string): Promise<boolean> {
  const full = underRoot(root, hostPath);
  const st = await lstatMaybe(full);
  if (!st) return false;
  if (st.isDirectory()) throw new KleeneBootError('EISDIR', 'is a directory', { file: full });
  await fsp.unlink(full);
  return true;
}

/** Removes a directory under root if it is empty; false (and no error) when something else lives in it. */
export async function removeDirIfEmpty(root: string, hostPath: string): Promise<boolean> {
  const full = underRoot(root, hostPath);
  try {
    await fsp.rmdir(full);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw e;
  }
}

/** The host path of a full path under root (inverse of underRoot). */
export function toHost(root: string, full: string): string {
  if (root === '/') return full;
  return full === root ? '/' : full.slice(root.length);
}
