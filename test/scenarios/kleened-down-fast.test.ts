// Fail fast: with kleened not running (no pidfile and no socket; a crash's stale
// pidfile and socket), `service kleene_containers start|stop|status|plan` end at once (start,
// stop and status non-zero; plan, which still answers from rc.conf, exits 0),
// naming kleened, how to start it and its log, even with long wait timeouts. Only while
// kleened's process is alive does the hook wait: for an API that answers after 3 s (it restores),
// and for a socket that accepts and never answers (bounded by the wait timeout).
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';

// Node's start and the rc.subr double on a loaded shared machine; a wait would cost 30 s.
const SLACK_MS = 2_500;
const LONG_WAITS = { kleened_ready_timeout: '30', kleene_containers_wait_timeout: '30' };
const state = { containers: [{ name: 'db', faults: { start_delay_ms: 50 } }, { name: 'web', faults: { start_delay_ms: 50 } }] };
const rcConf = { ...LONG_WAITS, kleene_containers_list: 'db web', kleene_containers_web_depend: 'db' };

t.test('kleened not running: start, stop, status and plan end at once, naming kleened, its fix and its log', async (t) => {
  // Mutation: treating a dead kleened like a live one (awaitKleened waiting while the pidfile
  // names no live process) made start and stop take the 30 s wait timeout.
  const sim = await BootSim.create(t, { state, rcConf });
  const cases: Array<[string, () => Promise<void>]> = [
    ['no pidfile, no socket', async () => {}],
    // A crash (SIGKILL) leaves both behind: a pid that is gone and a socket nobody listens on.
    ['stale pidfile and stale socket', async () => {
      await sim.host.sh(`${SIM.node} -e "require('net').createServer().listen('${SIM.socket}', () => process.kill(process.pid, 'SIGKILL'))"; :`);
      await sim.host.writeFile('/var/run/kleened.pid', '99999\n');
    }],
  ];
  for (const [label, setup] of cases) {
    await setup();
    if (label.startsWith('stale')) t.ok(await sim.host.exists(SIM.socket), 'the stale socket is there');
    const start = await sim.service('kleene_containers', 'start');
    t.not(start.code, 0, `${label}: start fails`);
    t.ok(start.ms < 2_000 + SLACK_MS, `${label}: start ended in ${start.ms} ms, not after the 30 s wait timeout`);
    for (const n of ['db', 'web']) {
      t.match(start.stdout, new RegExp(`^${n}: failed: kleened is not running \\(.*\\): start it with \`service kleened start\`; its log is /var/log/kleened\\.log$`, 'm'), `${label}: a line for ${n}`);
    }
    const stop = await sim.service('kleene_containers', 'stop');
    t.not(stop.code, 0, `${label}: stop fails`);
    t.ok(stop.ms < 2_000 + SLACK_MS, `${label}: stop ended in ${stop.ms} ms`);
    t.match(stop.stdout, /^db: failed: kleened is not running .*; its jail, if it runs, keeps running$/m, `${label}: stop says the jails keep running`);
  }
  const status = await sim.service('kleene_containers', 'status');
  t.not(status.code, 0, 'status fails');
  t.match(status.stdout, /^web: failed: kleened is not running/m);
  // plan says so in one line and still shows what rc.conf alone decides.
  const plan = await sim.service('kleene_containers', 'plan');
  // plan answered (what rc.conf alone decides), so it exits 0 and a `set -e` script goes on;
  // "would not start" is check's status, or plan --strict's. Mutation tried: planStatus
  // returning 1 whenever report.ok is false (the old rule) fails this.
  t.equal(plan.code, 0, 'plan printed its plan: exit 0');
  t.match(plan.stdout, /^kleened cannot be asked: kleened is not running .*: start it with `service kleened start`; its log is \/var\/log\/kleened\.log$/m);
  t.match(plan.stdout, /wave 1:\n {2}db: priority 50, ready started\nwave 2:\n {2}web: priority 50, ready started, after db\n/);
  t.notOk(/FAILED/.test(plan.stdout), 'no "FAILED: N containers" that reads as if containers failed');
  t.equal(sim.state().events.length, 0, 'nothing was started or stopped');
});

t.test('kleened running but its API answering only after 3 s: start waits for it and restores', async (t) => {
  const sim = await BootSim.create(t, { state: { ...state, faults: { listen_delay_ms: 3000 } }, rcConf: { ...rcConf, kleene_containers_wait_timeout: '10' } });
  // kleened started by hand, not through rc.d/kleened (which would itself wait for the API).
  const d = await sim.run('kleened daemon', SIM.kleenedProgram, ['daemon']);
  t.equal(d.code, 0, 'kleened daemon returned');
  const start = await sim.service('kleene_containers', 'start');
  t.equal(start.code, 0, `restore succeeded:\n${start.stdout}`);
  t.match(start.stdout, /^db \([0-9a-f]{12}\): started$/m);
  t.match(start.stdout, /^web \([0-9a-f]{12}\): started$/m);
  t.ok(start.ms >= 2_000, `it waited for the API (${start.ms} ms)`);
});

t.test('a socket that accepts and never answers, with kleened\'s process alive: bounded by the wait timeout', async (t) => {
  const sim = await BootSim.create(t, { state, rcConf: { ...rcConf, kleene_containers_wait_timeout: '2' } });
  // A hung kleened: its pid in the pidfile, its socket accepting, no answer ever.
  await sim.host.writeFile('/var/tmp/hang.js', `require('net').createServer(() => {}).listen('${SIM.socket}');\n`);
  await sim.host.sh(`${SIM.node} /var/tmp/hang.js </dev/null >/dev/null 2>&1 & echo $! > /var/run/kleened.pid; ` +
    `i=0; while [ ! -S ${SIM.socket} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`);
  const start = await sim.service('kleene_containers', 'start');
  t.not(start.code, 0, 'start fails');
  t.ok(start.ms >= 2_000, `it waited the wait timeout (${start.ms} ms)`);
  t.ok(start.ms < 2_000 + SLACK_MS + 2_000, `and no longer (${start.ms} ms)`);
  t.match(start.stdout, /^db: failed: kleened's API at \/var\/run\/kleened\.sock did not answer within 2 s \(kleened runs as pid \d+\): kleened did not answer GET \/containers\/list\?all=true in time; see \/var\/log\/kleened\.log$/m);
});
