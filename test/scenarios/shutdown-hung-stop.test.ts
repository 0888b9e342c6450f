// Boot scenario: a container whose stop never ends (its jail's exec.stop hangs) holds the
// shutdown only kleene_containers_stop_timeout, is named in the report, and what it depends on
// is still stopped before kleened.
import t from 'tap';
import { readdirSync } from 'node:fs';
import type { RunRecord } from '../../src/record/schema.ts';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

const quick = { start_delay_ms: 50 };

/** The newest stop record the sim's shutdown left under /var/db/kleene-boot. */
async function lastStopRecord(sim: BootSim): Promise<RunRecord> {
  const dir = sim.host.path('/var/db/kleene-boot');
  const files = readdirSync(dir).filter((f) => f.startsWith('stop-')).sort();
  return JSON.parse(await sim.host.readFile(`/var/db/kleene-boot/${files.at(-1)!}`)) as RunRecord;
}

// Mutation tried: the stop's deadline `sched.timeoutMs * 1000` (src/hook/stop.ts, runStops): the
// hung stop holds shutdown until the watchdog kills it; "the watchdog never fired" fails.
t.test('a container whose stop hangs holds shutdown only kleene_containers_stop_timeout, and is named', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'db', faults: quick }, { name: 'hung', faults: { ...quick, stop_hang: true } }] },
    rcConf: { kleene_containers_list: 'db hung', kleene_containers_hung_depend: 'db', kleene_containers_stop_timeout: '2' },
  });
  t.equal((await sim.boot()).code, 0, 'booted');
  const shut = await sim.shutdown();
  t.equal(shut.code, 0, 'rc.shutdown finished by itself');
  t.notOk((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), 'the watchdog never fired');
  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  t.match(await sim.host.syslog(), new RegExp(`hung \\(${id('hung')}\\): timed out: kleened did not stop it within 2 s`), 'the report names the hung container');
  const rec = await lastStopRecord(sim);
  const hung = rec.containers.find((c) => c.name === 'hung')!;
  const held = hung.doneMs! - hung.requestedMs!;
  t.ok(held >= 1950 && held < 3800, `its stop was cut at kleene_containers_stop_timeout=2 s (${held} ms)`);
  t.equal(state.events.filter((e) => e.type === 'stop' && e.container === id('db')).length, 1, 'db, which it depends on, was still stopped');
});
