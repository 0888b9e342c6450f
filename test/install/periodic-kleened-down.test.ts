// The periodic(8) daily script (helpers and conventions: periodic.ts) with kleened down: without
// a socket, and with a socket that never answers (bounded by daily_kleene_boot_timeout).
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';
import { HEADER, periodicRun, rcConf, state, withKnob } from './periodic.ts';

t.test('kleened down: exit 1 naming it, at once without a socket, within the timeout when it never answers', async (t) => {
  const sim = await BootSim.create(t, { state, rcConf });
  await withKnob(sim, undefined);
  const r = await periodicRun(sim);
  t.equal(r.code, 1);
  t.same(r.stdout.split('\n').slice(0, 2), HEADER);
  t.same(r.stdout.split('\n').slice(2).filter(Boolean), [
    `kleened does not answer on ${SIM.socket} (GET /containers/list?all=true: cannot reach kleened at ${SIM.socket}: ENOENT): listed containers not checked`,
  ], `one line:\n${r.stdout}`);
  t.ok(r.ms < 8_000, `no socket: at once, not after the 10 s default timeout (${r.ms} ms)`);

  // A socket that accepts and never answers (a hung kleened): bounded by daily_kleene_boot_timeout.
  await sim.host.sh(`nohup ${SIM.node} -e "require('net').createServer(() => {}).listen('${SIM.socket}')" >/dev/null 2>&1 &`);
  for (let i = 0; i < 50 && !(await sim.host.exists(SIM.socket)); i++) await new Promise((res) => setTimeout(res, 100));
  await sim.host.writeFile('/etc/periodic.conf', 'daily_kleene_boot_timeout="4"\n');
  const hung = await periodicRun(sim);
  t.equal(hung.code, 1);
  t.match(hung.stdout, new RegExp(`^kleened does not answer on ${SIM.socket} \\(.*\\): listed containers not checked$`, 'm'));
  t.ok(hung.ms >= 4_000, `waited the timeout (${hung.ms} ms)`);
  // Twice the timeout would fail: node's start on a loaded machine fits in the other 4 s.
  t.ok(hung.ms < 8_000, `and not twice as long (${hung.ms} ms)`);

  await sim.host.writeFile('/etc/periodic.conf', 'daily_kleene_boot_timeout="soon"\n');
  const bad = await periodicRun(sim);
  t.equal(bad.code, 2, 'a bad periodic.conf value: exit 2 (periodic: bad configuration)');
  t.match(bad.stdout, /daily_kleene_boot_timeout="soon" is not a number of seconds/);
});
