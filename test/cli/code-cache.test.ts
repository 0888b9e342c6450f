// The CLI's start: each part of dist/cli.js runs from its V8 code cache when one made from that
// very part lies beside cli.js and is whole, and compiles as before otherwise (a cache of another
// build, a damaged one, one another node rejects); generate runs the templates' precompiled
// code while the template read is the one built in. Time is the bench's; what is checked here
// is which path runs (KLEENE_BOOT_DEBUG=1 says) and that every path gives the same answer.
// Mutations tried: no checksum check in cacheFor (the damaged cache crashes node, and the test
// of it fails); the writer rewriting an accepted cache (the idempotence test fails).
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFor, checksum, codeCacheFile } from '../../src/cli/dispatch.ts';
import { codeCacheName, PARTS } from '../../src/cli/parts.ts';
import { renderFiles } from '../../src/render/render.ts';
import { validateGenerateOptions } from '../../src/render/options.ts';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the built CLI (cli.js, its caches, the hook, the templates) to damage at will. */
function copyOfDist(t: Test): string {
  const dir = tempDir(t, 'kb-cc-');
  for (const f of ['cli.js', 'hook.js', 'package.json', ...PARTS.map(codeCacheName)]) copyFileSync(join(DIST, f), join(dir, f));
  mkdirSync(join(dir, 'templates'));
  for (const f of ['kleened.hbs', 'kleene_containers.hbs']) copyFileSync(join(TEMPLATES, f), join(dir, 'templates', f));
  return dir;
}

function rcRoot(t: Test): string {
  const root = tempDir(t, 'kb-cc-root-');
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/rc.conf'), 'kleened_enable="YES"\n');
  return root;
}

function run(cli: string, args: string[], nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, cli, ...args], { encoding: 'utf8', env: { ...process.env, KLEENE_BOOT_DEBUG: '1' }, timeout: 60_000 });
  const verdict = /code cache (\S+): (.+)$/m.exec(r.stderr);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, cache: verdict?.[1], verdict: verdict?.[2],
    templates: [...r.stderr.matchAll(/template (\S+): (\w+)/g)].map((m) => `${m[1]} ${m[2]}`) };
}

t.test('the build leaves a cache for every part, and each command runs from its own', async (t) => {
  const root = rcRoot(t);
  const get = run(join(DIST, 'cli.js'), ['rc', 'get', '-R', root, 'kleened_enable']);
  t.equal(get.status, 0, get.stderr);
  t.equal(get.stdout, 'kleened_enable: YES\n');
  t.same([get.cache, get.verdict], ['cli-rc.v8cache', 'used']);
  const gen = run(join(DIST, 'cli.js'), ['generate', '-R', root, '--stdout']);
  t.equal(gen.status, 0, gen.stderr);
  t.same([gen.cache, gen.verdict], ['cli-generate.v8cache', 'used']);
  t.same(gen.templates, ['kleened.hbs precompiled', 'kleene_containers.hbs precompiled'], 'generate runs the built-in template code');
  const help = run(join(DIST, 'cli.js'), ['--help']);
  t.equal(help.status, 0);
  t.same([help.cache, help.verdict], ['cli-all.v8cache', 'used']);
});

t.test('a cache that is damaged, cut short, of another build or refused by node is not used, and the command answers the same', async (t) => {
  const root = rcRoot(t);
  const dir = copyOfDist(t);
  const cli = join(dir, 'cli.js');
  const cache = join(dir, codeCacheName('rc'));
  const good = readFileSync(cache);
  const cases: [string, Buffer | undefined, string][] = [];
  const flipped = Buffer.from(good);
  for (let i = 200; i < flipped.length; i += 997) flipped[i]! ^= 0x5a;
  cases.push(['damaged', flipped, 'not for this build, or damaged']);
  cases.push(['cut short', good.subarray(0, Math.floor(good.length / 2)), 'not for this build, or damaged']);
  const otherBuild = Buffer.from(good);
  otherBuild.write('0000', 'kleene-boot v8 code cache '.length, 'latin1');
  cases.push(['of another build', otherBuild, 'not for this build, or damaged']);
  cases.push(['empty', Buffer.alloc(0), 'not for this build, or damaged']);
  cases.push(['absent', undefined, 'none']);
  for (const [what, bytes, verdict] of cases) {
    if (bytes === undefined) rmSync(cache, { force: true });
    else writeFileSync(cache, bytes);
    const r = run(cli, ['rc', 'get', '-R', root, 'kleened_enable']);
    t.equal(r.status, 0, `${what}: ${r.signal ?? ''} ${r.stderr}`);
    t.equal(r.stdout, 'kleened_enable: YES\n', `${what}: same answer`);
    t.equal(r.verdict, verdict, what);
  }
  writeFileSync(cache, good);
  // V8 keeps its flags in the cache: another flag set is another "node" to it.
  const other = run(cli, ['rc', 'get', '-R', root, 'kleened_enable'], ['--max-semi-space-size=64']);
  t.equal(other.status, 0, other.stderr);
  t.equal(other.stdout, 'kleened_enable: YES\n');
  t.equal(other.verdict, 'rejected by node', 'a cache this node refuses: compiled instead');
  t.equal(run(cli, ['rc', 'get', '-R', root, 'kleened_enable']).verdict, 'used', 'and the good one is used again');
});

