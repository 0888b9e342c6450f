// Host paths under a staging root. Every file kleene-boot installs is named by its absolute
// path on the host (`/usr/local/etc/rc.d/kleened`); with `--root DIR` it lands at
// `DIR/usr/local/etc/rc.d/kleened`. A path must never escape the root, neither through `..`
// nor through a symlink inside the root pointing outside it, and a symlink at the target itself
// is never followed (an attacker-placed link would otherwise redirect a root-owned write).
import { promises as fsp, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KleeneBootError, OptionError } from '../errors.ts';
import { isInside } from '../fs/root.ts';

/** The staging root, resolved through symlinks once so later containment checks compare real paths. */
export async function resolveRoot(root: string, { missingOk = false } = {}): Promise<string> {
  if (!root) throw new OptionError('bad-root', 'the root must not be empty', { option: 'root' }, "use '/' for the running host");
  const abs = resolve(root);
  try {
    return await fsp.realpath(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      // A dry run into a root that does not exist yet shows everything as new.
      if (missingOk) return abs;
      throw new OptionError('bad-root', `root ${abs} does not exist`, { option: 'root' }, `create it first: mkdir -p ${abs}`);
    }
    throw e;
  }
}

export { isInside, underRoot } from '../fs/root.ts';

/** lstat that answers undefined for a missing path instead of throwing. */
export async function lstatMaybe(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Checks that writing `full` (a path from underRoot) stays inside `root`: the nearest existing
 * ancestor, resolved through symlinks, is inside the root, and `full` itself is not a symlink.
 * Returns the directories between that ancestor and `full` that do not exist yet (outermost first).
 */
export async function checkTarget(root: string, full: string): Promise<{ missingDirs: string[]; stat: Stats | undefined }> {
  const stat = await lstatMaybe(full);
  if (stat?.isSymbolicLink()) {
    throw new KleeneBootError('ESYMLINK', 'refusing to write through a symbolic link', { file: full },
      'remove the link or point --root at a tree without it');
  }
  if (stat && !stat.isFile()) throw new KleeneBootError('ENOTFILE', 'not a regular file', { file: full });
  const missingDirs: string[] = [];
  let dir = dirname(full);
  for (;;) {
    const st = await lstatMaybe(dir);
    if (st) {
      const real = await fsp.realpath(dir);
      if (!isInside(root, real)) {
        throw new KleeneBootError('path-escapes-root', `${dir} resolves to ${real}, outside the root ${root}`, { file: full },
          'a symbolic link inside the root points outside it; remove it or choose another --root');
      }
      const rst = await fsp.stat(real);
      if (!rst.isDirectory()) throw new KleeneBootError('ENOTDIR', `${dir} is not a directory`, { file: full });
      break;
    }
    missingDirs.unshift(dir);
    if (dir === root || dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  return { missingDirs, stat };
}
