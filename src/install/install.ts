// `kleene-boot install`: puts the generated rc.d scripts, the hook, the CLI, a bin entry and the
// man page on the host, optionally enables both services through the rc.conf editor, and records
// all of it in the manifest so `uninstall` can undo exactly that. Decides first (planFiles, pure
// over what it read), then acts; a second run with the same options finds nothing to do.
import { KleeneBootError } from '../errors.ts';
import { validateGenerateOptions, type GenerateOptions } from '../render/render.ts';
import { desiredFiles, type DesiredFile } from './artifacts.ts';
import { fileDiff } from './diff.ts';
import { backupOriginal, ensureParentDirs, readPresent, toHost, writeUnderRoot, type Present } from './fsops.ts';
import { MANIFEST_PATH, RC_BACKUP_DIR, STATE_DIR, origPathFor } from './layout.ts';
import { MANIFEST_VERSION, readManifest, serializeManifest, sha256, type Manifest, type ManifestFile, type ManifestRcFile } from './manifest.ts';

export { planFiles, type FileStep } from './ownership.ts';
import { checkTarget, lstatMaybe, resolveRoot, underRoot } from './paths.ts';
import { planFiles, refuseChangedSinceInstall, type FileStep } from './ownership.ts';
import { promises as fsp } from 'node:fs';
import { defaultRcEditor, type RcEditor } from './rcconf-port.ts';

export interface InstallOptions {
  root?: string;
  prefix?: string;
  node?: string;
  enable?: boolean;
  dryRun?: boolean;
  /** With dryRun: also the text diffs of the rc.d scripts and rc.conf (never of the bundles). */
  diff?: boolean;
  force?: boolean;
}

export interface InstallDeps {
  out: (line: string) => void;
  editor?: RcEditor;
  /** The files to install; default: desiredFiles() from the shipped bundles and templates. */
  files?: (opts: GenerateOptions) => Promise<DesiredFile[]>;
}

const SERVICES = ['kleened', 'kleene_containers'] as const;

/**
 * Runs install; resolves to the exit status: 0 (also for "nothing to do" and --dry-run), and for
 * --diff 1 when something would change, as diff(1). Throws KleeneBootError on refusal.
 */
