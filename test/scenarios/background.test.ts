// Boot scenario: kleene_containers_background=YES. The boot passes the script at once (the
// restore runs under daemon(8) -f, holding no pipe of rc's); the restore still happens, each
// container once, and its report reaches syslog.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

t.test('with background=YES boot passes kleene_containers at once and the restore still completes and is logged', async (t) => {
  const slow = { start_delay_ms: 1_000 };
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'alpha', faults: slow }, { name: 'beta', faults: slow }, { name: 'gamma', faults: slow }] },
    rcConf: {
      kleene_containers_list: 'alpha beta gamma',
      kleene_containers_jobs: '1', // three starts one after another: at least 3 s of restore
      kleene_containers_background: 'YES',
    },
  });
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  const kc = (await sim.scriptRuns()).find((r) => r.name === 'kleene_containers');
  if (!t.ok(kc, 'kleene_containers ran')) return;
  t.equal(kc!.status, 0, 'and returned success');
  // No wall-clock bound on how long the script held the boot (a loaded machine is slow): the
  // order of events below says it returned before the restore started anything.
  t.comment(`kleene_containers held the boot ${kc!.end! - kc!.begin} ms`);
  t.match(boot.stdout, /in the background/, 'the console says the restore went to the background');
  const rcEnd = (await sim.events()).find((e) => e.kind === 'rc' && e.args[0] === 'end')!.ms;

  // Wait (bounded) for the background restore's report.
  const deadline = Date.now() + 15_000;
  let log = '';
  while (Date.now() < deadline && !/restore: (ok|FAILED)/.test(log)) {
    await new Promise((r) => setTimeout(r, 100));
    log = await sim.host.syslog();
  }
  t.match(log, /kleene_containers: restore: ok: 3 containers: 3 started/, 'the background restore logged its report to syslog');
  const state = sim.state();
  for (const n of ['alpha', 'beta', 'gamma']) {
    const starts = state.events.filter((e) => e.type === 'start' && e.container === containerId(state, n));
    t.equal(starts.length, 1, `${n} started exactly once`);
    t.ok(Date.parse(starts[0]?.time ?? '') > kc!.end!, `${n} started after the boot had passed the script`);
  }
  t.ok(Date.parse(state.events.at(-1)?.time ?? '') > rcEnd, 'the last start came after rc had finished');
  // jobs bounds the start requests open to kleened (its answer comes once `jail -c` is spawned).
  t.equal(state.stats.max_start_requests_open, 1, 'jobs=1 held in the background too');
  t.equal((await sim.host.pids(/hook\.js restore/)).length, 0, 'the background restore exited when done');
});
