// A lighter CLI: command modules load lazily, so a command loads only what it runs.
// `rc set` and `rc get` load neither handlebars (the generator) nor ws (kleened's WebSocket);
// `generate` loads handlebars and not ws. (The time itself is measured, not asserted: see the
// bench and the README.) Mutation tried: importing './generate.ts' statically at the top of
// src/cli/commands/index.ts: `rc set` then loads handlebars and this fails.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./lazy-fixture.mts', import.meta.url));

function loadedBy(args: string[]): { code: number; loaded: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { encoding: 'utf8', timeout: 60_000 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as { code: number; loaded: string[] };
  } catch {
    throw new Error(`no result from ${args.join(' ')}: ${r.stderr}`);
  }
}

t.test('each command loads only what it needs', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kb-lazy-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/rc.conf'), 'kleened_enable="NO"\n');
  const set = loadedBy(['rc', 'set', '-R', root, '-f', '/etc/rc.conf', 'kleened_enable=YES']);
  t.equal(set.code, 0);
  t.same(set.loaded.filter((m) => m === 'handlebars' || m === 'ws'), [], 'rc set: no generator, no WebSocket client');
  const get = loadedBy(['rc', 'get', '-R', root, 'kleened_enable']);
  t.equal(get.code, 0);
  t.same(get.loaded.filter((m) => m === 'handlebars' || m === 'ws'), [], 'rc get: no generator, no WebSocket client');
  const gen = loadedBy(['generate', '-R', root, '--stdout']);
  t.equal(gen.code, 0);
  t.ok(gen.loaded.includes('handlebars'), 'generate loads the generator');
  t.notOk(gen.loaded.includes('ws'), 'generate: no WebSocket client');
  const help = loadedBy(['--help']);
  t.same(help.loaded, [], '--help loads no command');
});

// The built CLI is one file (install ships dist/cli.js alone) holding one part per command
// group; src/cli/dispatch.ts compiles only the part argv's command needs. Mutation tried:
// routing every command to `all` in partFor makes the routing test fail; dropping the
// only-commands plugin in scripts/build.mjs puts handlebars and ws into the rc part.
t.test('argv picks the part of dist/cli.js that runs it', async (t) => {
  const { partFor } = await import('../../src/cli/dispatch.ts');
  t.equal(partFor(['rc', 'set', 'x=1']), 'rc');
  t.equal(partFor(['-R', '/r', 'rc', 'get', 'x']), 'rc');
  t.equal(partFor(['generate', '--stdout']), 'generate');
  t.equal(partFor(['install']), 'all');
  t.equal(partFor(['--help']), 'all', 'no command: the whole CLI lists them all');
  t.equal(partFor(['genrate']), 'all', 'a typo goes where every command is known (did you mean)');
  t.equal(partFor(['report', '--', 'rc']), 'all', 'words after -- are no command');
});