export async function runInstall(raw: InstallOptions, deps: InstallDeps): Promise<number> {
  const { out } = deps;
  const editor = deps.editor ?? defaultRcEditor;
  const root = await resolveRoot(raw.root ?? '/');
  const manifestFull = underRoot(root, MANIFEST_PATH);
  const old = await readManifest(manifestFull);
  // A re-install (doctor's usual fix) keeps the prefix and node chosen the first time unless
  // told otherwise: silently switching the scripts to another node would be a surprise at boot.
  const samePrefix = raw.prefix === undefined || raw.prefix === old?.prefix;
  const opts = validateGenerateOptions({
    prefix: raw.prefix ?? old?.prefix,
    node: raw.node ?? (samePrefix ? old?.node : undefined),
  });
  if (old && old.prefix !== opts.prefix) {
    throw new KleeneBootError('prefix-mismatch', `kleene-boot is installed with prefix ${old.prefix}, not ${opts.prefix}`, { option: 'prefix' },
      `run 'kleene-boot uninstall' first, or install again with --prefix ${old.prefix}`);
  }

  const files = await (deps.files ?? desiredFiles)(opts);
  const present = new Map<string, Present | undefined>();
  for (const f of files) present.set(f.path, await readPresent(root, f.path));
  const steps = planFiles(files, present, old, raw.force ?? false);

  refuseChangedSinceInstall(root, steps, 'install');

  // rc.conf: what --enable would change, asked of the editor without writing.
  const rcPlans: Array<{ service: (typeof SERVICES)[number]; name: string; diff: string; files: string[]; changes: string[] }> = [];
  if (raw.enable) {
    for (const service of SERVICES) {
      const name = `${service}_enable`;
      const dry = await editor.apply([{ op: 'set', name, value: 'YES' }], { root, service, dryRun: true });
      if (dry.changed) {
        rcPlans.push({
          service, name, diff: dry.diff, files: [...new Set(dry.changes.map((c) => hostOf(root, c.file)))],
          changes: dry.changes.map((c) => `would set ${c.name}=${c.after ?? ''} in ${underRoot(root, hostOf(root, c.file))} (was ${c.before === undefined ? 'unset' : `'${c.before}'`})`),
        });
      }
    }
  }

  const writes = steps.filter((s) => s.kind === 'create' || s.kind === 'update' || s.kind === 'force' || (s.kind === 'replace' && s.write));
  const manifestOnly = steps.some((s) => (s.kind === 'replace' && !s.write) || (s.kind === 'unchanged' && old?.files.find((f) => f.path === s.file.path)?.sha256 !== s.present.sha256))
    || (old !== undefined && old.node !== opts.node);
  if (writes.length === 0 && rcPlans.length === 0 && !manifestOnly) {
    out(`kleene-boot install: nothing to do; ${files.length} files already installed under ${root}${raw.enable ? ', both services enabled' : ''}`);
    return 0;
  }

  if (raw.dryRun || raw.diff) {
    for (const line of dryRunLines(root, steps, rcPlans, raw.diff === true)) out(line);
    out(`kleene-boot install: dry run, nothing written (${writes.length} files and ${rcPlans.length} rc.conf settings would change)`);
    // --diff answers "would anything change?" as diff(1) does (1: yes); --dry-run only previews.
    return raw.diff ? 1 : 0;
  }

  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    prefix: opts.prefix,
    node: opts.node,
    files: old ? old.files.map((f) => ({ ...f })) : [],
    dirs: old ? [...old.dirs] : [],
    rcconf: old ? old.rcconf.map((r) => ({ ...r, changes: r.changes.map((c) => ({ ...c })) })) : [],
  };
  const addDirs = (dirs: string[]) => { for (const d of dirs) if (!manifest.dirs.includes(d)) manifest.dirs.push(d); };
  const entryFor = (path: string): ManifestFile => {
    let e = manifest.files.find((f) => f.path === path);
    if (!e) {
      e = { path, sha256: '', mode: 0 };
      manifest.files.push(e);
    }
    return e;
  };
  const saveManifest = async () => {
    addDirs(await writeUnderRoot(root, MANIFEST_PATH, Buffer.from(serializeManifest(manifest)), 0o644));
  };

  // Originals first, and the manifest naming them, before any target changes: an install killed
  // half-way leaves a manifest that uninstall (or the next install) can work from.
  addDirs(await ensureParentDirs(root, MANIFEST_PATH));
  for (const s of steps) {
    if (s.kind === 'replace' || (s.kind === 'force' && s.keepAsOriginal)) {
      const { original, created } = await backupOriginal(root, s.present, origPathFor(s.file.path));
      addDirs(created);
      entryFor(s.file.path).original = original;
      out(`kept the original ${underRoot(root, s.file.path)} as ${underRoot(root, original.backup)}`);
    }
  }
  for (const s of steps) {
    const e = entryFor(s.file.path);
    e.sha256 = sha256(s.file.content);
    e.mode = s.file.mode;
  }
  await saveManifest();

  for (const s of writes) {
    addDirs(await writeUnderRoot(root, s.file.path, s.file.content, s.file.mode));
    const verb = s.kind === 'create' ? 'wrote' : 'replaced';
    const note = s.kind === 'force' && !s.keepAsOriginal ? '; the changes made to it since install are gone' : '';
    out(`${verb} ${underRoot(root, s.file.path)} (mode 0${s.file.mode.toString(8)})${note}`);
  }

  for (const r of rcPlans) {
    const before = new Map<string, Present | undefined>();
    for (const f of r.files) {
      before.set(f, await readPresent(root, f));
      if (!manifest.rcconf.some((e) => e.path === f)) {
        const p = before.get(f);
        const rec: ManifestRcFile = { path: f, sha256: '', original: null, wholeFile: true, changes: [] };
        if (p) {
          const { original, created } = await backupOriginal(root, p, origPathFor(f));
          addDirs(created);
          rec.original = original;
        }
        manifest.rcconf.push(rec);
      }
    }
    // The editor creates the directories of the service's fragment (/etc/rc.conf.d/<service>)
    // and of the files it edits when they are missing; note which ones it will have created.
    const missingBefore: string[] = [];
    for (const f of [`/etc/rc.conf.d/${r.service}`, ...r.files]) {
      for (const d of (await checkTarget(root, underRoot(root, f))).missingDirs) missingBefore.push(toHost(root, d));
    }
    await saveManifest();
    const backupsBefore = await listBackups(root);
    const hadBackupDir = (await lstatMaybe(underRoot(root, RC_BACKUP_DIR))) !== undefined;
    const done = await editor.apply([{ op: 'set', name: r.name, value: 'YES' }], { root, service: r.service, stateDir: underRoot(root, STATE_DIR) });
    // The editor's own backups live in our state directory: record them so uninstall removes them.
    for (const b of await listBackups(root)) {
      if (backupsBefore.includes(b)) continue;
      const p = await readPresent(root, b);
      if (p) manifest.files.push({ path: b, sha256: p.sha256, mode: p.mode });
      if (!hadBackupDir) addDirs([RC_BACKUP_DIR]);
    }
    for (const d of missingBefore) if ((await lstatMaybe(underRoot(root, d)))?.isDirectory()) addDirs([d]);
    for (const c of done.changes) {
      const f = hostOf(root, c.file);
      const rec = manifest.rcconf.find((e) => e.path === f);
      if (!rec) continue;
      // The whole-file restore of uninstall is only right while nobody else edited the file.
      if (rec.sha256 !== '' && rec.sha256 !== before.get(f)?.sha256) rec.wholeFile = false;
      const prev = rec.changes.find((x) => x.name === c.name);
      if (prev) prev.after = c.after ?? '';
      else rec.changes.push({ name: c.name, ...(c.before !== undefined ? { before: c.before } : {}), after: c.after ?? '' });
      out(`set ${c.name}=${c.after ?? ''} in ${underRoot(root, f)} (was ${c.before === undefined ? 'unset' : `'${c.before}'`})`);
    }
    for (const f of r.files) {
      const rec = manifest.rcconf.find((e) => e.path === f);
      const now = await readPresent(root, f);
      if (rec && now) rec.sha256 = now.sha256;
    }
  }

  await saveManifest();
  out(`wrote ${manifestFull}`);
  if (writes.length === 0 && rcPlans.length === 0) out('kleene-boot install: files already as generated; manifest updated');
  return 0;
}

