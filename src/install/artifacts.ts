// What an install puts on the host, as bytes: the generator's rc.d scripts and hook, the CLI
// bundle with the templates it renders from, a /bin entry, the man page, the pkg trigger and the
// periodic script. Reads shipped files; writes nothing.
import { existsSync, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { KleeneBootError } from '../errors.ts';
import { renderFiles, resolveDist, templatesDir, type GenerateOptions } from '../render/render.ts';
import { shQuote } from '../shell/quote.ts';
import { renderPeriodicDaily, renderPkgTrigger } from './host-hooks.ts';
import { installLayout } from './layout.ts';

export interface DesiredFile {
  /** Host path. */
  path: string;
  content: Buffer;
  mode: number;
  /** Compressed or otherwise not worth a text diff. */
  binary?: boolean;
}

/** The `<prefix>/bin/kleene-boot` entry: runs the installed bundle with the chosen node. Pure. */
export function renderWrapper(opts: GenerateOptions): string {
  const { cli } = installLayout(opts.prefix);
  return [
    '#!/bin/sh',
    '# kleene-boot: installed by `kleene-boot install`; removed by `kleene-boot uninstall`.',
    '# Runs the bundled CLI with the node chosen at install time (rc(8) and cron have no /usr/local/bin',
    '# in PATH, so the path is absolute).',
    `exec ${shQuote(opts.node)} ${shQuote(cli)} "$@"`,
    '',
  ].join('\n');
}

/** gzip as man(1) reads it; node's gzip header has no file name and a zero mtime, so equal input gives equal bytes. */
export function gzipManPage(source: Buffer): Buffer {
  return gzipSync(source, { level: 9 });
}

function selfDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * The man page source: `kleene-boot.8` at the top of a checkout (beside dist/ or src/install/), or,
 * for an installed CLI re-running install, the installed `<prefix>/share/man/man8/kleene-boot.8.gz`.
 */
export async function readManSource(): Promise<Buffer> {
  const here = selfDir();
  for (const c of [join(here, 'kleene-boot.8'), join(here, '..', 'kleene-boot.8'), join(here, '..', '..', 'kleene-boot.8')]) {
    if (existsSync(c)) return fsp.readFile(c);
  }
  const gz = join(here, '..', '..', 'share', 'man', 'man8', 'kleene-boot.8.gz');
  if (existsSync(gz)) return gunzipSync(await fsp.readFile(gz));
  throw new KleeneBootError('ENOSHIP', `cannot find the man page kleene-boot.8 near ${resolve(here)}`, undefined,
    'run kleene-boot install from a checkout (./install.sh) or from an installed kleene-boot');
}

/** Every file an install writes, in the order it writes them (scripts last, once what they run is in place). */
export async function desiredFiles(opts: GenerateOptions): Promise<DesiredFile[]> {
  const layout = installLayout(opts.prefix);
  const rendered = await renderFiles(opts);
  const out: DesiredFile[] = [];
  const cliPath = resolveDist('cli.js');
  out.push({ path: layout.cli, content: await fsp.readFile(cliPath), mode: 0o444 });
  // The code caches npm run build made beside cli.js with the node that builds (install.sh: this
  // host's). Only a speed-up: a bundle shipped without them installs without them.
  for (const cache of layout.codeCaches) {
    const content = await fsp.readFile(join(dirname(cliPath), basename(cache))).catch(() => undefined);
    if (content) out.push({ path: cache, content, mode: 0o444, binary: true });
  }
  // The bundles are CommonJS; this keeps node from reading them as ES modules should some
  // directory above (a staging root inside a project, say) hold a package.json with "type": "module".
  out.push({ path: `${layout.libexecDir}/package.json`, content: Buffer.from('{ "type": "commonjs" }\n'), mode: 0o444 });
  // The CLI renders from templates at run time (render.ts looks for templates/ beside cli.js).
  const tdir = templatesDir();
  for (const name of (await fsp.readdir(tdir)).filter((n) => n.endsWith('.hbs')).sort()) {
    out.push({ path: `${layout.templatesDir}/${name}`, content: await fsp.readFile(join(tdir, name)), mode: 0o444 });
  }
  for (const f of rendered.filter((r) => r.path === layout.hook)) out.push({ path: f.path, content: f.content, mode: f.mode });
  out.push({ path: layout.wrapper, content: Buffer.from(renderWrapper(opts)), mode: 0o555 });
  out.push({ path: layout.man, content: gzipManPage(await readManSource()), mode: 0o444, binary: true });
  // What FreeBSD runs on its own after install: pkg after a transaction that reinstalls the
  // port's rc.d/kleened, periodic every night (both call the CLI above, hence after it).
  out.push({ path: layout.pkgTrigger, content: Buffer.from(renderPkgTrigger(opts)), mode: 0o444 });
  out.push({ path: layout.periodicDaily, content: Buffer.from(renderPeriodicDaily(opts)), mode: 0o555 });
  for (const f of rendered.filter((r) => r.path !== layout.hook)) out.push({ path: f.path, content: f.content, mode: f.mode });
  return out;
}
