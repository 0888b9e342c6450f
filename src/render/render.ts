// Model → files. Builds the view model of each template from the options and the KNOBS table
// (values only; templates hold no logic beyond substitution), renders the two rc.d scripts and
// pairs them with the bundled hook. Writing is separate (writeRendered) so --stdout and --diff
// never touch the disk.
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../fs/atomic.ts';
import { underRoot } from '../fs/root.ts';
import { KleeneBootError } from '../errors.ts';
import { KNOBS, knobDefault } from '../model/knobs.ts';
import { compileShellTemplate } from './handlebars.ts';
import type { GenerateOptions } from './options.ts';

export { validateGenerateOptions, type GenerateOptions } from './options.ts';

export interface RenderedFile {
  /** Absolute path on the target host, e.g. /usr/local/etc/rc.d/kleened. */
  path: string;
  content: Buffer;
  mode: number;
}

export const SCRIPTS = ['kleened', 'kleene_containers'] as const;

/** The directory this code runs from: src/render in a checkout, the bundle's dir when built. */
function selfDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** Finds a file shipped beside the code: templates/ or dist/ in a checkout, or next to an installed bundle. */
function findShipped(rel: string): string {
  const here = selfDir();
  const candidates = [join(here, rel), join(here, '..', rel), join(here, '..', '..', rel)];
  for (const c of candidates) if (existsSync(c)) return resolve(c);
  throw new KleeneBootError('ENOSHIP', `cannot find ${rel} next to kleene-boot (looked in ${candidates.map((c) => resolve(c)).join(', ')})`,
    undefined, 'run `npm run build` in a checkout, or reinstall kleene-boot');
}

/** Path of a bundle: dist/<file> in a checkout, <prefix>/libexec/kleene-boot/<file> when installed. */
export function resolveDist(file: 'cli.js' | 'hook.js'): string {
  const here = selfDir();
  // Installed or built: the bundle sits beside the running cli.js.
  if (existsSync(join(here, file)) && existsSync(join(here, 'templates'))) return join(here, file);
  return findShipped(join('dist', file));
}

export function templatesDir(): string {
  return findShipped('templates');
}

/** The view model: every knob default for one service, keyed by the part after `<service>_`. */
function defaultsFor(service: string, opts: GenerateOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KNOBS) {
    if (k.name.includes('<name>')) continue;
    out[k.name] = knobDefault(k, opts);
  }
  void service;
  return out;
}

export function scriptPath(opts: GenerateOptions, script: (typeof SCRIPTS)[number]): string {
  return `${opts.prefix}/etc/rc.d/${script}`;
}

export function hookPath(opts: GenerateOptions): string {
  return `${opts.prefix}/libexec/kleene-boot/hook.js`;
}

/** Renders one rc.d script to text. Throws when a template asks for a value the model lacks. */
export async function renderScript(script: (typeof SCRIPTS)[number], opts: GenerateOptions): Promise<string> {
  const source = await fsp.readFile(join(templatesDir(), `${script}.hbs`), 'utf8');
  const tpl = compileShellTemplate(source, `${script}.hbs`);
  return tpl({
    d: defaultsFor(script, opts),
    pidfile: '/var/run/kleened.pid',
    logfile: '/var/log/kleened.log',
    daemon: '/usr/sbin/daemon',
  });
}

/** Renders both rc.d scripts (0555) and pairs them with the hook bundle (0444). */
export async function renderFiles(opts: GenerateOptions, { withHook = true } = {}): Promise<RenderedFile[]> {
  const files: RenderedFile[] = [];
  for (const s of SCRIPTS) {
    files.push({ path: scriptPath(opts, s), content: Buffer.from(await renderScript(s, opts)), mode: 0o555 });
  }
  if (withHook) {
    files.push({ path: hookPath(opts), content: await fsp.readFile(resolveDist('hook.js')), mode: 0o444 });
  }
  return files;
}

export { underRoot } from '../fs/root.ts';

/** Writes rendered files under root atomically (creating directories); never follows a symlink at a target. */
export async function writeRendered(root: string, files: RenderedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    const target = underRoot(root, f.path);
    await fsp.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFileAtomic(target, f.content, { mode: f.mode, keepOwner: false });
    written.push(target);
  }
  return written;
}
