// `stop` against a kleened whose stops take time, as real ones do (kleened runs the jail's
// exec.stop, /bin/sh /etc/rc.shutdown, and removes the jail only then): a dependent's stop must
// have answered, its jail gone, before the stop of what it depends on is even requested.
// With instant stops this only checked the order the requests were sent.
//
// Mutation tried: stops sent all at once instead of dependents first (src/hook/stop.ts: the
// `for (const id of toStop)` loop replaced by `await Promise.all(toStop.map(async (id) => ...))`):
// "each dependency is asked to stop only after its dependents are gone" fails.
import t from 'tap';
import { isoMs } from '../helpers/boot.ts';
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
