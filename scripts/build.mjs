// Bundles the CLI and the boot hook into single CommonJS files under dist/. CommonJS because
// the installed files live in <prefix>/libexec/kleene-boot/ with no package.json beside them,
// and Node 20 reads a bare .js file as CommonJS. The hook must run at boot with no
// node_modules, so everything it imports is inlined.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import zlib, { brotliCompressSync } from 'node:zlib';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  // import.meta.url does not exist in CommonJS: give code that needs its own location a stand-in.
  define: { 'import.meta.url': '__kleene_boot_import_meta_url' },
  banner: { js: "var __kleene_boot_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * esbuild plugin: every command module of src/cli/commands/ outside `keep` becomes an empty
 * module, so a part of the CLI holds only the code of the commands it runs (src/cli/dispatch.ts
 * never hands it another command). `keep` undefined keeps them all.
 */
const onlyCommands = (keep) => ({
  name: 'only-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.ts$/ }, (args) => {
      if (!args.importer.endsWith('/src/cli/commands/index.ts') || args.kind !== 'dynamic-import') return undefined;
      const name = args.path.slice(2, -3);
      if (keep === undefined || keep.includes(name)) return undefined;
      return { path: name, namespace: 'left-out' };
    });
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
});

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * esbuild plugin: string-width (yargs' help layout, two versions) does two costly things when it
 * is loaded, every start, help or not: it makes an Intl.Segmenter (ICU's break data, about
 * 10 ms) and the newer one compiles /^\p{RGI_Emoji}$/v (V8 expands the emoji property at
 * construction, about 8 ms). Both are made at their first use instead: the module uses the
 * segmenter for nothing but .segment() and the regex for nothing but .test(). A string-width
 * that no longer reads as expected fails the build, so that an upgrade is looked at rather
 * than silently slower.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const fail = (what) => { throw new Error(`${args.path}: ${what}; see lazyStringWidth in scripts/build.mjs`); };
      const eager = 'const segmenter = new Intl.Segmenter();';
      if (text.split(eager).length !== 2 || /\bsegmenter\.(?!segment\()/.test(text)) fail(`expected one '${eager}' used only as segmenter.segment()`);
      text = text.replace(eager, 'let eagerSegmenter; const segmenter = { segment: (s) => (eagerSegmenter ??= new Intl.Segmenter()).segment(s) };');
      const emoji = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
      if (text.includes(emoji)) {
        if (text.split(emoji).length !== 2 || /\brgiEmojiRegex\b(?!\.test\()/.test(text.replace(emoji, ''))) fail(`expected one '${emoji}' used only as rgiEmojiRegex.test()`);
        // (a function: a replacement string would read the pattern's `$'` as "the text after")
        text = text.replace(emoji, () => "let eagerRgiEmoji; const rgiEmojiRegex = { test: (s) => (eagerRgiEmoji ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(s) };");
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * esbuild plugin for the hook: `ws` is only its WebSocket client (lib/websocket.js), not the
 * server and stream helpers the package's entry also loads, and the node modules the client
 * needs only for wss:// or compression (https, tls, zlib) are loaded at their first use, which
 * a start over kleened's unix socket never makes. Together about 10 ms of every boot's first
 * start. The client's own file is resolved by path: ws exports no subpaths.
 */
const wsClientOnly = {
  name: 'ws-client-only',
  setup(b) {
    const lib = resolvePath('node_modules/ws/lib');
    b.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'ws-client' }));
    b.onLoad({ filter: /.*/, namespace: 'ws-client' }, () => ({
      contents: `module.exports = require(${JSON.stringify(`${lib}/websocket.js`)});`, loader: 'js', resolveDir: lib,
    }));
    b.onLoad({ filter: /[\\/]ws[\\/]lib[\\/](websocket|permessage-deflate)\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      for (const m of ['https', 'tls', 'zlib']) {
        const eager = `const ${m} = require('${m}');`;
        if (!text.includes(eager)) continue;
        text = text.replace(eager, `let ${m}$loaded; const ${m} = new Proxy({}, { get: (_, k) => (${m}$loaded ??= require('${m}'))[k] });`);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** A part as stored in dist/cli.js: brotli, base64 (a quarter of the bytes to read and scan at every start). */
const packed = (code) => brotliCompressSync(Buffer.from(code), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).toString('base64');

/**
 * `var __kleene_boot_templates = {…}`: each template of templates/ with its source and its code
 * as handlebars precompiles it (src/render/handlebars.ts, same options), so that generate runs
 * the code and compiles nothing while the installed template is the one built in.
 */
async function precompiledTemplates() {
  const { precompileShellTemplate } = await tsImport('../src/render/handlebars.ts', import.meta.url);
  const names = (await readdir('templates')).filter((n) => n.endsWith('.hbs')).sort();
  const entries = await Promise.all(names.map(async (n) => {
    const source = await readFile(`templates/${n}`, 'utf8');
    return `${JSON.stringify(n)}: { source: ${JSON.stringify(source)}, spec: ${precompileShellTemplate(source)} }`;
  }));
  return `var __kleene_boot_templates = {${entries.join(',\n')}};`;
}

/** One part of the CLI (see src/cli/dispatch.ts): the whole CLI with only `keep`'s command code, minified. */
async function cliPart(keep, banner = '') {
  const r = await build({ ...common, entryPoints: ['src/cli/bin.ts'], write: false, minify: !process.env.KLEENE_BOOT_NO_MINIFY,
    plugins: [onlyCommands(keep), lazyStringWidth], banner: { js: `${common.banner.js}\n${banner}` } });
  return r.outputFiles[0].text;
}

/**
 * dist/cli.js: the dispatcher (src/cli/dispatch.ts, no command code at all) and each part,
 * packed, as a string. Parts: `rc` (the rc subcommands), `generate`, and `all` (every command).
 * KLEENE_BOOT_NO_MINIFY=1 keeps names for a CPU profile.
 */
async function buildCli() {
  const templates = await precompiledTemplates();
  const [rc, generate, all] = await Promise.all([cliPart(['rc']), cliPart(['generate'], templates), cliPart(undefined, templates)]);
  const dispatcher = await build({ ...common, entryPoints: ['src/cli/dispatch.ts'], write: false, minify: true, plugins: [onlyCommands([])],
    banner: { js: [
      'var __kleene_boot_filename = __filename;',
      `var __kleene_boot_parts = ${JSON.stringify({ rc: packed(rc), generate: packed(generate), all: packed(all) })};`,
      // Which source each part is: a code cache names the one it was compiled from (src/cli/dispatch.ts).
      `var __kleene_boot_part_ids = ${JSON.stringify({ rc: sha256(rc), generate: sha256(generate), all: sha256(all) })};`,
    ].join('\n') } });
  await writeFile('dist/cli.js', dispatcher.outputFiles[0].text);
  // The parts' V8 code caches (src/cli/dispatch.ts), made by this node: the one that runs the tests
  // and the bench here, and the one install.sh builds with on a host.
  const r = spawnSync(process.execPath, ['dist/cli.js'], { encoding: 'utf8', env: { ...process.env, KLEENE_BOOT_WRITE_CODE_CACHE: 'dist' } });
  if (r.status !== 0) throw new Error(`writing the code caches failed: ${r.stderr || r.error}`);
}

await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');
await Promise.all([
  buildCli(),
  // The hook is what boot loads: minified (less to read and parse at every boot), with ws and
  // yaml kept in the bundle as lazily evaluated modules (src/kleened/exec-start.ts, address.ts).
  build({ ...common, entryPoints: ['src/hook/bin.ts'], outfile: 'dist/hook.js', minify: !process.env.KLEENE_BOOT_NO_MINIFY, plugins: [wsClientOnly] }),
  // Test-only: the boot simulation's /etc/rc-like driver orders scripts with our rcorder.
  build({ ...common, entryPoints: ['src/rcorder/bin.ts'], outfile: 'dist/rcorder.js' }),
]);
