// Who owns an installed file, decided once for `install` and `generate`: a file kleene-boot
// installed (recorded in the manifest with its checksum) is kleene-boot's to replace while it
// is as recorded; once someone edited it, both refuse it unless --force (the edit would be lost
// silently otherwise, and doctor and uninstall would call the file "edited"). A file the
// manifest does not name (the port's rc.d/kleened) is install's to replace keeping a copy.
import { KleeneBootError } from '../errors.ts';
import type { DesiredFile } from './artifacts.ts';
import type { Present } from './fsops.ts';
import { sha256, type Manifest } from './manifest.ts';
import { underRoot } from './paths.ts';
import { isGeneratedScript } from '../render/render.ts';

export type FileStep =
  | { kind: 'unchanged'; file: DesiredFile; present: Present }
  | { kind: 'create'; file: DesiredFile }
  | { kind: 'update'; file: DesiredFile; present: Present }
  /** A file install did not write (the port's rc.d/kleened): keep it as the original, then write. */
  | { kind: 'replace'; file: DesiredFile; present: Present; write: boolean }
  /** Changed since install and --force: the new content becomes the original when there was one. */
  | { kind: 'force'; file: DesiredFile; present: Present; keepAsOriginal: boolean }
  | { kind: 'refuse'; file: DesiredFile; present: Present };

export const same = (f: DesiredFile, p: Present): boolean => p.sha256 === sha256(f.content) && p.mode === f.mode;

/**
 * Decides, per file, what install does given what is on disk and what the manifest says it wrote.
 * Pure; never writes.
 */
export function planFiles(files: DesiredFile[], present: Map<string, Present | undefined>, manifest: Manifest | undefined, force: boolean,
  repairPackageScript = false): FileStep[] {
  return files.map((file): FileStep => {
    const p = present.get(file.path);
    const entry = manifest?.files.find((f) => f.path === file.path);
    if (!p) return { kind: 'create', file };
    if (!entry) return { kind: 'replace', file, present: p, write: !same(file, p) };
    if (same(file, p)) return { kind: 'unchanged', file, present: p };
    if (p.sha256 === entry.sha256) return { kind: 'update', file, present: p };
    // The pkg trigger: a package's script put back over ours by an upgrade is replaced (and kept
    // as the original for uninstall); a hand edit of ours is still refused.
    if (repairPackageScript && /\/rc\.d\//.test(file.path) && !isGeneratedScript(p.content.toString('latin1'))) {
      return { kind: 'replace', file, present: p, write: true };
    }
    if (!force) return { kind: 'refuse', file, present: p };
    return { kind: 'force', file, present: p, keepAsOriginal: entry.original !== undefined };
  });
}

/**
 * Throws when a step refuses a file (changed since install, no --force): the one message both
 * commands print, naming every such file and the way out. `command` is the one that refused.
 */
export function refuseChangedSinceInstall(root: string, steps: readonly FileStep[], command: 'install' | 'generate'): void {
  const refused = steps.filter((s) => s.kind === 'refuse');
  if (refused.length === 0) return;
  throw new KleeneBootError('changed-since-install',
    `changed since kleene-boot installed it: ${refused.map((s) => underRoot(root, s.file.path)).join(', ')}`,
    { file: underRoot(root, refused[0]!.file.path) },
    command === 'install'
      ? "see 'kleene-boot doctor'; 'kleene-boot install --force' replaces it (a package's script put back by an upgrade is kept as the original for uninstall)"
      : "see 'kleene-boot generate --diff' for the edit; 'kleene-boot generate --force' replaces it and records the new script as kleene-boot's");
}
