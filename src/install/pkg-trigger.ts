// `kleene-boot pkg-trigger`, what the pkg trigger runs at the end of a package transaction that
// installed rc.d/kleened (pkg-triggers(5)): `pkg upgrade kleene-daemon` writes the port's script
// over kleene-boot's, the one whose start returns before kleened's API answers and whose stop
// may hang. It puts kleene-boot's script back through install's own code path (runInstall,
// limited to that one file), and the package's new script becomes the original that uninstall
// restores. One line says what it did and why, on pkg's output and in syslog; nothing at all
// when kleene-boot's script is in place; only a warning for a script edited by hand (install's
// rule: someone's work is never overwritten without --force).
import { isGeneratedScript } from '../render/render.ts';
import { desiredFiles, type DesiredFile } from './artifacts.ts';
import { readPresent } from './fsops.ts';
import { runInstall } from './install.ts';
import { installLayout, MANIFEST_PATH } from './layout.ts';
import { readManifest, sha256 } from './manifest.ts';
import { resolveRoot, underRoot } from './paths.ts';
import type { GenerateOptions } from '../render/render.ts';

export interface PkgTriggerDeps {
  /** Where the one line goes besides syslog: pkg's output (stdout), prefixed `kleene-boot: `. */
  out: (line: string) => void;
  /** Sends the line to syslog, without the prefix (logger's tag `kleene-boot` says it). */
  log: (line: string) => Promise<void>;
  files?: (opts: GenerateOptions) => Promise<DesiredFile[]>;
}

export type PkgTriggerResult = 'not-installed' | 'in-place' | 'edited' | 'repaired';

/**
 * Runs the trigger's work on the host or staging root `rawRoot`. Resolves to what it found:
 * `repaired` (the port's script replaced, one line), `edited` (left alone, one warning line),
 * `in-place` or `not-installed` (nothing printed, nothing changed).
 */
export async function runPkgTrigger(rawRoot: string, deps: PkgTriggerDeps): Promise<PkgTriggerResult> {
  const root = await resolveRoot(rawRoot);
  const manifest = await readManifest(underRoot(root, MANIFEST_PATH));
  const path = manifest ? installLayout(manifest.prefix).rcd.kleened : undefined;
  const entry = manifest?.files.find((f) => f.path === path);
  // kleene-boot's package without `kleene-boot install`: the port's script is the one in use.
  if (!manifest || !path || !entry) return 'not-installed';
  const shown = underRoot(root, path);
  const files = deps.files ?? desiredFiles;
  const only = async (opts: GenerateOptions) => (await files(opts)).filter((f) => f.path === path);

  const present = await readPresent(root, path);
  if (present) {
    if (present.sha256 === entry.sha256) return 'in-place';
    const desired = (await only({ prefix: manifest.prefix, node: manifest.node }))[0];
    if (desired && present.sha256 === sha256(desired.content)) return 'in-place';
    if (isGeneratedScript(present.content.toString('latin1'))) {
      const line = `warning: ${shown} is kleene-boot's script edited by hand since install; left as it is (see 'kleene-boot doctor'; 'kleene-boot install --force' replaces it)`;
      deps.out(`kleene-boot: ${line}`);
      await deps.log(line);
      return 'edited';
    }
  }

  const said: string[] = [];
  await runInstall({ root, repairPackageScript: true }, { out: (l) => said.push(l), files: only });
  const kept = said.find((l) => l.startsWith('kept the original '))?.replace(/^kept the original \S+ as /, '');
  const line = present
    ? `a package put its ${shown} back (its start returns before kleened's API answers, its stop may hang); kleene-boot's script is in place again, the package's kept as ${kept ?? 'the original'} for 'kleene-boot uninstall'`
    : `${shown} was missing after a package transaction; kleene-boot's script is in place again`;
  deps.out(`kleene-boot: ${line}`);
  await deps.log(line);
  return 'repaired';
}
