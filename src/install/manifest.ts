// The install manifest: every file kleene-boot wrote (checksum, mode, the original it replaced)
// and every rc.conf change (previous value and the file's previous bytes), so uninstall can undo
// exactly what install did and nothing else. JSON, versioned, validated on read.
import { promises as fsp } from 'node:fs';
import { lazyBuiltin } from '../builtin.ts';
import { ConfigError } from '../errors.ts';

export const MANIFEST_VERSION = 1;

/** A file as it was before install replaced it, kept at `backup` (a host path under ORIG_DIR). */
export interface OriginalFile {
  backup: string;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface ManifestFile {
  /** Host path, e.g. /usr/local/etc/rc.d/kleened. */
  path: string;
  sha256: string;
  mode: number;
  /** What was there before the first install, if anything. */
  original?: OriginalFile;
}

export interface RcChange {
  name: string;
  /** Value before install; undefined (absent in JSON) when the variable was not set in this file. */
  before?: string;
  after: string;
}

/** One rc.conf file that `install --enable` edited. */
export interface ManifestRcFile {
  path: string;
  /** Checksum right after install's edit: uninstall restores the whole file only if it still matches. */
  sha256: string;
  /** The file's bytes before install, or null when install created it. */
  original: OriginalFile | null;
  /** False once the file was edited by someone else between two installs: uninstall then only undoes `changes`. */
  wholeFile: boolean;
  changes: RcChange[];
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  prefix: string;
  node: string;
  files: ManifestFile[];
  /** Directories install created, outermost first; uninstall removes them (innermost first) when empty. */
  dirs: string[];
  rcconf: ManifestRcFile[];
}

// Loaded on the first checksum: `generate` into a root where nothing is installed makes none.
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

/** sha256 of bytes, lower-case hex. */
export function sha256(data: Uint8Array | string): string {
  return crypto().createHash('sha256').update(data).digest('hex');
}

/** Serialises a manifest; modes are written as octal strings so a sysadmin can read them. */
export function serializeManifest(m: Manifest): string {
  return JSON.stringify(m, (key, value: unknown) => (key === 'mode' && typeof value === 'number' ? `0${value.toString(8)}` : value), 2) + '\n';
}

/** Parses and validates a manifest; throws ConfigError naming `file` and what is wrong. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('bad-manifest', `not valid JSON: ${(e as Error).message}`, { file },
      'restore it from a backup, or remove the installed files by hand (see kleene-boot(8), FILES)');
  }
  const bad = (what: string): never => {
    throw new ConfigError('bad-manifest', `unreadable manifest: ${what}`, { file });
  };
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(`${what} is not an object`));
  const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : bad(`${what} is not a string`));
  const path = (v: unknown, what: string): string => {
    const s = str(v, what);
    if (!s.startsWith('/') || s.split('/').includes('..')) bad(`${what} is not an absolute path: ${s}`);
    return s;
  };
  const mode = (v: unknown, what: string): number => {
    const s = str(v, what);
    if (!/^0[0-7]{1,4}$/.test(s)) bad(`${what} is not an octal mode: ${s}`);
    return parseInt(s, 8);
  };
  const hash = (v: unknown, what: string): string => {
    const s = str(v, what);
    if (!/^[0-9a-f]{64}$/.test(s)) bad(`${what} is not a sha256`);
    return s;
  };
  const int = (v: unknown, what: string): number => (Number.isInteger(v) ? (v as number) : bad(`${what} is not a number`));
  const original = (v: unknown, what: string): OriginalFile => {
    const o = obj(v, what);
    return { backup: path(o.backup, `${what}.backup`), sha256: hash(o.sha256, `${what}.sha256`), mode: mode(o.mode, `${what}.mode`),
      uid: int(o.uid, `${what}.uid`), gid: int(o.gid, `${what}.gid`) };
  };
  const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : bad(`${what} is not a list`));

  const m = obj(raw, 'the manifest');
  if (m.version !== MANIFEST_VERSION) bad(`version ${String(m.version)} (this kleene-boot reads version ${MANIFEST_VERSION})`);
  return {
    version: MANIFEST_VERSION,
    prefix: path(m.prefix, 'prefix'),
    node: path(m.node, 'node'),
    files: arr(m.files, 'files').map((f, i) => {
      const o = obj(f, `files[${i}]`);
      const entry: ManifestFile = { path: path(o.path, `files[${i}].path`), sha256: hash(o.sha256, `files[${i}].sha256`), mode: mode(o.mode, `files[${i}].mode`) };
      if (o.original !== undefined) entry.original = original(o.original, `files[${i}].original`);
      return entry;
    }),
    dirs: arr(m.dirs, 'dirs').map((d, i) => path(d, `dirs[${i}]`)),
    rcconf: arr(m.rcconf, 'rcconf').map((r, i) => {
      const o = obj(r, `rcconf[${i}]`);
      return {
        path: path(o.path, `rcconf[${i}].path`),
        sha256: hash(o.sha256, `rcconf[${i}].sha256`),
        original: o.original === null ? null : original(o.original, `rcconf[${i}].original`),
        wholeFile: o.wholeFile === true,
        changes: arr(o.changes, `rcconf[${i}].changes`).map((c, j) => {
          const co = obj(c, `rcconf[${i}].changes[${j}]`);
          const ch: RcChange = { name: str(co.name, 'name'), after: str(co.after, 'after') };
          if (co.before !== undefined) ch.before = str(co.before, 'before');
          return ch;
        }),
      };
    }),
  };
}

/** Reads the manifest at `full` (a path already under the root); undefined when there is none. */
export async function readManifest(full: string, label = full): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(full, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseManifest(text, label);
}
