// Boot scenario: kleened dies while its containers run, their jails stay;
// the sysadmin starts it again with `service kleened start` and `service kleene_containers start`.
// kleened itself would run a container's command again in a live jail (FACTS): kleene-boot must
// see the jails and start nothing twice, and stop nothing.
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

t.test('after kleened is killed and started again by hand, no container starts twice and none is stopped', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'db', faults: { start_delay_ms: 50 } }, { name: 'app', faults: { start_delay_ms: 50 } }] },
    rcConf: { kleene_containers_list: 'db app', kleene_containers_app_depend: 'db' },
  });
  t.equal((await sim.boot()).code, 0, 'first boot finished');
  const before = sim.state();
  t.equal(before.events.filter((e) => e.type === 'start').length, 2, 'both containers started at boot');
  const jailsBefore = before.jails.map((j) => `${j.name}:${j.jid}`).sort();

  // kleened dies hard: no clean stop, the pidfile and socket stay behind, the jails keep running.
  const pid = (await sim.readOr('/var/run/kleened.pid')).trim();
  t.match(pid, /^\d+$/, 'kleened wrote its pid');
  const killedAt = Date.now();
  const kill = await sim.run('kill -9 kleened', '/bin/kill', ['-KILL', pid]);
  t.equal(kill.code, 0, 'kleened killed');
  await sim.host.sh(`while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done`, { timeoutMs: 5000 });
  t.same(sim.state().jails.map((j) => `${j.name}:${j.jid}`).sort(), jailsBefore, 'the jails outlived kleened');

  const status = await sim.service('kleened', 'status');
  t.not(status.code, 0, 'status says kleened is not running (stale pidfile ignored)');

  const k = await sim.service('kleened', 'start');
  t.equal(k.code, 0, `service kleened start succeeded:\n${k.stdout}`);
  t.ok(k.ms < 5_000 + 2_000, `and returned within kleened_ready_timeout (${k.ms} ms)`);
  const c = await sim.service('kleene_containers', 'start');
  t.equal(c.code, 0, `service kleene_containers start succeeded:\n${c.stdout}`);
  const id = (n: string) => containerId(sim.state(), n);
  for (const name of ['db', 'app']) {
    t.match(c.stdout, new RegExp(`${name} \\(${id(name)}\\): already running`), `${name} reported as already running`);
  }

  const after = sim.state();
  t.equal(after.events.filter((e) => e.type === 'start').length, 2, 'no new start');
  t.equal(after.events.filter((e) => e.type === 'duplicate_start').length, 0, 'no command ran again in a live jail');
  t.equal(after.events.filter((e) => e.type === 'stop' || e.type === 'stop_ignored').length, 0, 'nothing was stopped');
  t.same(after.jails.map((j) => `${j.name}:${j.jid}`).sort(), jailsBefore, 'the same jails run, with the same jids');
  t.notOk(sim.requests().some((r) => r.t_ms > killedAt && (r.path === '/exec/create' || r.path === '/exec/start')),
    'the restarted kleened was never asked to start anything (request log)');
  t.ok(await sim.host.exists(SIM.socket), 'the new kleened listens');
});
