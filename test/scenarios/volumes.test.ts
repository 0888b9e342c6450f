// Boot scenario: reboot with a volume dataset missing, another unmounted, another mounted
// elsewhere. kleened would start such a container anyway, with an empty directory where its data
// should be (FACTS): exactly the affected containers and their dependents are blocked, with
// reasons; the rest start.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

t.test('containers whose volume dataset is missing, unmounted or mounted elsewhere are blocked with their dependents; the rest start', async (t) => {
  const quick = { start_delay_ms: 50 };
  const sim = await BootSim.create(t, {
    state: {
      containers: [
        { name: 'lost', volumes: ['gone'], faults: quick },
        { name: 'sleepy', volumes: ['off'], faults: quick },
        { name: 'moved', volumes: ['elsewhere'], faults: quick },
        { name: 'frontend', faults: quick }, // depends on lost
        { name: 'report', faults: quick }, // depends on frontend: blocked two levels down
        { name: 'fine', volumes: ['data'], faults: quick },
        { name: 'plain', faults: quick },
        { name: 'client', faults: quick }, // depends on fine: must start
      ],
      datasets: {
        'zroot/kleene/volumes/gone': null,
        'zroot/kleene/volumes/off': { mounted: 'no' },
        'zroot/kleene/volumes/elsewhere': { mountpoint: '/mnt/other' },
      },
    },
    rcConf: {
      kleene_containers_list: 'lost sleepy moved frontend report fine plain client',
      kleene_containers_frontend_depend: 'lost',
      kleene_containers_report_depend: 'frontend',
      kleene_containers_client_depend: 'fine',
    },
  });
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  const runs = await sim.scriptRuns();
  const kc = runs.find((r) => r.name === 'kleene_containers')!;
  t.ok(kc, 'kleene_containers ran');
  t.not(kc.status, 0, 'kleene_containers reports the failure in its exit status');
  t.ok((await sim.events()).some((e) => e.kind === 'rc' && e.args[0] === 'end'), 'boot went on to the end');

  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  const started = new Set(state.events.filter((e) => e.type === 'start').map((e) => e.container));
  for (const n of ['fine', 'plain', 'client']) t.ok(started.has(id(n)), `${n} started`);
  for (const n of ['lost', 'sleepy', 'moved', 'frontend', 'report']) t.notOk(started.has(id(n)), `${n} was not started`);
  t.equal(started.size, 3, 'exactly the unaffected containers started');
  t.notOk(state.events.some((e) => e.type === 'mount_warning'), 'kleened was never asked to start a container with a broken volume');

  const log = await sim.host.syslog();
  const line = (n: string) => log.split('\n').find((l) => l.startsWith(`kleene_containers: ${n} (${id(n)}): `)) ?? '';
  t.match(line('lost'), /blocked: volume gone: .*does not exist/, 'lost: the reason names the missing volume');
  t.match(line('lost'), /zroot\/kleene\/volumes\/gone/, 'lost: the reason names the dataset');
  t.match(line('sleepy'), /blocked: .*zroot\/kleene\/volumes\/off.*not mounted/, 'sleepy: the reason says the dataset is not mounted');
  t.match(line('moved'), /blocked: .*\/mnt\/other/, 'moved: the reason names where the dataset is mounted');
  t.match(line('frontend'), /blocked by dependency: .*lost/, 'frontend: blocked because of lost');
  t.match(line('report'), /blocked by dependency: .*frontend/, 'report: blocked because of frontend');
  for (const n of ['fine', 'plain', 'client']) t.match(line(n), /: started$/, `${n}: reported started`);
  t.match(log, /restore: FAILED: 8 containers: 3 started, 3 blocked, 2 blocked by dependency$/m, 'the summary counts them');
});
