// Boot scenario: cold boot. kleened starts after pf and LOGIN, its API answers before
// kleene_containers runs, and the listed containers start in dependency order, at most `jobs` at
// once, each exactly once; the container nobody listed stays down.
import t from 'tap';
import { BootSim, SIM, isoMs } from '../helpers/boot.ts';
import { containerId, startFramesOf } from '../helpers/sim-state.ts';
import { parseHeaders, rcorder, type RcFile } from '../../src/rcorder/index.ts';

const DEPENDS: Record<string, string[]> = { db: [], cache: [], api: ['db', 'cache'], web: ['api'], worker: ['db'] };

t.test('cold boot starts kleened after pf and LOGIN, then each listed container once, in dependency order, jobs at a time', async (t) => {
  const sim = await BootSim.create(t, {
    state: {
      containers: [
        ...Object.keys(DEPENDS).map((name) => ({ name, faults: { start_delay_ms: 150 } })),
        { name: 'unlisted' },
      ],
    },
    rcConf: {
      kleene_containers_list: 'web worker api cache db',
      kleene_containers_jobs: '2',
      kleene_containers_api_depend: 'db cache',
      kleene_containers_web_depend: 'api',
      kleene_containers_worker_depend: 'db',
    },
  });
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  t.ok(boot.ms < 20_000, `the whole boot took ${boot.ms} ms`);

  const runs = await sim.scriptRuns();
  const run = (name: string) => {
    const r = runs.filter((x) => x.name === name);
    t.equal(r.length, 1, `${name} ran exactly once at boot`);
    return r[0]!;
  };
  const kleened = run('kleened');
  const containers = run('kleene_containers');
  t.equal(kleened.arg, 'faststart', 'rc passes faststart at autoboot');
  for (const before of ['LOGIN', 'pf', 'zfs', 'FILESYSTEMS', 'NETWORKING']) {
    t.ok(run(before).end! <= kleened.begin, `${before} finished before kleened began`);
  }
  t.equal(kleened.status, 0, 'kleened start succeeded');
  t.ok(kleened.end! <= containers.begin, 'kleene_containers began after kleened returned');
  t.equal(containers.status, 0, 'kleene_containers start succeeded');

  // rcorder leaves unrelated files in any order: the installed headers must put kleened after pf
  // and LOGIN whatever the order rc passes them in, so order them again with the local scripts first.
  const files: RcFile[] = [];
  for (const f of [`${SIM.rcd}/kleene_containers`, `${SIM.rcd}/kleened`, ...(await sim.order('pass2')).map((n) => `/etc/rc.d/${n}`)]) {
    if (f.startsWith('/etc/rc.d/kleene')) continue;
    files.push({ file: f, header: parseHeaders(await sim.host.readFile(f), f) });
  }
  const worst = rcorder(files, { skipKeywords: ['nostart'] });
  const at = (n: string) => worst.order.findIndex((f) => f.endsWith(`/${n}`));
  t.ok(at('kleened') > at('pf') && at('kleened') > at('LOGIN'), 'the installed kleened header orders it after pf and LOGIN in any input order');
  t.ok(at('kleene_containers') > at('kleened'), 'the installed kleene_containers header orders it after kleened');
  t.equal(await sim.readOr(SIM.rcorderErr), '', 'rcorder warned about nothing (no missing provider, no cycle)');

  const reqs = sim.requests();
  const firstOk = reqs.find((r) => r.kind === 'http' && r.status === 200);
  t.ok(firstOk, 'the API answered');
  // The double logs a request once it has answered it, and a loaded machine may run the rc
  // script's end first: compare when the request came (t_ms - ms). A kleened start that did not
  // wait for the API leaves the first answer to kleene_containers' hook, after both.
  const askedAt = firstOk!.t_ms - (firstOk!.ms ?? 0);
  t.ok(askedAt <= kleened.end!, 'the API was asked, and answered, while kleened start waited for it');
  t.ok(askedAt < containers.begin, 'the API answered before kleene_containers ran');

  const state = sim.state();
  const id = (n: string) => containerId(state, n);
  for (const name of Object.keys(DEPENDS)) {
    t.equal(state.events.filter((e) => e.type === 'start' && e.container === id(name)).length, 1, `${name} started exactly once`);
    t.ok(state.jails.some((j) => j.name === id(name)), `${name}'s jail runs`);
  }
  t.equal(state.events.filter((e) => e.type === 'duplicate_start').length, 0, 'no command ran twice in a live jail');
  t.notOk(state.events.some((e) => e.container === id('unlisted')), 'the unlisted container was left alone');

  // A dependent's start is requested only after each dependency's jail exists.
  const startedAt = (n: string) => isoMs(state.events.find((e) => e.type === 'start' && e.container === id(n))!.time);
  const requestedAt = (n: string) => startFramesOf(reqs).find((r) => r.id === id(n))?.t_ms;
  for (const [name, deps] of Object.entries(DEPENDS)) {
    t.ok(requestedAt(name), `${name}'s start was requested`);
    for (const d of deps) t.ok(startedAt(d) <= requestedAt(name)!, `${d} was up before ${name} was asked to start`);
  }
  // jobs bounds the start requests open to kleened (its answer comes once `jail -c` is spawned).
  t.ok(state.stats.max_start_requests_open <= 2, `at most jobs=2 starts at once (saw ${state.stats.max_start_requests_open})`);
  t.equal(state.stats.max_start_requests_open, 2, 'independent containers did start side by side');
  t.ok(containers.end! >= Math.max(...Object.keys(DEPENDS).map(startedAt)), 'kleene_containers returned after the last start');

  t.match(await sim.host.syslog(), /kleene_containers: restore: ok: 5 containers: 5 started/, 'the boot report reached syslog');
  t.ok((await sim.events()).some((e) => e.kind === 'rc' && e.args[0] === 'end'), 'rc reached its end');
});
