// `-R/--root DIR`, one meaning for every command: DIR is the host's `/`. Files are read and
// written under it, and so are kleened's socket and config (a kleened running in a staged host,
// or in a jail whose / is DIR, listens on DIR/var/run/kleened.sock). The option is declared once
// (rootOption) and checked once, before any handler runs (resolveRootArg, a yargs middleware in
// main.ts), so a missing DIR is the same error everywhere.
import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import { OptionError } from '../errors.ts';
import { underRoot } from '../fs/root.ts';

/** The yargs option, declared globally in main.ts so every command's --help shows it. */
export const rootOption = {
  alias: 'R',
  type: 'string',
  default: '/',
  requiresArg: true,
  describe: "Act on a host whose / is DIR (a staging root): its files, and kleened's socket and config under it",
} as const;

/**
 * Resolves `-R DIR` to a real absolute directory. Throws OptionError (exit 2) when DIR is empty,
 * missing or not a directory, naming the option and what to do.
 */
export async function resolveRootArg(raw: unknown): Promise<string> {
  if (Array.isArray(raw)) {
    throw new OptionError('bad-root', 'given more than once', { option: 'root' }, 'give one -R DIR');
  }
  if (typeof raw !== 'string' || raw === '') {
    throw new OptionError('bad-root', 'needs a directory', { option: 'root' }, "use '/' for the running host, or a staging root such as /tmp/kleene-demo");
  }
  if (/[\0\n\r]/.test(raw)) {
    throw new OptionError('bad-root', 'contains a NUL or line break', { option: 'root' }, 'give a plain directory path');
  }
  // `..` makes the root another directory than the one written (a typo away from /etc).
  if (raw.split('/').includes('..')) {
    throw new OptionError('bad-root', `'${raw}' contains '..'`, { option: 'root' }, 'give the staging root without .. components');
  }
  const abs = resolve(raw);
  let real: string;
  try {
    real = await fsp.realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new OptionError('bad-root', `root ${abs} does not exist`, { option: 'root' }, `create it first (mkdir -p ${abs}), or give the staging root you meant`);
    }
    throw new OptionError('bad-root', `root ${abs}: ${(e as Error).message}`, { option: 'root' });
  }
  if (!(await fsp.stat(real)).isDirectory()) {
    throw new OptionError('bad-root', `root ${abs} is not a directory`, { option: 'root' }, 'give the directory that stands for the host\'s /');
  }
  return real;
}

/** A host path (kleened's socket, its config) as seen from this machine when the host's / is root. */
export function hostPath(root: string, path: string): string {
  return root === '/' ? path : underRoot(root, path);
}