/**
 * What a dry run prints: one line per file (would write, would replace and why, unchanged), then
 * each rc.conf change; with `diff`, the text diff of each rc.d script that would change and of
 * rc.conf follows its line. Bundles, templates and the man page never get a diff: nobody reads
 * 40,000 lines of minified JS to find the one line that matters. Pure.
 */
export function dryRunLines(root: string, steps: FileStep[], rc: Array<{ name: string; diff: string; changes?: string[] }>, diff: boolean): string[] {
  const lines: string[] = [];
  const at = (p: string) => underRoot(root, p);
  const mode = (f: DesiredFile) => `mode 0${f.mode.toString(8)}`;
  for (const s of steps) {
    const path = at(s.file.path);
    switch (s.kind) {
      case 'create': lines.push(`would write ${path} (new, ${mode(s.file)})`); break;
      case 'update': lines.push(`would replace ${path} (installed by kleene-boot, now ${s.present.sha256 === sha256(s.file.content) ? 'another mode' : 'another version'})`); break;
      case 'force': lines.push(`would replace ${path} (changed since install; --force${s.keepAsOriginal ? `; kept as ${at(origPathFor(s.file.path))} for uninstall` : ': the changes are lost'})`); break;
      case 'replace':
        lines.push(s.write
          ? `would replace ${path}: kleene-boot did not write it (the port's script?); kept as ${at(origPathFor(s.file.path))}, put back by uninstall`
          : `unchanged ${path} (already as generated; would be recorded, with a copy kept for uninstall)`);
        break;
      case 'unchanged': lines.push(`unchanged ${path}`); break;
      case 'refuse': lines.push(`refused ${path} (changed since install)`); break;
    }
    const written = s.kind === 'create' || s.kind === 'update' || s.kind === 'force' || (s.kind === 'replace' && s.write);
    if (diff && written && /\/rc\.d\//.test(s.file.path)) {
      lines.push(fileDiff(path, s.kind === 'create' ? undefined : s.present, s.file));
    }
  }
  for (const r of rc) {
    for (const c of r.changes ?? [`would set ${r.name}`]) lines.push(c);
    if (diff) lines.push(r.diff.endsWith('\n') ? r.diff.slice(0, -1) : r.diff);
  }
  return lines;
}

/** Host paths of the rc.conf editor's backups under our state directory. */
async function listBackups(root: string): Promise<string[]> {
  const dir = underRoot(root, RC_BACKUP_DIR);
  if (!(await lstatMaybe(dir))?.isDirectory()) return [];
  return (await fsp.readdir(dir)).sort().map((n) => `${RC_BACKUP_DIR}/${n}`);
}

/** Host path of a file the editor reports (it may answer with the path under the root). */
function hostOf(root: string, file: string): string {
  return root !== '/' && (file === root || file.startsWith(root + '/')) ? toHost(root, file) : file;
}
