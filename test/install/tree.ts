import { readFileSync } from 'node:fs';
// Test helpers for install tests: snapshot a staging tree (paths, types, modes, owners, sha256)
// so "uninstall gives back the exact tree" is one deep equality, and build staging roots.
import { createHash } from 'node:crypto';
import { promises as fsp, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Entry {
  type: 'file' | 'dir' | 'symlink';
  mode: string;
  uid: number;
  gid: number;
  sha256?: string;
  target?: string;
}

/** Every path under root (relative, sorted) with what it is. */
export async function snapshot(root: string): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  const walk = async (dir: string, rel: string) => {
    for (const name of (await fsp.readdir(dir)).sort()) {
      const full = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await fsp.lstat(full);
      const base = { mode: (st.mode & 0o7777).toString(8), uid: st.uid, gid: st.gid };
      if (st.isSymbolicLink()) out[r] = { type: 'symlink', ...base, target: await fsp.readlink(full) };
      else if (st.isDirectory()) {
        out[r] = { type: 'dir', ...base };
        await walk(full, r);
      } else out[r] = { type: 'file', ...base, sha256: createHash('sha256').update(await fsp.readFile(full)).digest('hex') };
    }
  };
  await walk(root, '');
  return out;
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh staging root in the system temp dir, removed when the test process exits. */
export async function stagingRoot(prefix = 'kb-install-'): Promise<string> {
  const d = await fsp.realpath(await mkdtemp(join(tmpdir(), prefix)));
  made.push(d);
  return d;
}

/** Writes a file under root (creating directories), with a mode. */
export async function put(root: string, hostPath: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const full = join(root, hostPath);
  await fsp.mkdir(dirname(full), { recursive: true });
  await fsp.writeFile(full, content);
  await fsp.chmod(full, mode);
}

/** What the kleene-daemon port installs as /usr/local/etc/rc.d/kleened: the one reconstruction
 * from FACTS.md that the rc.d tests also run (test/fixtures/port/kleened). */
export const PORT_SCRIPT = readFileSync(new URL('../fixtures/port/kleened', import.meta.url), 'utf8');

/** Collects output lines. */
export function collector(): { out: (l: string) => void; lines: string[]; text: () => string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), lines, text: () => lines.join('\n') };
}
