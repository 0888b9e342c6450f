// `kleene-boot generate`: render both rc.d scripts and install them with the hook bundle under
// a root, print them (--stdout), or show what would change (--diff, exit 1 when something would).
import { promises as fsp } from 'node:fs';
import type { CommandModule } from 'yargs';
import { checkForeignScripts, renderFiles, underRoot, validateGenerateOptions, writeRendered, type RenderedFile } from '../../render/render.ts';
import { unifiedDiff } from '../../rcconf/diff.ts';

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
      .option('node', { type: 'string', describe: 'Node.js on the host [default: PREFIX/bin/node]' })
      .option('stdout', { type: 'boolean', describe: 'Print the scripts instead of writing them' })
      .option('diff', { type: 'boolean', describe: 'Print a unified diff against the installed files; write nothing; exit 1 when something would change' })
      .option('force', { type: 'boolean', describe: "Replace an rc.d script kleene-boot did not generate (the port's)" })
      .conflicts('stdout', 'diff') as never,
  handler: async (argv) => {
    const opts = validateGenerateOptions({ prefix: argv.prefix, node: argv.node });
    const root = argv.root;
    if (argv.stdout) {
      const files = await renderFiles(opts, { withHook: false });
      for (const f of files) process.stdout.write(`---${f.path}---\n${f.content.toString('utf8')}`);
      return;
    }
    const files = await renderFiles(opts);
    if (argv.diff) {
      const { text, changed } = await diffRendered(root, files);
      process.stdout.write(text);
      process.exitCode = changed ? 1 : 0;
      return;
    }
    await checkForeignScripts(root, files, argv.force);
    const written = await writeRendered(root, files);
    for (const w of written) process.stdout.write(`${w}\n`);
  },
};
