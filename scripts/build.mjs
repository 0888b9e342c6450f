// Bundles the CLI and the boot hook into single CommonJS files under dist/. CommonJS because
// the installed files live in <prefix>/libexec/kleene-boot/ with no package.json beside them,
// and Node 20 reads a bare .js file as CommonJS. The hook must run at boot with no
// node_modules, so everything it imports is inlined.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';

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

await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');
await Promise.all([
  // The CLI: each command module is imported lazily (src/cli/commands/index.ts), which esbuild
  // keeps as lazily initialised closures; minified so node reads and compiles half the bytes at
  // every start (`rc set`, `generate`: a command should start about as fast as bare node).
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', minify: true }),
  // The hook is what boot loads: minified (less to read and parse at every boot), with ws and
  // yaml kept in the bundle as lazily evaluated modules (src/kleened/exec-start.ts, address.ts).
  build({ ...common, entryPoints: ['src/hook/bin.ts'], outfile: 'dist/hook.js', minify: true }),
  // Test-only: the boot simulation's /etc/rc-like driver orders scripts with our rcorder.
  build({ ...common, entryPoints: ['src/rcorder/bin.ts'], outfile: 'dist/rcorder.js' }),
]);
