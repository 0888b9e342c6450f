// Host paths under a staging root (--root): the one place that maps /usr/local/etc/rc.d/x to
// ROOT/usr/local/etc/rc.d/x and refuses a path that would leave ROOT.
import { lstatSync, readlinkSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KleeneBootError } from '../errors.ts';

/** Joins an absolute host path onto a root, refusing `..` that would leave it. Pure. */
export function underRoot(root: string, hostPath: string): string {
  if (!isAbsolute(hostPath)) {
    throw new KleeneBootError('bad-path', `not an absolute path: ${hostPath}`, { file: hostPath });
  }
  const r = resolve(root);
  const full = resolve(r, '.' + resolve('/', hostPath));
  if (!isInside(r, full)) {
    throw new KleeneBootError('path-escapes-root', `${hostPath} leaves the root ${root}`, { file: hostPath });
  }
  return full;
}

/** True when `p` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Where the host path `hostPath` lives under `root` as a process chroot'ed there would find it:
 * symlinks are followed inside the root (an absolute target starts again at the root, `..`
 * stops at it), so no link leads to this machine's own files. Missing components are kept as
 * written. Throws KleeneBootError ELOOP after 40 links. Reads links only.
 */
export function resolveInRoot(root: string, hostPath: string): string {
  const r = resolve(root);
  const todo = hostPath.split('/').filter((p) => p !== '');
  const done: string[] = [];
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = join(r, ...done, part);
    let target: string | undefined;
    try {
      target = lstatSync(here).isSymbolicLink() ? readlinkSync(here) : undefined;
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new KleeneBootError('ELOOP', `too many symbolic links in ${hostPath}`, { file: hostPath });
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((p) => p !== ''));
  }
  return join(r, ...done);
}
