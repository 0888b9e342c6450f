// "Every dependency honoured", "Up means its jail runs" and "No second start for a
// container kleened starts itself", at a real boot: an invalid _depend value blocks its container
// and their dependents (no start request, nothing of the value runs); a dependency whose jail
// never comes up after kleened's 1001 keeps its dependent from starting; a listed on-startup
// container that kleened starts by itself right after its API comes up gets exactly one start
// (kleened's), and its dependents start after its jail runs.
import t from 'tap';
import { BootSim, isoMs } from '../helpers/boot.ts';
import { containerId, startFramesOf } from '../helpers/sim-state.ts';

t.test('at boot every dependency is honoured and an on-startup container is started once, by kleened', async (t) => {
  // Mutations: dropping badDepend (src/plan/resolve.ts) started x1 and x2; counting a start up at
  // its 1001 (RestoreRun.startOne without actions.jail) started child; deciding 'start' for
  // on-startup containers (decideOwn) gave db a second start request.
  const sim = await BootSim.create(t, {
    state: {
      containers: [
        // kleened's own on-startup loop starts db right after its API listens; it takes a while.
        { name: 'db', restart_policy: 'on-startup', faults: { start_delay_ms: 3000 } },
        { name: 'web', faults: { start_delay_ms: 50 } },
        { name: 'api', faults: { start_delay_ms: 50 } },
        { name: 'x1', faults: { start_delay_ms: 50 } },
        { name: 'x2', faults: { start_delay_ms: 50 } },
        // kleened answers 1001, then `jail -c` fails: the jail never appears.
        { name: 'flaky', faults: { start_delay_ms: 50, start_result: 'no_jail' } },
        { name: 'child', faults: { start_delay_ms: 50 } },
      ],
    },
    rcConf: {
      kleene_containers_list: 'db web api x1 x2 flaky child',
      kleene_containers_web_depend: 'db',
      kleene_containers_api_depend: 'web',
      // The marker lives on the sim's private /var/run tmpfs: the real host's /tmp shows through
      // the sim, so a /tmp/x left by anything else on the machine would fail this test.
      kleene_containers_x1_depend: 'db;touch${IFS}/var/run/x1-ran',
      kleene_containers_x2_depend: 'x1',
      kleene_containers_child_depend: 'flaky',
      kleene_containers_start_timeout: '8',
    },
  });
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  const creates = startFramesOf(sim.requests()).map((r) => ({ id: r.id, t: r.t_ms }));
  const asked = (n: string) => creates.filter((c) => c.id === id(n));

  // Invalid depend value: the container and its dependents get no start request; nothing ran.
  t.same([asked('x1').length, asked('x2').length], [0, 0], 'x1 and x2 were never asked to start');
  t.match(boot.stdout, new RegExp(`x1 \\(${id('x1')}\\): blocked: kleene_containers_x1_depend: 'db;touch\\$\\{IFS\\}/var/run/x1-ran' is not a container name or id`));
  t.match(boot.stdout, new RegExp(`x2 \\(${id('x2')}\\): blocked by dependency: dependency x1 \\(${id('x1')}\\) is blocked`));
  t.notOk(await sim.host.exists('/var/run/x1-ran'), 'the value never ran');

  // A dependency whose jail dies right after the 1001: its dependent is not started.
  t.equal(asked('flaky').length, 1, 'flaky was asked to start');
  t.match(boot.stdout, new RegExp(`flaky \\(${id('flaky')}\\): failed: kleened reported the start, but no jail ${id('flaky')} runs`));
  t.equal(asked('child').length, 0, 'child was never asked to start');
  t.match(boot.stdout, new RegExp(`child \\(${id('child')}\\): blocked by dependency: dependency flaky \\(${id('flaky')}\\) failed`));

  // The on-startup container: exactly one start (kleened's own), its dependents after its jail.
  t.equal(asked('db').length, 0, 'kleene-boot never asked kleened to start db');
  const dbStarts = state.events.filter((e) => (e.type === 'start' || e.type === 'duplicate_start') && e.container === id('db'));
  t.equal(dbStarts.length, 1, 'db started exactly once');
  t.equal(dbStarts[0]?.detail?.source, 'autostart', 'by kleened itself');
  t.match(boot.stdout, new RegExp(`db \\(${id('db')}\\): started by kleened: restart_policy on-startup; \`kleene-boot adopt\``));
  const dbUp = isoMs(dbStarts[0]!.time);
  t.ok(asked('web').length === 1 && asked('web')[0]!.t >= dbUp, 'web was asked to start after db\'s jail ran');
  t.ok(asked('api').length === 1 && asked('api')[0]!.t >= asked('web')[0]!.t, 'api after web');
  t.equal(state.events.filter((e) => e.type === 'duplicate_start').length, 0, 'no command ran twice');
});
