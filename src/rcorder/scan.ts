// Which scripts /etc/rc would hand to rcorder on a host (or a staged root): every regular file of
// /etc/rc.d, plus the local_startup scripts that rc.subr's find_local_scripts_new accepts:
// executable, with a line starting `# PROVIDE:`, and not `*.sample` / `*.pkgsave` (rc(8), FACTS).
// Thin adapter over the file system for `plan` and `doctor`; the ordering itself is order.ts.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseHeaders } from './headers.ts';
import type { RcFile } from './order.ts';

export interface ScanOptions {
  /** Base scripts directory (host path). Default /etc/rc.d. */
  baseDir?: string;
  /** local_startup directories (host paths), in rc.conf order. Default /usr/local/etc/rc.d. */
  localDirs?: readonly string[];
}

/** A local script /etc/rc would not run, and why (for doctor's messages). */
export interface SkippedScript {
  file: string;
  reason: 'not-executable' | 'no-provide' | 'sample-or-pkgsave' | 'not-a-file';
}

export interface ScanResult {
  /** Host paths (as on the host, without the root) with their headers, base scripts first, each directory in glob order. */
  files: RcFile[];
  skipped: SkippedScript[];
}

/**
 * Lists and parses the scripts rc(8) would order under `root` ('/' for the running host); never
 * throws for a missing directory (it contributes nothing), only for other I/O errors.
 */
export async function scanRcScripts(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const baseDir = opts.baseDir ?? '/etc/rc.d';
  const localDirs = opts.localDirs ?? ['/usr/local/etc/rc.d'];
  const files: RcFile[] = [];
  const skipped: SkippedScript[] = [];
  for (const { dir, local } of [{ dir: baseDir, local: false }, ...localDirs.map((dir) => ({ dir, local: true }))]) {
    for (const name of await listSorted(join(root, dir))) {
      // rc's glob `dir/*` skips dot files.
      if (name.startsWith('.')) continue;
      const file = `${dir.replace(/\/+$/, '')}/${name}`;
      const real = join(root, file);
      const st = await fsp.stat(real).catch(() => undefined);
      if (!st?.isFile()) {
        if (local) skipped.push({ file, reason: 'not-a-file' });
        continue;
      }
      const text = await fsp.readFile(real, 'latin1');
      if (local) {
        if (/\.(sample|pkgsave)$/.test(name)) { skipped.push({ file, reason: 'sample-or-pkgsave' }); continue; }
        if ((st.mode & 0o111) === 0) { skipped.push({ file, reason: 'not-executable' }); continue; }
        if (!/^# PROVIDE:/m.test(text)) { skipped.push({ file, reason: 'no-provide' }); continue; }
      }
      files.push({ file, header: parseHeaders(text, file) });
    }
  }
  return { files, skipped };
}

/** Entries of a directory in the C locale's glob order (byte order), or none when it is missing. */
async function listSorted(dir: string): Promise<string[]> {
  try {
    const names = await fsp.readdir(dir);
    return names.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
}
