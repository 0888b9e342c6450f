// Boot scenario: shutdown. rc.shutdown runs `rcorder -k shutdown` reversed: kleene_containers
// stops its containers (dependents first) before kleened stops, and the whole shutdown ends within
// rcshutdown_timeout, even when a container ignores stop or kleened ignores SIGTERM.
import t from 'tap';
import { BootSim, SIM, isoMs } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

const quick = { start_delay_ms: 50 };
const containers = [
  { name: 'db', faults: quick },
  { name: 'api', faults: quick },
  { name: 'web', faults: quick },
  { name: 'stubborn', faults: { ...quick, stop_ignore: true } },
];
const rcConf = {
  kleene_containers_list: 'db api web stubborn',
  kleene_containers_api_depend: 'db',
  kleene_containers_web_depend: 'api',
  rcshutdown_timeout: '30',
};

t.test('shutdown stops containers in reverse dependency order before kleened, within rcshutdown_timeout, despite a container ignoring stop', async (t) => {
  const sim = await BootSim.create(t, { state: { containers }, rcConf });
  t.equal((await sim.boot()).code, 0, 'booted');
  t.equal(sim.state().jails.length, 4, 'all four containers run');
  const bootRuns = (await sim.scriptRuns()).length;

  const shut = await sim.shutdown();
  t.equal(shut.code, 0, 'rc.shutdown finished by itself (the watchdog did not kill it)');
  // Within rcshutdown_timeout = the watchdog below never fired (no wall-clock bound here).
  t.comment(`the whole shutdown took ${shut.ms} ms`);
  t.notOk((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), 'the watchdog never fired');

  const order = await sim.order('shutdown');
  t.ok(order.indexOf('kleene_containers') < order.indexOf('kleened'), 'rcorder -k shutdown, reversed, puts kleene_containers before kleened');
  t.ok(order.indexOf('kleened') < order.indexOf('mountcritlocal'), 'and kleened before local file systems go');
  t.notOk(order.includes('pf'), 'scripts without KEYWORD: shutdown are not run');

  const runs = (await sim.scriptRuns()).slice(bootRuns);
  const kc = runs.find((r) => r.name === 'kleene_containers');
  const kd = runs.find((r) => r.name === 'kleened');
  if (!t.ok(kc, 'rc.shutdown ran kleene_containers') || !t.ok(kd, 'rc.shutdown ran kleened')) return;
  t.equal(kc!.arg, 'faststop');
  t.ok(kc!.end! <= kd!.begin, 'kleene_containers had finished before kleened was stopped');
  t.not(kc!.status, 0, 'kleene_containers reports the container it could not stop');
  t.equal(kd!.status, 0, 'kleened stopped cleanly');

  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  const stops = state.events.filter((e) => e.type === 'stop' || e.type === 'stop_ignored');
  t.same(stops.filter((e) => e.type === 'stop').map((e) => e.container), ['web', 'api', 'db'].map(id),
    'stopped dependents first: web, api, db');
  t.equal(stops.filter((e) => e.type === 'stop_ignored' && e.container === id('stubborn')).length, 1, 'stubborn was asked once');
  const lastStop = Math.max(...stops.map((e) => isoMs(e.time)));
  t.ok(lastStop <= kd!.begin, 'every stop request came before kleened was stopped');
  t.same(state.jails.map((j) => j.name), [id('stubborn')], 'only the stubborn jail is left');
  t.match(await sim.host.syslog(), new RegExp(`stubborn \\(${id('stubborn')}\\): failed: .*jail still runs`), 'the report names the container that ignored stop');
  t.notOk(await sim.host.exists('/var/run/kleened.pid'), 'kleened removed its pidfile on a clean stop');
  t.equal((await sim.host.pids(/kleened\/main\.mjs start/)).length, 0, 'no kleened process is left');
});

t.test('a kleened that ignores SIGTERM holds shutdown only kleened_shutdown_timeout, within rcshutdown_timeout', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: containers.slice(0, 2), faults: { ignore_sigterm: true } },
    // rcshutdown_timeout well above the 2 s bound under test: an unbounded wait would still
    // meet the watchdog, a slow machine would not.
    rcConf: { ...rcConf, kleene_containers_list: 'db api', kleened_shutdown_timeout: '2', rcshutdown_timeout: '30' },
  });
  t.equal((await sim.boot()).code, 0, 'booted');
  const bootRuns = (await sim.scriptRuns()).length;
  const shut = await sim.shutdown();
  t.equal(shut.code, 0, 'rc.shutdown finished by itself');
  // Within rcshutdown_timeout = the driver's watchdog (rc.shutdown(8)) never fired.
  t.notOk((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), `within rcshutdown_timeout=30 s: the watchdog never fired (${shut.ms} ms)`);
  const kd = (await sim.scriptRuns()).slice(bootRuns).find((r) => r.name === 'kleened');
  if (!t.ok(kd, 'rc.shutdown ran kleened') || !kd) return;
  t.not(kd.status, 0, 'kleened stop reports that kleened did not exit');
  // At least its bound; that it then gave up (rather than waiting on) is the message below and
  // the watchdog that never fired, not a wall-clock upper bound.
  t.ok(kd.end! - kd.begin >= 2_000, `kleened stop waited kleened_shutdown_timeout=2 s (${kd.end! - kd.begin} ms)`);
  t.match(shut.stdout, /did not exit within 2 s/, 'and says so on the console');
  const state = sim.state();
  t.equal(state.events.filter((e) => e.type === 'stop').length, 2, 'the containers were stopped before that');
  t.equal(state.jails.length, 0, 'no container jail is left');
  t.ok(await sim.host.exists(SIM.socket), 'kleened is still there for init to kill: the bound, not kleened, ended the wait');
});

t.test('rc.shutdown is killed by its watchdog after rcshutdown_timeout when a script hangs', async (t) => {
  // The driver's own bound (rc.shutdown(8)): what a sysadmin gets if a stop never returns.
  const sim = await BootSim.create(t, { rcConf: { rcshutdown_timeout: '2', kleene_containers_list: '' } });
  await sim.host.installRcScript('hangs', '#!/bin/sh\n# PROVIDE: hangs\n# REQUIRE: kleened\n# KEYWORD: shutdown\n\ncase "$1" in *stop) sleep 30 ;; esac\n');
  t.equal((await sim.boot()).code, 0, 'booted');
  const shut = await sim.shutdown();
  t.equal(shut.code, 137, 'rc.shutdown was killed (SIGKILL)');
  t.ok(shut.ms >= 2_000 && shut.ms < 5_000, `after about rcshutdown_timeout=2 s (${shut.ms} ms)`);
  t.ok((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), 'the watchdog fired');
  t.match(shut.stdout, /2 second watchdog timeout expired\. Shutdown terminated\./);
});
