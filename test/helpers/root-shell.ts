// A staged root that can run its own /bin/sh under chroot(8): this machine's sh (and any other
// binaries asked for) copied into the root with the shared libraries ldd names, so a test can
// prove that what a staged rc.conf runs runs inside the root. Linux only (ldd); needs nothing
// from the root but a directory.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const closures = new Map<string, string[]>();

/** Files (host paths) a binary needs: itself and every library ldd lists. */
function closure(bin: string): string[] {
  const known = closures.get(bin);
  if (known) return known;
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  const libs = [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
  closures.set(bin, [bin, ...libs]);
  return [bin, ...libs];
}

/**
 * Puts /bin/sh (this machine's, as the root's) and `extra` binaries (at their own paths) under
 * root, with their libraries. `from`: an already staged root to hard-link from (same file system).
 */
export function stageShell(root: string, extra: string[] = [], from?: string): void {
  const wanted = new Map<string, string>([['/bin/sh', realpathSync('/bin/sh')]]);
  for (const b of extra) wanted.set(b, realpathSync(b));
  for (const [at, real] of wanted) {
    for (const f of closure(real)) {
      const dest = join(root, f === real ? at : f);
      if (existsSync(dest)) continue;
      mkdirSync(dirname(dest), { recursive: true });
      const src = from ? join(from, f === real ? at : f) : f;
      try {
        if (from) linkSync(src, dest);
        else copyFileSync(f, dest);
      } catch {
        copyFileSync(f, dest);
      }
    }
  }
}
