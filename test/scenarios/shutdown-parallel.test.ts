// Boot scenario: a shutdown with many containers. rc.shutdown(8) kills the whole shutdown when
// rcshutdown_timeout passes; kleene_containers stops its containers several at once, dependents
// first, each stop's timeout shortened so that the worst case fits what rcshutdown_timeout leaves
// after kleened's share and a margin.
import t from 'tap';
import { readdirSync } from 'node:fs';
import type { RunRecord } from '../../src/record/schema.ts';
import { BootSim, isoMs } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

const quick = { start_delay_ms: 50 };

/** The newest stop record the sim's shutdown left under /var/db/kleene-boot. */
async function lastStopRecord(sim: BootSim): Promise<RunRecord> {
  const dir = sim.host.path('/var/db/kleene-boot');
  const files = readdirSync(dir).filter((f) => f.startsWith('stop-')).sort();
  return JSON.parse(await sim.host.readFile(`/var/db/kleene-boot/${files.at(-1)!}`)) as RunRecord;
}

// Mutation tried: the stops one at a time (src/hook/stop.ts, runStops: `inFlight < 1`): the run
// outlasts its budget (and the watchdog fires), "several at once" fails.
t.test('20 independent containers and a chain, 1-2 s stops each: shutdown stops them in parallel, well within rcshutdown_timeout', async (t) => {
  const twenty = Array.from({ length: 20 }, (_, k) => ({ name: `c${k}`, faults: { ...quick, stop_delay_ms: 1000 + (k % 5) * 250 } }));
  const chain = ['db', 'api', 'web'].map((name) => ({ name, faults: { ...quick, stop_delay_ms: 1500 } }));
  const sim = await BootSim.create(t, {
    state: { containers: [...chain, ...twenty] },
    rcConf: {
      kleene_containers_list: [...chain, ...twenty].map((c) => c.name).join(' '),
      kleene_containers_api_depend: 'db', kleene_containers_web_depend: 'api',
      // The default, far too long for 23 stops in 30 s: the stop must shorten it, not be killed.
      kleene_containers_stop_timeout: '30',
      rcshutdown_timeout: '30',
    },
  });
  t.equal((await sim.boot()).code, 0, 'booted');
  t.equal(sim.state().jails.length, 23, 'all 23 containers run');
  const bootRuns = (await sim.scriptRuns()).length;

  const shut = await sim.shutdown();
  t.equal(shut.code, 0, 'rc.shutdown finished by itself');
  t.notOk((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), 'the watchdog never fired');
  const runs = (await sim.scriptRuns()).slice(bootRuns);
  const kc = runs.find((r) => r.name === 'kleene_containers');
  const kd = runs.find((r) => r.name === 'kleened');
  if (!t.ok(kc, 'rc.shutdown ran kleene_containers') || !t.ok(kd, 'rc.shutdown ran kleened')) return;
  t.equal(kc!.status, 0, 'every container stopped');
  t.ok(kc!.end! <= kd!.begin, 'kleene_containers had finished before kleened was stopped');
  t.equal(kd!.status, 0, 'kleened stopped cleanly');

  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  const stops = state.events.filter((e) => e.type === 'stop');
  t.same(stops.map((e) => e.container).sort(), [...chain, ...twenty].map((c) => id(c.name)).sort(), 'every container stopped once');
  const at = (n: string) => stops.find((e) => e.container === id(n))!;
  t.ok(isoMs(at('web').time) <= isoMs(String(at('api').detail!.requested)), 'web was gone before api was asked to stop');
  t.ok(isoMs(at('api').time) <= isoMs(String(at('db').detail!.requested)), 'api was gone before db was asked to stop');
  const edges = stops.flatMap((e) => [[isoMs(String(e.detail!.requested)), 1], [isoMs(e.time), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (level += d));
  t.ok(peak > 1 && peak <= 8, `several at once, at most kleene_containers_stop_jobs=8 (${peak})`);

  // The budget: rcshutdown_timeout 30 s less kleened's share (kleened_shutdown_timeout=3 s) and a
  // 3 s margin. One after another these stops take 35 s; the bound is the budget, not a timer.
  const rec = await lastStopRecord(sim);
  t.ok(rec.run.totalMs < 24_000, `the stop ended within its 24 s budget (${rec.run.totalMs} ms)`);
  t.ok(rec.run.stop && rec.run.stop.timeoutMs < 30_000 && rec.run.stop.timeoutMs * rec.run.stop.waves <= rec.run.stop.budgetMs,
    `each stop cut so that the worst case fits (${JSON.stringify(rec.run.stop)})`);
  t.match(shut.stdout, /warning: 23 containers to stop, 8 at once, the longest chain 3 deep: .* at kleene_containers_stop_timeout=30 s that is 165 s, .*: each stop is cut at [\d.]+ s/, 'said at the start, with the numbers');
});

