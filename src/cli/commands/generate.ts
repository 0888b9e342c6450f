// `kleene-boot generate`: render both rc.d scripts and install them with the hook bundle under
// a root, print them (--stdout), or show what would change (--diff, exit 1 when something would).
// On an installed host (a manifest under the root) whose prefix it writes into, the scripts stay
// kleene-boot's: the same ownership check as install (src/install/ownership.ts) refuses a
// hand-edited one unless --force, the node recorded at install is the default, and the manifest
// records what was written, so doctor and uninstall see kleene-boot's scripts, not "edited" ones.
import { promises as fsp } from 'node:fs';
import type { CommandModule } from 'yargs';
import { checkForeignScripts, renderFiles, underRoot, validateGenerateOptions, writeRendered, type RenderedFile } from '../../render/render.ts';
import { unifiedDiff } from '../../rcconf/diff.ts';
import { readPresent, writeUnderRoot, type Present } from '../../install/fsops.ts';
import { MANIFEST_PATH } from '../../install/layout.ts';
import { readManifest, serializeManifest, sha256 } from '../../install/manifest.ts';
import { planFiles, refuseChangedSinceInstall } from '../../install/ownership.ts';
import { answeringCheck, WOULD_CHANGE } from '../status.ts';

interface GenerateArgs {
  root: string;
  prefix: string;
  node?: string;
  stdout?: boolean;
  diff?: boolean;
  force?: boolean;
}

async function readOrEmpty(path: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Unified diffs of every rendered file against what is under root; the hook is compared by bytes only. */
export async function diffRendered(root: string, files: RenderedFile[]): Promise<{ text: string; changed: boolean }> {
  let text = '';
  let changed = false;
  for (const f of files) {
    const target = underRoot(root, f.path);
    const old = await readOrEmpty(target);
    const modeNow = old ? (await fsp.stat(target)).mode & 0o7777 : undefined;
    if (old && old.equals(f.content) && modeNow === f.mode) continue;
    changed = true;
    if (f.path.endsWith('.js')) {
      text += `Files ${old ? target : '/dev/null'} and ${f.path} differ (bundle)\n`;
      continue;
    }
    if (old && old.equals(f.content)) {
      text += `mode of ${target}: ${modeNow?.toString(8)} -> ${f.mode.toString(8)}\n`;
      continue;
    }
    text += unifiedDiff(old ? target : '/dev/null', target, old?.toString('utf8') ?? '', f.content.toString('utf8'));
  }
  return { text, changed };
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  builder: (y) =>
    y
      .option('prefix', { type: 'string', default: '/usr/local', describe: 'Installation prefix on the host' })
      .option('node', { type: 'string', describe: 'Node.js on the host [default: as installed, else PREFIX/bin/node]' })
      .option('stdout', { type: 'boolean', describe: 'Print the scripts instead of writing them' })
      .option('diff', { type: 'boolean', describe: 'Print a unified diff against the installed files; write nothing; exit 0 when nothing would change, 1 when something would, 2 on trouble' })
      .option('force', { type: 'boolean', describe: "Replace an rc.d script kleene-boot did not generate (the port's), or one edited since install" })
      .conflicts('stdout', 'diff') as never,
  handler: async (argv) => {
    const root = argv.root;
    // As install: on an installed host the node chosen then stays unless --node says otherwise.
    const recorded = await readManifest(underRoot(root, MANIFEST_PATH));
    const opts = validateGenerateOptions({ prefix: argv.prefix, node: argv.node ?? (recorded?.prefix === argv.prefix ? recorded.node : undefined) });
    if (argv.stdout) {
      const files = await renderFiles(opts, { withHook: false });
      for (const f of files) process.stdout.write(`---${f.path}---\n${f.content.toString('utf8')}`);
      return;
    }
    const files = await renderFiles(opts);
    if (argv.diff) {
      answeringCheck();
      const { text, changed } = await diffRendered(root, files);
      process.stdout.write(text);
      process.exitCode = changed ? WOULD_CHANGE : 0;
      return;
    }
    const manifestFull = underRoot(root, MANIFEST_PATH);
    const manifest = await readManifest(manifestFull);
    const installed = manifest !== undefined && files.some((f) => manifest.files.some((m) => m.path === f.path));
    if (installed) {
      const present = new Map<string, Present | undefined>();
      for (const f of files) present.set(f.path, await readPresent(root, f.path));
      refuseChangedSinceInstall(root, planFiles(files, present, manifest, argv.force ?? false), 'generate');
    }
    // Files no install recorded: the port's script is install's to replace (it keeps a copy).
    await checkForeignScripts(root, files, argv.force);
    const written = await writeRendered(root, files);
    for (const w of written) process.stdout.write(`${w}\n`);
    if (installed) {
      for (const f of files) {
        const e = manifest.files.find((m) => m.path === f.path);
        if (e) Object.assign(e, { sha256: sha256(f.content), mode: f.mode });
      }
      // What the scripts now run is the node install re-uses and doctor compares against.
      manifest.node = opts.node;
      await writeUnderRoot(root, MANIFEST_PATH, Buffer.from(serializeManifest(manifest)), 0o644);
      process.stdout.write(`recorded them in ${manifestFull}\n`);
    }
  },
};