t.test('KLEENE_BOOT_WRITE_CODE_CACHE makes missing caches and keeps good ones byte for byte (building twice changes nothing to install)', async (t) => {
  const dir = copyOfDist(t);
  const cli = join(dir, 'cli.js');
  const before = PARTS.map((p) => readFileSync(join(dir, codeCacheName(p))));
  rmSync(join(dir, codeCacheName('generate')));
  writeFileSync(join(dir, codeCacheName('all')), 'junk');
  const w = spawnSync(process.execPath, [cli], { encoding: 'utf8', env: { ...process.env, KLEENE_BOOT_WRITE_CODE_CACHE: dir } });
  t.equal(w.status, 0, w.stderr);
  t.ok(readFileSync(join(dir, codeCacheName('rc'))).equals(before[0]!), 'the good rc cache is left as it was');
  for (const p of ['generate', 'all']) {
    const again = readFileSync(join(dir, codeCacheName(p)));
    t.ok(again.length > 100_000, `${p}: made anew`);
  }
  const gen = run(cli, ['generate', '-R', rcRoot(t), '--stdout']);
  t.equal(gen.verdict, 'used', 'the new cache is one node uses');
});

t.test('no option writes caches: --write-code-cache typed on the command line is a usage error that writes nothing', async (t) => {
  const dir = copyOfDist(t);
  const target = tempDir(t, 'kb-cc-target-');
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), '--write-code-cache', target], { encoding: 'utf8' });
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /unknown option --write-code-cache/);
  t.same(readdirSync(target), [], 'nothing written');
});

t.test('a template that differs from the built-in one is compiled from what is read, and both ways render alike', async (t) => {
  const root = rcRoot(t);
  const dir = copyOfDist(t);
  const cli = join(dir, 'cli.js');
  const stock = run(cli, ['generate', '-R', root, '--stdout']);
  t.equal(stock.status, 0, stock.stderr);
  // The same files rendered in this process, from source, where every template is compiled.
  const files = await renderFiles(validateGenerateOptions({}), { withHook: false });
  t.equal(stock.stdout, files.map((f) => `---${f.path}---\n${f.content.toString('utf8')}`).join(''),
    'precompiled code renders exactly what compiling the template renders');
  const tpl = join(dir, 'templates', 'kleened.hbs');
  writeFileSync(tpl, readFileSync(tpl, 'utf8').replace(/\n/, '\n# edited here\n'));
  const edited = run(cli, ['generate', '-R', root, '--stdout']);
  t.equal(edited.status, 0, edited.stderr);
  t.same(edited.templates, ['kleened.hbs compiled', 'kleene_containers.hbs precompiled']);
  t.match(edited.stdout, /\n# edited here\n/, 'the edit is in the output');
});

t.test('cacheFor takes only a whole file made from the named source', async (t) => {
  const data = Buffer.from('some V8 bytes, any length.');
  const file = codeCacheFile('a'.repeat(64), data);
  t.ok(cacheFor(file, 'a'.repeat(64))?.equals(data));
  t.equal(cacheFor(file, 'b'.repeat(64)), undefined, 'another source');
  t.equal(cacheFor(file.subarray(0, file.length - 1), 'a'.repeat(64)), undefined, 'a byte short');
  const flipped = Buffer.from(file);
  flipped[flipped.length - 3]! ^= 1;
  t.equal(cacheFor(flipped, 'a'.repeat(64)), undefined, 'one bit flipped');
  t.equal(cacheFor(undefined, 'a'.repeat(64)), undefined);
  t.not(checksum(Buffer.from('abcd')), checksum(Buffer.from('abce')));
  t.not(checksum(Buffer.from('abcd')), checksum(Buffer.from('abcd\0')), 'the length counts');
});
