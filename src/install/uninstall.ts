// `kleene-boot uninstall`: undoes exactly what the manifest says install did. Files install wrote
// are removed, or replaced by the original they displaced (the port's rc.d/kleened); rc.conf files
// get their previous bytes back when nobody edited them since, else only the recorded variables
// are set back (or unset); directories install created go when empty; the manifest goes last.
// A file changed since install is refused (named) unless --force: it may hold someone's work.
import { KleeneBootError } from '../errors.ts';
import { unifiedDiff } from '../rcconf/diff.ts';
import { readPresent, removeDirIfEmpty, removeUnderRoot, restoreOriginal, type Present } from './fsops.ts';
import { MANIFEST_PATH } from './layout.ts';
import { readManifest, type ManifestFile, type ManifestRcFile } from './manifest.ts';
import { lstatMaybe, resolveRoot, underRoot } from './paths.ts';
import { defaultRcEditor, type RcEdit, type RcEditor } from './rcconf-port.ts';

export interface UninstallOptions {
  root?: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface UninstallDeps {
  out: (line: string) => void;
  editor?: RcEditor;
}

export type UninstallStep =
  | { kind: 'remove'; entry: ManifestFile; changed: boolean }
  | { kind: 'restore'; entry: ManifestFile; changed: boolean }
  | { kind: 'gone'; entry: ManifestFile }
  | { kind: 'refuse'; entry: ManifestFile };

/** Decides per installed file what uninstall does. Pure. */
export function planUninstallFiles(files: ManifestFile[], present: Map<string, Present | undefined>, force: boolean): UninstallStep[] {
  return files.map((entry): UninstallStep => {
    const p = present.get(entry.path);
    const changed = p !== undefined && p.sha256 !== entry.sha256;
    if (changed && !force) return { kind: 'refuse', entry };
    if (entry.original) return { kind: 'restore', entry, changed };
    return p ? { kind: 'remove', entry, changed } : { kind: 'gone', entry };
  });
}

export type RcStep =
  | { kind: 'whole'; rec: ManifestRcFile }
  | { kind: 'edits'; rec: ManifestRcFile; edits: RcEdit[] }
  | { kind: 'gone'; rec: ManifestRcFile };

/** Decides per rc.conf file how to undo install's edits. Pure. */
export function planUninstallRc(recs: ManifestRcFile[], present: Map<string, Present | undefined>): RcStep[] {
  return recs.map((rec): RcStep => {
    const p = present.get(rec.path);
    if (rec.wholeFile && p?.sha256 === rec.sha256) return { kind: 'whole', rec };
    if (!p) return { kind: 'gone', rec };
    return {
      kind: 'edits',
      rec,
      edits: rec.changes.map((c): RcEdit => (c.before === undefined ? { op: 'unset', name: c.name } : { op: 'set', name: c.name, value: c.before })),
    };
  });
}

/** Runs uninstall; resolves to the exit status. Throws KleeneBootError naming changed files (without --force). */
export async function runUninstall(raw: UninstallOptions, deps: UninstallDeps): Promise<number> {
  const { out } = deps;
  const editor = deps.editor ?? defaultRcEditor;
  const root = await resolveRoot(raw.root ?? '/');
  const manifestFull = underRoot(root, MANIFEST_PATH);
  const m = await readManifest(manifestFull);
  if (!m) {
    out(`kleene-boot uninstall: nothing to do; no manifest at ${manifestFull}`);
    return 0;
  }
  const present = new Map<string, Present | undefined>();
  for (const f of m.files) present.set(f.path, await readPresent(root, f.path));
  for (const r of m.rcconf) present.set(r.path, await readPresent(root, r.path));
  const steps = planUninstallFiles(m.files, present, raw.force ?? false);
  const refused = steps.filter((s) => s.kind === 'refuse');
  if (refused.length > 0) {
    throw new KleeneBootError('changed-since-install',
      `refusing to remove files changed since install: ${refused.map((s) => underRoot(root, s.entry.path)).join(', ')}`,
      { file: underRoot(root, refused[0]!.entry.path) },
      'move your changes elsewhere first, or run uninstall with --force to remove them anyway');
  }
  const rcSteps = planUninstallRc(m.rcconf, present);
  const at = (p: string) => underRoot(root, p);

  if (raw.dryRun) {
    for (const s of steps) {
      if (s.kind === 'remove') out(`would remove ${at(s.entry.path)}${s.changed ? ' (changed since install)' : ''}`);
      if (s.kind === 'restore') out(`would put back the original ${at(s.entry.path)} from ${at(s.entry.original!.backup)}`);
      if (s.kind === 'gone') out(`already gone: ${at(s.entry.path)}`);
    }
    for (const r of rcSteps) {
      if (r.kind === 'whole') {
        out(r.rec.original ? `would restore ${at(r.rec.path)} as it was before install:` : `would remove ${at(r.rec.path)} (install created it):`);
        const now = present.get(r.rec.path)?.content.toString('utf8') ?? '';
        const was = r.rec.original ? (await readPresent(root, r.rec.original.backup))?.content.toString('utf8') ?? '' : '';
        out(unifiedDiff(r.rec.path, r.rec.original ? r.rec.path : '/dev/null', now, was).replace(/\n$/, ''));
      }
      if (r.kind === 'edits') {
        const d = await editor.apply(r.edits, { root, file: r.rec.path, dryRun: true });
        if (d.diff) out(d.diff.replace(/\n$/, ''));
      }
    }
    out(`kleene-boot uninstall: dry run, nothing changed (manifest ${manifestFull})`);
    return 0;
  }

  // Reverse install order: the rc.d scripts (written last) go first, so boot never finds a
  // script whose hook is already gone.
  for (const s of [...steps].reverse()) {
    if (s.kind === 'restore') {
      await restoreOriginal(root, s.entry.path, s.entry.original!);
      out(`restored the original ${at(s.entry.path)}`);
    } else if (s.kind === 'remove') {
      await removeUnderRoot(root, s.entry.path);
      out(`removed ${at(s.entry.path)}${s.changed ? ' (it had changed since install: --force)' : ''}`);
    } else if (s.kind === 'gone') {
      out(`already gone: ${at(s.entry.path)}`);
    }
  }
  for (const r of rcSteps) {
    if (r.kind === 'whole') {
      if (r.rec.original) {
        await restoreOriginal(root, r.rec.path, r.rec.original);
        out(`restored ${at(r.rec.path)} as it was before install`);
      } else {
        await removeUnderRoot(root, r.rec.path);
        out(`removed ${at(r.rec.path)} (install created it)`);
      }
    } else if (r.kind === 'edits') {
      const done = await editor.apply(r.edits, { root, file: r.rec.path });
      for (const c of done.changes) out(`${c.after === undefined ? `unset ${c.name}` : `set ${c.name}=${c.after}`} in ${at(r.rec.path)}`);
    } else {
      out(`already gone: ${at(r.rec.path)}`);
    }
  }
  for (const o of [...m.files.map((f) => f.original), ...m.rcconf.map((r) => r.original)]) {
    if (o) await removeUnderRoot(root, o.backup);
  }
  const dirs = [...m.dirs].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
  for (const d of dirs) await removeDirIfEmpty(root, d);
  await removeUnderRoot(root, MANIFEST_PATH);
  for (const d of dirs) {
    if (!(await removeDirIfEmpty(root, d)) && (await readPresentDir(root, d))) out(`left ${at(d)} (not empty: holds files kleene-boot did not write)`);
  }
  out(`kleene-boot uninstall: done; removed ${manifestFull}`);
  return 0;
}

async function readPresentDir(root: string, d: string): Promise<boolean> {
  return (await lstatMaybe(underRoot(root, d)))?.isDirectory() ?? false;
}
