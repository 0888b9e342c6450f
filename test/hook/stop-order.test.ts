// `stop` against a kleened whose stops take time, as real ones do (kleened runs the jail's
// exec.stop, /bin/sh /etc/rc.shutdown, and removes the jail only then): a dependent's stop must
// have answered, its jail gone, before the stop of what it depends on is even requested.
// With instant stops this only checked the order the requests were sent.
//
// Mutation tried: stops sent all at once instead of dependents first (src/hook/stop.ts: the
// waits of runStops ignored, `unmet` all 0): "each dependency is asked to stop only after its
// dependents are gone" fails.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/record/schema.ts';
import { isoMs } from '../helpers/boot.ts';
import type { SimState } from '../helpers/sim-state.ts';
import { rig } from './rig.ts';

t.test('each dependency is asked to stop only after its dependents are gone', async (t) => {
  const slow = { stop_delay_ms: 300 };
  const r = await rig(t, { containers: [
    { name: 'db', running: true, faults: slow }, { name: 'cache', running: true, faults: slow },
    { name: 'web', running: true, faults: slow }, { name: 'api', running: true, faults: slow },
  ] });
  const run = await r.hook(['stop'], {
    kleene_containers_list: 'db cache web api',
    kleene_containers_web_depend: 'db cache', kleene_containers_api_depend: 'web',
  });
  t.equal(run.code, 0, run.stdout + run.stderr);
  const stops = new Map(r.state().events.filter((e) => e.type === 'stop').map((e) => [e.container, e]));
  t.equal(stops.size, 4, 'all four stopped');
  const pairs: Array<[string, string]> = [['api', 'web'], ['web', 'db'], ['web', 'cache']];
  for (const [dependent, dependency] of pairs) {
    const gone = isoMs(stops.get(r.id(dependent))!.time);
    const asked = isoMs(String(stops.get(r.id(dependency))!.detail!.requested));
    t.ok(gone <= asked, `${dependent} was gone (${gone}) before ${dependency} was asked to stop (${asked})`);
  }
  t.same(r.state().jails, [], 'no jail left');
});

/** The newest stop record the rig's run left (KLEENE_BOOT_RECORD_DIR). */
function stopRecord(dir: string): RunRecord {
  const files = readdirSync(join(dir, 'records')).filter((f) => f.startsWith('stop-')).sort();
  return JSON.parse(readFileSync(join(dir, 'records', files.at(-1)!), 'utf8')) as RunRecord;
}

/** Most stops in flight at once, from the double's stop events ([requested, jail gone]). */
function peakStops(events: SimState['events']): number {
  const edges = events.filter((e) => e.type === 'stop')
    .flatMap((e) => [[isoMs(String(e.detail!.requested)), 1], [isoMs(e.time), -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (level += d));
  return peak;
}

// Mutations tried: the stop's deadline set to `sched.timeoutMs * 1000` (src/hook/stop.ts, in
// runStops) and to `sched.timeoutMs * 2`: "cut at 2 s" fails both (the first one by the rig's
// own bound on the hook, the second by the upper side of the bound).
t.test('a stop that outlasts kleene_containers_stop_timeout is cut at it, and what it depends on is still stopped', async (t) => {
  const r = await rig(t, { containers: [
    { name: 'db', running: true, faults: { stop_delay_ms: 100 } },
    { name: 'web', running: true, faults: { stop_hang: true } },
  ] });
  const run = await r.hook(['stop'], { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db', kleene_containers_stop_timeout: '2' });
  t.equal(run.code, 1, 'a container that did not stop fails the stop');
  t.match(run.stdout, new RegExp(`^web \\(${r.id('web')}\\): timed out: kleened did not stop it within 2 s$`, 'm'), 'the hung container is named');
  t.match(run.stdout, new RegExp(`^db \\(${r.id('db')}\\): stopped$`, 'm'), 'its dependency was stopped after it');
  const rec = stopRecord(r.dir);
  const web = rec.containers.find((c) => c.name === 'web')!;
  const db = rec.containers.find((c) => c.name === 'db')!;
  const held = web.doneMs! - web.requestedMs!;
  // Both sides: not before the timeout, and well before twice it.
  t.ok(held >= 1950 && held < 3800, `web's stop was cut at kleene_containers_stop_timeout=2 s (${held} ms)`);
  t.ok(db.requestedMs! >= web.doneMs!, 'db was asked to stop only once web\'s stop had ended');
  t.same(db.waitedFor, [r.id('web')], 'the record says what db waited for');
  t.equal(r.state().events.filter((e) => e.type === 'stop_hung').length, 1, 'web was asked once');
  t.same(r.state().jails.map((j) => j.name), [r.id('web')], 'only the hung jail is left');
});

// Mutations tried: stops one at a time (`inFlight < sched.jobs` -> `inFlight < 1` in runStops):
// "several at once" fails; the jobs bound ignored (`inFlight < sched.order.length`): "never more
// than kleene_containers_stop_jobs" fails.
t.test('independent containers stop several at once, never more than kleene_containers_stop_jobs, a chain in reverse order', async (t) => {
  const slow = { stop_delay_ms: 400 };
  const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'db', 'api', 'web'];
  const r = await rig(t, { containers: names.map((name) => ({ name, running: true, faults: slow })) });
  const run = await r.hook(['stop'], {
    kleene_containers_list: names.join(' '), kleene_containers_api_depend: 'db', kleene_containers_web_depend: 'api',
    kleene_containers_stop_jobs: '3',
  });
  t.equal(run.code, 0, run.stdout + run.stderr);
  const events = r.state().events;
  const stops = events.filter((e) => e.type === 'stop');
  t.same(stops.map((e) => e.container).sort(), names.map((n) => r.id(n)).sort(), 'every container stopped once');
  const peak = peakStops(events);
  t.ok(peak >= 2, `several at once (${peak})`);
  t.ok(peak <= 3, `never more than kleene_containers_stop_jobs=3 (${peak})`);
  const at = (n: string) => stops.find((e) => e.container === r.id(n))!;
  t.ok(isoMs(at('web').time) <= isoMs(String(at('api').detail!.requested)), 'web gone before api was asked');
  t.ok(isoMs(at('api').time) <= isoMs(String(at('db').detail!.requested)), 'api gone before db was asked');
  const rec = stopRecord(r.dir);
  t.equal(rec.run.jobs, 3, 'the record says how many at once');
  t.same(rec.containers.find((c) => c.name === 'api')!.waitedFor, [r.id('web')]);
});
