// A lighter CLI: command modules load lazily, so a command loads only what it runs.
// `rc set` and `rc get` load neither handlebars (the generator) nor ws (kleened's WebSocket);
// `generate` loads handlebars and not ws. (The time itself is measured, not asserted: see the
// bench and the README.) Mutation tried: importing './generate.ts' statically at the top of
// src/cli/commands/index.ts: `rc set` then loads handlebars and this fails.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
