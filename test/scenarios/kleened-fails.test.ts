// Boot scenario: kleened does not come up (bad config, or it never answers). `service
// kleened start` fails within kleened_ready_timeout and names the log; kleene_containers fails
// within its own bound; boot goes on to the next script.
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';

const SLACK_MS = 2_500; // node start-up and the rc.subr double, on a loaded CI machine
const rcConf = { kleened_ready_timeout: '2', kleene_containers_wait_timeout: '2', kleene_containers_list: 'web' };
const state = { containers: [{ name: 'web', faults: { start_delay_ms: 50 } }] };

t.test('a kleened with a broken config.yaml: service kleened start fails within kleened_ready_timeout, naming the log', async (t) => {
  const sim = await BootSim.create(t, { state, rcConf, kleenedConfig: 'kleene_root: zroot/kleene\napi_listening_sockets:\n\t- address: "http:///var/run/kleened.sock"\n' });
  const r = await sim.service('kleened', 'start');
  t.not(r.code, 0, 'start failed');
  t.ok(r.ms < 2_000 + SLACK_MS, `within kleened_ready_timeout=2 s (${r.ms} ms)`);
  t.match(r.stdout, new RegExp(`see ${SIM.kleenedLog}`), 'the message names kleened\'s log');
  t.match(await sim.readOr(SIM.kleenedLog), /invalid configuration file/, 'and the log says what is wrong');
  const c = await sim.service('kleene_containers', 'start');
  t.not(c.code, 0, 'kleene_containers start failed too');
  t.ok(c.ms < 2_000 + SLACK_MS, `within kleene_containers_wait_timeout=2 s (${c.ms} ms)`);
  // kleened exited on its bad config (its pidfile names a dead pid): no wait at all.
  t.match(c.stdout, /web: failed: kleened is not running \(.*\): start it with `service kleened start`; its log is \/var\/log\/kleened\.log/, 'naming the container and why');
  t.equal(sim.state().events.length, 0, 'nothing was started or stopped');
});

t.test('a kleened that never answers: the boot waits only the bounds, then goes on to the next script', async (t) => {
  const sim = await BootSim.create(t, { state: { ...state, faults: { never_listen: true } }, rcConf });
  // A local script that must run after kleene_containers: it proves the boot was not stopped.
  await sim.host.installRcScript('after_kleene', '#!/bin/sh\n# PROVIDE: after_kleene\n# REQUIRE: kleene_containers\n\n' +
    `echo "$(date +%s%3N) stand-in after_kleene $1" >> ${SIM.events}\n`);
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  const runs = await sim.scriptRuns();
  const get = (n: string) => runs.find((r) => r.name === n);
  const kd = get('kleened');
  const kc = get('kleene_containers');
  const after = get('after_kleene');
  if (!t.ok(kd && kc && after, 'kleened, kleene_containers and the next script all ran')) return;
  t.not(kd!.status, 0, 'kleened start failed');
  t.ok(kd!.end! - kd!.begin < 2_000 + SLACK_MS, `kleened held boot ${kd!.end! - kd!.begin} ms (bound 2 s)`);
  t.ok(kd!.end! - kd!.begin >= 2_000, 'it did wait the whole kleened_ready_timeout for the API');
  t.not(kc!.status, 0, 'kleene_containers failed');
  t.ok(kc!.end! - kc!.begin < 2_000 + SLACK_MS, `kleene_containers held boot ${kc!.end! - kc!.begin} ms (bound 2 s)`);
  t.ok(after!.begin >= kc!.end!, 'the next script ran after kleene_containers gave up');
  t.match(boot.stdout, new RegExp(`did not answer on ${SIM.socket} within 2 s; see ${SIM.kleenedLog}`), 'the console names the socket, the bound and the log');
  t.match(await sim.host.syslog(), /kleene_containers: .*restore: FAILED/, 'the failed restore is in syslog');
  t.equal(sim.state().events.length, 0, 'nothing was started');
});
