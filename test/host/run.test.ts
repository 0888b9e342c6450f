// runTool: the adapter every host tool of the hook goes through.
import t from 'tap';
import { runTool } from '../../src/host/run.ts';

t.test("tools run without rc.conf's kleene variables, with the rest of the environment", async (t) => {
  // Mutation tried: spawn without `env: toolEnv()` in src/host/run.ts: env(1) lists the variables.
  process.env.kleene_containers_web_depend = 'db';
  process.env.kleened_socket = '/var/run/kleened.sock';
  process.env.KLEENE_SIM_STATE = '/tmp/state.json';
  const r = await runTool('/usr/bin/env', [], { timeoutMs: 10_000 });
  t.equal(r.exitCode, 0);
  const names = r.stdout.split('\n').map((l) => l.split('=')[0]);
  t.notOk(names.includes('kleene_containers_web_depend'), 'no kleene_containers_*');
  t.notOk(names.includes('kleened_socket'), 'no kleened_*');
  t.ok(names.includes('KLEENE_SIM_STATE'), 'other variables kept');
  t.ok(names.includes('PATH'), 'PATH kept');
});

t.test("the hook's adapters filter the environment once per run (the first tool call's), and the tools get the rest of it", async (t) => {
  // Mutation tried: passing `opts` instead of `tool(opts)` in defaultDeps().execInJail: each call
  // filters process.env anew, so the second call sees the changed variable and this fails.
  const { defaultDeps } = await import('../../src/hook/deps.ts');
  const { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'kb-toolenv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A jexec stand-in: drops the jail name and runs the command.
  const jexec = join(dir, 'jexec');
  writeFileSync(jexec, '#!/bin/sh\nshift\nexec "$@"\n');
  chmodSync(jexec, 0o755);
  process.env.kleene_containers_web_depend = 'db';
  const deps = defaultDeps();
  const envOf = async (n: number): Promise<Map<string, string>> => {
    const code = await deps.execInJail(jexec, 'web', `env > ${join(dir, `env${n}`)}`, { timeoutMs: 10_000, signal: AbortSignal.timeout(10_000) });
    t.equal(code, 0);
    return new Map(readFileSync(join(dir, `env${n}`), 'utf8').split('\n').filter(Boolean).map((l) => [l.split('=')[0]!, l.slice(l.indexOf('=') + 1)]));
  };
  process.env.KLEENE_TOOLENV_PROBE = 'first';
  const first = await envOf(1);
  process.env.KLEENE_TOOLENV_PROBE = 'second';
  const second = await envOf(2);
  delete process.env.KLEENE_TOOLENV_PROBE;
  t.notOk(first.has('kleene_containers_web_depend'), 'no kleene_containers_*');
  t.equal(first.get('KLEENE_TOOLENV_PROBE'), 'first', 'the rest kept');
  t.equal(second.get('KLEENE_TOOLENV_PROBE'), 'first', 'filtered once: the first call\'s environment serves the run');
});

t.test('envSnapshot copies the environment into a plain object; the hook\'s tools get it less the kleene variables', async (t) => {
  // Mutation tried: `toolEnv()` instead of `toolEnv(envSource)` in defaultDeps: the tool sees
  // process.env, not the snapshot the hook was given, and this fails.
  const { envSnapshot } = await import('../../src/host/run.ts');
  const { defaultDeps } = await import('../../src/hook/deps.ts');
  const { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const snap = envSnapshot({ A: '1', B: undefined, kleene_containers_x_depend: 'y' });
  t.same(snap, { A: '1', kleene_containers_x_depend: 'y' }, 'unset variables left out');
  t.equal(Object.getPrototypeOf(snap), Object.prototype, 'a plain object');
  const dir = mkdtempSync(join(tmpdir(), 'kb-snap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const jexec = join(dir, 'jexec');
  writeFileSync(jexec, '#!/bin/sh\nshift\nexec "$@"\n');
  chmodSync(jexec, 0o755);
  const deps = defaultDeps({ PATH: process.env.PATH, KLEENE_FROM_SNAPSHOT: 'yes', kleened_socket: '/s' });
  const code = await deps.execInJail(jexec, 'web', `env > ${join(dir, 'env')}`, { timeoutMs: 10_000, signal: AbortSignal.timeout(10_000) });
  t.equal(code, 0);
  const names = readFileSync(join(dir, 'env'), 'utf8').split('\n').map((l) => l.split('=')[0]);
  t.ok(names.includes('KLEENE_FROM_SNAPSHOT'), 'the snapshot is the tools\' environment');
  t.notOk(names.includes('kleened_socket'), 'less the kleene variables');
});
