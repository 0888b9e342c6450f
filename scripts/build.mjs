// Bundles the CLI and the boot hook into single CommonJS files under dist/. CommonJS because
// the installed files live in <prefix>/libexec/kleene-boot/ with no package.json beside them,
// and Node 20 reads a bare .js file as CommonJS. The hook must run at boot with no
// node_modules, so everything it imports is inlined.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
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

/** A part as stored in dist/cli.js: brotli, base64 (a quarter of the bytes to read and scan at every start). */
const packed = (code) => brotliCompressSync(Buffer.from(code), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).toString('base64');

/** One part of the CLI (see src/cli/dispatch.ts): the whole CLI with only `keep`'s command code, minified. */
async function cliPart(keep) {
  const r = await build({ ...common, entryPoints: ['src/cli/bin.ts'], write: false, minify: !process.env.KLEENE_BOOT_NO_MINIFY,
    plugins: [onlyCommands(keep)] });
  return r.outputFiles[0].text;
}

/**
 * dist/cli.js: the dispatcher (src/cli/dispatch.ts, no command code at all) and each part,
 * packed, as a string. Parts: `rc` (the rc subcommands), `generate`, and `all` (every command).
 * KLEENE_BOOT_NO_MINIFY=1 keeps names for a CPU profile.
 */
async function buildCli() {
  const [rc, generate, all] = await Promise.all([cliPart(['rc']), cliPart(['generate']), cliPart(undefined)]);
  const dispatcher = await build({ ...common, entryPoints: ['src/cli/dispatch.ts'], write: false, minify: true, plugins: [onlyCommands([])],
    banner: { js: [
      'var __kleene_boot_filename = __filename;',
      `var __kleene_boot_parts = ${JSON.stringify({ rc: packed(rc), generate: packed(generate), all: packed(all) })};`,
    ].join('\n') } });
  await writeFile('dist/cli.js', dispatcher.outputFiles[0].text);
}

await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');
await Promise.all([
  buildCli(),
  // The hook is what boot loads: minified (less to read and parse at every boot), with ws and
  // yaml kept in the bundle as lazily evaluated modules (src/kleened/exec-start.ts, address.ts).
  build({ ...common, entryPoints: ['src/hook/bin.ts'], outfile: 'dist/hook.js', minify: !process.env.KLEENE_BOOT_NO_MINIFY }),
  // Test-only: the boot simulation's /etc/rc-like driver orders scripts with our rcorder.
  build({ ...common, entryPoints: ['src/rcorder/bin.ts'], outfile: 'dist/rcorder.js' }),
]);