t.test('the rc part of dist/cli.js holds neither the generator, the WebSocket client nor execa', async (t) => {
  const text = readFileSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)), 'utf8');
  const m = /var __kleene_boot_parts = (\{.*\});\n/.exec(text);
  t.ok(m, 'dist/cli.js holds its parts (npm run build)');
  const packed = JSON.parse(m![1]!) as Record<string, string>;
  const part = (k: string): string => brotliDecompressSync(Buffer.from(packed[k]!, 'base64')).toString();
  t.same(Object.keys(packed).sort(), ['all', 'generate', 'rc']);
  const has = (code: string) => ({ handlebars: /Handlebars/.test(code), ws: /Sec-WebSocket/i.test(code), execa: /execa/i.test(code) });
  t.same(has(part('rc')), { handlebars: false, ws: false, execa: false }, 'rc');
  t.same(has(part('generate')), { handlebars: true, ws: false, execa: false }, 'generate');
  t.same({ ...has(part('all')), execa: undefined }, { handlebars: true, ws: true, execa: undefined }, 'all: every command');
  t.ok(text.length < part('all').length, 'the whole file is smaller than the whole CLI unpacked: node reads and scans less');
  // string-width's Intl.Segmenter (ICU data, milliseconds) is made at the first width asked, not
  // when yargs loads (scripts/build.mjs lazyStringWidth); --help still lays out its columns.
  for (const k of ['rc', 'generate', 'all']) {
    t.notMatch(part(k), /[^?]=\s*new Intl\.Segmenter\b/, `${k}: no Intl.Segmenter made at load`);
    t.match(part(k), /\?\?=\s*new Intl\.Segmenter\b/, `${k}: one made when needed`);
    // The emoji regex (V8 expands the property when it is made): only ever made on first use.
    const code = part(k);
    const at = [...code.matchAll(/RGI_Emoji/g)].map((m) => m.index!);
    t.ok(at.length > 0, `${k}: string-width's emoji regex is in the part`);
    for (const i of at) t.match(code.slice(Math.max(0, i - 40), i), /\?\?=\s*new RegExp\(\s*["']\^\\\\p\{$/, `${k}: the emoji regex is made when first used`);
  }
});

// The boot hook's WebSocket client: ws's client alone (no server, no stream helper), and the
// node modules it needs only for wss:// or compression loaded on their first use (never, over
// kleened's unix socket). scripts/build.mjs wsClientOnly. Mutation tried: dropping the plugin
// from the hook's build fails both checks.
t.test('the hook bundle holds only ws\'s client and loads https, tls and zlib only if used', async (t) => {
  const hook = readFileSync(fileURLToPath(new URL('../../dist/hook.js', import.meta.url)), 'utf8');
  t.notMatch(hook, /WebSocketServer|createWebSocketStream/, 'no WebSocket server in the boot hook');
  for (const m of ['https', 'tls', 'zlib']) {
    const at = [...hook.matchAll(new RegExp(`require\\("(?:node:)?${m}"\\)`, 'g'))].map((x) => x.index!);
    t.ok(at.length > 0, `${m}: required somewhere`);
    for (const i of at) t.match(hook.slice(Math.max(0, i - 6), i), /\?\?=$/, `${m}: only when first used`);
  }
});

// node's own modules: `rc get` answered from the static reading spawns nothing, so it loads
// neither child_process (with net and dgram) nor v8 (the dispatcher needs it only to write code
// caches). Run on the built CLI with a preload that lists node's modules at exit; rc set must
// still run (a dynamic import of node:child_process itself fails in the part's vm.Script).
// Mutations tried: src/rcconf/host.ts importing spawn from node:child_process at its top, and
// dispatch.ts importing setFlagsFromString at its top, each fail the rc get check.
t.test('the built rc get loads neither child_process nor v8, generate no crypto; rc set loads child_process for sh -n', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-lazy-builtin-'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/rc.conf'), 'kleene_containers_jobs="4"\n');
  const dump = join(dir, 'dump.cjs');
  writeFileSync(dump, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(join(dir, 'modules'))}, process.moduleLoadList.join('\\n')));\n`);
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  const modules = (args: string[]): string[] => {
    // Through env -i: tap puts its own loader into the NODE_OPTIONS of every child it sees spawned.
    const r = spawnSync('env', ['-i', 'HOME=/', `PATH=${process.env.PATH}`, process.execPath, '--require', dump, cli, ...args, '--root', dir], { encoding: 'utf8' });
    t.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return readFileSync(join(dir, 'modules'), 'utf8').split('\n').filter((l) => l.startsWith('NativeModule ')).map((l) => l.slice(13));
  };
  const get = modules(['rc', 'get', '-f', '/etc/rc.conf', 'kleene_containers_jobs']);
  t.ok(get.includes('fs'), 'the list is node\'s modules');
  t.notOk(get.includes('child_process'), 'rc get: no child_process');
  t.notOk(get.includes('v8'), 'rc get: no v8');
  const set = modules(['rc', 'set', '-f', '/etc/rc.conf', 'kleene_containers_jobs=5']);
  t.ok(set.includes('child_process'), 'rc set: child_process, for sh -n');
  // generate into a root with no install checksums nothing (src/install/manifest.ts's sha256).
  // Mutation tried: a static import of node:crypto in manifest.ts fails this.
  const gen = modules(['generate']);
  t.notOk(gen.includes('crypto'), 'generate where nothing is installed: no crypto');
});
