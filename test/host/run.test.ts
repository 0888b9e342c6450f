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
