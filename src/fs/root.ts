// Host paths under a staging root (--root): the one place that maps /usr/local/etc/rc.d/x to
// ROOT/usr/local/etc/rc.d/x and refuses a path that would leave ROOT.
import { isAbsolute, relative, resolve, sep } from 'node:path';
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
