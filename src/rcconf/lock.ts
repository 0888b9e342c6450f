// An advisory lock between kleene-boot processes editing the same file: `<file>.kleene-boot.lock`
// created with O_EXCL and holding the owner's pid. A lock whose pid is gone (a killed run) is
// stale and taken over, so a crash never wedges the next edit. sysrc has no lock at all.
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.ts';

export interface LockOptions {
  /** How long to wait for another process to let go; default 2000 ms. */
  timeoutMs?: number;
  /** Host path for messages. */
  hostPath?: string;
}

export type Unlock = () => Promise<void>;

/**
 * A file kept beside `realFile` (lock, backup): `FILE<suffix>`, except inside an
 * rc.conf.d/<service>/ directory, where load_rc_config sources every file `*` matches, so the
 * side file is hidden: `.FILE<suffix>`.
 */
export function sidePath(realFile: string, suffix: string): string {
  if (/\/rc\.conf\.d\/[^/]+\/[^/]+$/.test(realFile)) return join(dirname(realFile), `.${basename(realFile)}${suffix}`);
  return `${realFile}${suffix}`;
}

/** The lock file that guards `realFile`. */
export function lockPathFor(realFile: string): string {
  return sidePath(realFile, '.kleene-boot.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for `realFile` or throws ConfigError ELOCKED after the timeout. The directory must exist. */
export async function acquireLock(realFile: string, opts: LockOptions = {}): Promise<Unlock> {
  const lock = lockPathFor(realFile);
  const deadline = Date.now() + (opts.timeoutMs ?? 2000);
  let owner = '';
  for (;;) {
    try {
      const fh = await fsp.open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fsp.rm(lock, { force: true });
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        // Not a raw EACCES on a file the user never named: the directory of the file to edit.
        const shown = opts.hostPath ?? realFile;
        throw new ConfigError('EACCES', `cannot write ${dirname(shown)}: permission denied (the edit of ${shown} needs its lock file there)`, { file: shown },
          'run as root: rc(8) files belong to root', { cause: e });
      }
      if (code !== 'EEXIST') throw e;
    }
    owner = (await fsp.readFile(lock, 'utf8').catch(() => '')).trim();
    const pid = /^[0-9]+$/.test(owner) ? Number(owner) : undefined;
    if (pid !== undefined && pid !== process.pid && !alive(pid)) {
      // Stale: its owner died. Remove it only if it is still the same file we just read.
      const again = (await fsp.readFile(lock, 'utf8').catch(() => '')).trim();
      if (again === owner) await fsp.rm(lock, { force: true });
      continue;
    }
    if (pid === undefined) {
      // Being written right now, or garbage: garbage older than a few seconds is stale.
      const st = await fsp.stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 5000) {
        await fsp.rm(lock, { force: true });
        continue;
      }
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new ConfigError('ELOCKED', `another kleene-boot (pid ${owner || 'unknown'}) is editing this file`,
    { file: opts.hostPath ?? realFile }, `wait for it to finish, or remove ${lock} if no kleene-boot is running`);
}
