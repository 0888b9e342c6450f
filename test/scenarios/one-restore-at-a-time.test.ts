// Boot scenario: one restore at a time. Two `service kleene_containers start` at once (boot's
// restore and an operator, or a configuration run, typing it meanwhile) must not ask kleened to
// start any container twice: kleened runs the command of a running container again (FACTS).
// restore and stop take /var/run/kleene-boot.lock; a second start waits for the first, then
// finds the jails running; a stop ends a foreground restore first; a lock left by a crash is
// taken over. Mutations tried: `waitMs: 0` for restore in takeLock (the second start gave up at
// once: "two starts" fails on its exit status and wait line); no SIGTERM from the stop
// (decideLock never returning `signal`: the stop waited its bound while the restore started
// every container, "a stop during" fails).
import t from 'tap';
import { until } from '../helpers/wait.ts';
import { BootSim } from '../helpers/boot.ts';
import { containerId, startFramesOf } from '../helpers/sim-state.ts';

const LOCK = '/var/run/kleene-boot.lock';
const names = ['db', 'api', 'web', 'cache'];

/** Start frames per container id, as the double logged them. */
function startsPer(sim: BootSim): Map<string, number> {
  const m = new Map<string, number>();
  for (const { id } of startFramesOf(sim.requests())) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}


t.test('two starts launched together: one start request per container; the second waits, then finds every jail running', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: names.map((name) => ({ name, faults: { start_delay_ms: 800 } })) },
    rcConf: { kleene_containers_list: names.join(' '), kleene_containers_api_depend: 'db', kleene_containers_jobs: '2',
      kleene_containers_wait_timeout: '60' },
  });
  t.equal((await sim.service('kleened', 'start')).code, 0, 'kleened runs');
  const [a, b] = await Promise.all([sim.service('kleene_containers', 'start'), sim.service('kleene_containers', 'start')]);
  t.equal(a.code, 0, 'the first start succeeded');
  t.equal(b.code, 0, 'the second too');
  const state = sim.state();
  const per = startsPer(sim);
  t.same(names.map((n) => per.get(containerId(state, n)) ?? 0), [1, 1, 1, 1], 'one start request per container');
  t.notOk(state.events.some((e) => e.type === 'duplicate_start'), 'kleened never ran a command again in a live jail');
  const waiter = [a, b].find((r) => /waiting up to/.test(r.stdout));
  if (!t.ok(waiter, 'one of them waited')) return;
  t.match(waiter!.stdout, /^waiting up to 60 s for pid \d+ \(restore\) to finish: it holds \/var\/run\/kleene-boot\.lock$/m, 'saying for whom and for how long');
  t.match(waiter!.stdout, /restore: ok: 4 containers: 4 already running/, 'then found every jail running');
  t.match([a, b].find((r) => r !== waiter)!.stdout, /restore: ok: 4 containers: 4 started/);
  t.notOk(await sim.host.exists(LOCK), 'the lock is released');
  t.match(await sim.host.syslog(), /waited [0-9.]+ s for pid \d+ \(restore\) to release \/var\/run\/kleene-boot\.lock/, 'the wait is in syslog too');
});

t.test('a stop during a foreground restore ends the restore first, then stops what it started', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: names.map((name) => ({ name, faults: { start_delay_ms: 1_500 } })) },
    rcConf: { kleene_containers_list: names.join(' '), kleene_containers_jobs: '1', kleene_containers_start_timeout: '20',
      kleene_containers_stop_timeout: '20' },
  });
  t.equal((await sim.service('kleened', 'start')).code, 0, 'kleened runs');
  const start = sim.service('kleene_containers', 'start');
  await until('the first start request', () => startsPer(sim).size >= 1, 30_000, 50);
  const stop = await sim.service('kleene_containers', 'stop');
  const restore = await start;
  t.match(stop.stdout, /^ending the restore in progress first \(pid \d+\): SIGTERM, then waiting up to 20 s/m, 'the stop says it ends the restore');
  t.not(restore.code, 0, 'the restore ended unfinished');
  t.match(restore.stdout, /: blocked: not started: the restore was ended by SIGTERM$/m, 'what it had not started is not started');
  t.match(restore.stdout, /^restore: FAILED: 4 containers/m, 'and it closed its report');
  t.equal(stop.code, 0, 'the stop succeeded');
  const reqs = sim.requests();
  const lastCreate = Math.max(...startFramesOf(reqs).map((e) => e.t_ms));
  const stops = reqs.filter((e) => e.kind === 'http' && /^\/containers\/.*\/stop$/.test(e.path ?? ''));
  t.ok(startsPer(sim).size < names.length, 'the restore did not go on starting');
  t.ok(stops.every((e) => e.t_ms > lastCreate), 'no start request came after a stop request');
  const state = sim.state();
  t.same(state.jails.filter((j) => names.some((n) => containerId(state, n) === j.name)), [], 'nothing runs after the stop');
  t.equal((await sim.host.pids(/hook\.js restore/)).length, 0, 'the restore process is gone');
  const records = await sim.host.sh('ls /var/db/kleene-boot');
  t.match(records.stdout, /^restore-/m, 'the ended restore left its record');
  t.match(records.stdout, /^stop-/m);
  t.notOk(await sim.host.exists(LOCK), 'the lock is released');
});

t.test('a lock left by a crashed restore is taken over at boot, and boot says so', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: names.map((name) => ({ name, faults: { start_delay_ms: 50 } })) },
    rcConf: { kleene_containers_list: names.join(' ') },
  });
  // A pid that ran in the sim and is gone (a restore killed with SIGKILL leaves its lock).
  const dead = Number((await sim.host.sh('sh -c \'echo $$\'')).stdout.trim());
  await sim.host.writeFile(LOCK, `${dead}\nrestore\n`);
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  t.match(boot.stdout, new RegExp(`^took over /var/run/kleene-boot\\.lock from pid ${dead} \\(restore\\), which is gone$`, 'm'));
  t.notMatch(boot.stdout, /waiting up to/, 'nothing was waited for');
  t.match(await sim.host.syslog(), /took over \/var\/run\/kleene-boot\.lock/, 'syslog has it');
  const state = sim.state();
  const per = startsPer(sim);
  t.same(names.map((n) => per.get(containerId(state, n)) ?? 0), [1, 1, 1, 1], 'every container started once');
  t.notOk(await sim.host.exists(LOCK), 'released at the end');
});
