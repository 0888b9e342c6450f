// Table-driven tests of the pure restore planner: configuration (rc.conf variables) + inventory
// in, decisions, order and reasons out. No processes, no sockets.
import t from 'tap';
import { parseContainersConfig } from '../../src/model/config.ts';
import { decideOwn, planRestore, planSkeleton, rcConfOnlyInventory } from '../../src/plan/restore.ts';
import type { Facts, Inventory } from '../../src/plan/types.ts';
import type { ContainerSummary, MountPoint } from '../../src/kleened/types.ts';

// Ids are 12 hex characters like kleened's; the name is readable in the want tables.
const ID: Record<string, string> = {
  db: 'aaaaaaaaaa01', web: 'aaaaaaaaaa02', cache: 'aaaaaaaaaa03', worker: 'aaaaaaaaaa04',
  api: 'aaaaaaaaaa05', twin1: 'aaaaaaaaaa06', twin2: 'aaaaaaaaaa07', legacy: 'aaaaaaaaaa08',
};

interface Box {
  name: string;
  id?: string;
  policy?: 'no' | 'on-startup';
  volumes?: string[];
}

interface World {
  boxes: Box[];
  jails?: string[] | string;
  /** volume name -> [dataset mounted?, mountpoint as zfs shows it]; absent = no dataset. */
  datasets?: Record<string, [boolean, string]> | string;
  /** Volumes kleened knows; default: every volume some box mounts. */
  volumes?: string[];
  /** Ids whose inspect failed, with the error. */
  inspectErrors?: Record<string, string>;
}

function inventory(w: World): Inventory {
  const containers: ContainerSummary[] = w.boxes.map((b) => ({ id: b.id ?? ID[b.name]!, name: b.name, restart_policy: b.policy ?? 'no' }));
  const allVolumes = w.volumes ?? [...new Set(w.boxes.flatMap((b) => b.volumes ?? []))];
  const mounts: Inventory['mounts'] = {};
  for (const b of w.boxes) {
    const id = b.id ?? ID[b.name]!;
    const err = w.inspectErrors?.[id];
    mounts[id] = err ? { ok: false, error: err }
      : { ok: true, value: (b.volumes ?? []).map((v): MountPoint => ({ type: 'volume', source: v, destination: `/mnt/${v}` })) };
  }
  const ds = w.datasets ?? Object.fromEntries(allVolumes.map((v) => [v, [true, `/zroot/kleene/volumes/${v}`] as [boolean, string]]));
  return {
    containers,
    jails: typeof w.jails === 'string' ? { ok: false, error: w.jails } : { ok: true, value: (w.jails ?? []).map((n) => ID[n] ?? n) },
    datasets: typeof ds === 'string' ? { ok: false, error: ds }
      : { ok: true, value: Object.entries(ds).map(([v, [mounted, mp]]) => ({ name: `zroot/kleene/volumes/${v}`, mounted, mountpoint: mp })) },
    volumes: { ok: true, value: allVolumes.map((v) => ({ name: v, dataset: `zroot/kleene/volumes/${v}`, mountpoint: `/zroot/kleene/volumes/${v}` })) },
    mounts,
  };
}

interface Want {
  /** name -> decision (and, after a colon, a fragment the reason must contain). */
  decisions?: Record<string, string>;
  /** Start order of every resolved container, by name. */
  order?: string[];
  waves?: string[][];
  problems?: string[];
  stopOrder?: string[];
}

interface Case {
  name: string;
  config: Record<string, string>;
  /** The variable whose value parseContainersConfig reports as an error (the case is about it). */
  badConfig?: string;
  world: World;
  want: Want;
}

const three: Box[] = [{ name: 'db', volumes: ['data'] }, { name: 'web' }, { name: 'cache' }];

const cases: Case[] = [
  {
    name: 'an empty list plans nothing',
    config: {},
    world: { boxes: three },
    want: { order: [], waves: [], problems: [], stopOrder: [] },
  },
  {
    name: 'dependencies start first, in their own wave, and stop last',
    config: { kleene_containers_list: 'web db', kleene_containers_web_depend: 'db' },
    world: { boxes: three },
    want: { decisions: { db: 'start', web: 'start' }, order: ['db', 'web'], waves: [['db'], ['web']], stopOrder: ['web', 'db'] },
  },
  {
    name: 'lower priority starts first; list order breaks priority ties',
    config: { kleene_containers_list: 'web cache db', kleene_containers_db_priority: '10' },
    world: { boxes: three },
    want: { order: ['db', 'web', 'cache'], waves: [['db', 'web', 'cache']] },
  },
  {
    name: 'among equal priorities the container with the longest chain of dependents goes first',
    // cache is listed first, but db has web and worker waiting in a chain behind it: starting
    // db first is what keeps a restore with few jobs close to its critical path.
    config: { kleene_containers_list: 'cache db web worker', kleene_containers_web_depend: 'db', kleene_containers_worker_depend: 'web' },
    world: { boxes: [...three, { name: 'worker' }] },
    want: { order: ['db', 'web', 'cache', 'worker'], waves: [['db', 'cache'], ['web'], ['worker']] },
  },
  {
    name: 'a container listed by id takes the settings written under its name',
    config: { kleene_containers_list: 'aaaaaaaaaa02 db', kleene_containers_web_depend: 'db' },
    world: { boxes: three },
    want: { order: ['db', 'web'], waves: [['db'], ['web']] },
  },
  {
    name: 'priority still wins over a longer chain',
    config: { kleene_containers_list: 'cache db web', kleene_containers_web_depend: 'db', kleene_containers_cache_priority: '10' },
    world: { boxes: three },
    want: { order: ['cache', 'db', 'web'] },
  },
  {
    name: 'equal priority and position fall back to id order for imported containers',
    config: { kleene_containers_import_on_startup: 'YES' },
    world: { boxes: [{ name: 'web', policy: 'on-startup' }, { name: 'db', policy: 'on-startup' }, { name: 'cache' }] },
    want: { order: ['db', 'web'], decisions: { db: 'kleened-starts', web: 'kleened-starts' } },
  },
  {
    // kleened starts on-startup containers itself right after its API listens (FACTS): a listed
    // one is left to kleened, and its dependents wait for it as for any other.
    name: 'a listed on-startup container is left to kleened; its dependent follows it',
    config: { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db' },
    world: { boxes: [{ name: 'db', policy: 'on-startup' }, { name: 'web' }] },
    want: { order: ['db', 'web'], waves: [['db'], ['web']], decisions: { db: 'kleened-starts:restart_policy on-startup', web: 'start' } },
  },
  {
    // Dropping it started the dependent without the dependency the sysadmin asked for.
    name: 'an invalid _depend value blocks the container and its dependents, naming the variable',
    badConfig: 'kleene_containers_web_depend',
    config: { kleene_containers_list: 'db web api', kleene_containers_web_depend: 'db;touch${IFS}/tmp/x', kleene_containers_api_depend: 'web' },
    world: { boxes: [{ name: 'db' }, { name: 'web' }, { name: 'api' }] },
    want: { decisions: { db: 'start', web: "blocked:kleene_containers_web_depend: 'db;touch${IFS}/tmp/x' is not a container name or id", api: 'blocked-dependency:dependency web (aaaaaaaaaa02) is blocked' } },
  },
  {
    name: 'a _depend naming no container blocks the container, naming the variable',
    config: { kleene_containers_list: 'web', kleene_containers_web_depend: 'nosuch' },
    world: { boxes: [{ name: 'web' }] },
    want: { decisions: { web: "blocked:kleene_containers_web_depend: dependency 'nosuch': no container is named 'nosuch'" } },
  },
  {
    name: 'import_on_startup adds on-startup containers after the listed ones',
    config: { kleene_containers_list: 'cache', kleene_containers_import_on_startup: 'YES' },
    world: { boxes: [{ name: 'web', policy: 'on-startup' }, { name: 'cache' }, { name: 'db' }] },
    want: { order: ['cache', 'web'] },
  },
  {
    name: 'import_on_startup off ignores kleened restart policies',
    config: { kleene_containers_list: 'cache' },
    world: { boxes: [{ name: 'web', policy: 'on-startup' }, { name: 'cache' }] },
    want: { order: ['cache'] },
  },
  {
    name: 'skips a container whose jail is already running',
    config: { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db' },
    world: { boxes: three, jails: ['db'] },
    want: { decisions: { db: 'running', web: 'start' }, waves: [['web']] },
  },
  {
    name: 'a running container is left alone even when its volume is missing',
    config: { kleene_containers_list: 'db' },
    world: { boxes: three, jails: ['db'], datasets: {} },
    want: { decisions: { db: 'running' } },
  },
  {
    name: 'blocks a container whose volume dataset does not exist, and its dependents',
    config: { kleene_containers_list: 'db web cache', kleene_containers_web_depend: 'db' },
    world: { boxes: three, datasets: {} },
    want: { decisions: {
      db: 'blocked:volume data: dataset zroot/kleene/volumes/data does not exist',
      web: 'blocked-dependency:dependency db (aaaaaaaaaa01) is blocked',
      cache: 'start',
    } },
  },
  {
    name: 'blocks a container whose volume dataset is not mounted',
    config: { kleene_containers_list: 'db cache' },
    world: { boxes: three, datasets: { data: [false, '/zroot/kleene/volumes/data'] } },
    want: { decisions: { db: 'blocked:volume data: dataset zroot/kleene/volumes/data is not mounted', cache: 'start' } },
  },
  {
    name: 'blocks a container whose volume is mounted elsewhere than kleened recorded',
    config: { kleene_containers_list: 'db' },
    world: { boxes: three, datasets: { data: [true, '/mnt/elsewhere'] } },
    want: { decisions: { db: 'blocked:is mounted at /mnt/elsewhere, kleened expects /zroot/kleene/volumes/data' } },
  },
  {
    name: 'blocks a container mounting a volume kleened does not know',
    config: { kleene_containers_list: 'db' },
    world: { boxes: three, volumes: [] },
    want: { decisions: { db: 'blocked:volume data: kleened does not know this volume' } },
  },
  {
    name: 'blocks only containers with volumes when zfs failed',
    config: { kleene_containers_list: 'db web' },
    world: { boxes: three, datasets: 'zfs failed: no pools available' },
    want: { decisions: { db: 'blocked:cannot check dataset zroot/kleene/volumes/data: zfs failed', web: 'start' } },
  },
  {
    name: 'starts nothing when jls failed: it cannot tell what already runs',
    config: { kleene_containers_list: 'db web' },
    world: { boxes: three, jails: 'jls failed: boom' },
    want: { decisions: { db: 'blocked:cannot tell whether its jail runs', web: 'blocked:cannot tell whether its jail runs' } },
  },
  {
    name: 'a container that disappeared before inspect is blocked with the reason',
    config: { kleene_containers_list: 'db web' },
    world: { boxes: three, inspectErrors: { [ID.web!]: 'kleened answered 404: no such container' } },
    want: { decisions: { web: 'blocked:cannot tell which volumes it mounts: kleened answered 404', db: 'start' } },
  },
  {
    name: 'reports a cycle with the cycle spelled out, for its members only',
    config: {
      kleene_containers_list: 'web db cache worker',
      kleene_containers_web_depend: 'db', kleene_containers_db_depend: 'cache', kleene_containers_cache_depend: 'web',
    },
    world: { boxes: [...three, { name: 'worker' }] },
    want: { decisions: {
      web: 'cycle:dependency cycle: web -> db -> cache -> web',
      db: 'cycle:dependency cycle: web -> db -> cache -> web',
      cache: 'cycle:dependency cycle: web -> db -> cache -> web',
      worker: 'start',
    } },
  },
  {
    name: 'a container depending on itself is a cycle',
    config: { kleene_containers_list: 'web', kleene_containers_web_depend: 'web' },
    world: { boxes: three },
    want: { decisions: { web: 'cycle:dependency cycle: web -> web' } },
  },
  {
    name: 'a dependent of a cycle is blocked by dependency',
    config: {
      kleene_containers_list: 'api web db',
      kleene_containers_web_depend: 'db', kleene_containers_db_depend: 'web', kleene_containers_api_depend: 'web',
    },
    world: { boxes: [...three, { name: 'api' }] },
    want: { decisions: { api: 'blocked-dependency:', web: 'cycle:', db: 'cycle:' } },
  },
  {
    name: 'a dependency of a dependency that is blocked blocks the whole chain',
    config: { kleene_containers_list: 'api web db', kleene_containers_api_depend: 'web', kleene_containers_web_depend: 'db' },
    world: { boxes: [...three, { name: 'api' }], datasets: {} },
    want: { decisions: { db: 'blocked:', web: 'blocked-dependency:db', api: 'blocked-dependency:web' }, order: ['db', 'web', 'api'] },
  },
  {
    name: 'an unknown entry is an error for that entry alone',
    config: { kleene_containers_list: 'web nosuch' },
    world: { boxes: three },
    want: { decisions: { web: 'start' }, problems: ["unknown:no container is named 'nosuch'"] },
  },
  {
    name: 'an ambiguous name is an error for that entry alone; the id still works',
    config: { kleene_containers_list: `twin web ${ID.twin2}` },
    world: { boxes: [{ name: 'twin', id: ID.twin1 }, { name: 'twin', id: ID.twin2 }, { name: 'web' }] },
    want: { order: ['web', 'twin'], problems: [`ambiguous:'twin' names 2 containers (${ID.twin1}, ${ID.twin2})`] },
  },
  {
    name: 'an unknown dependency blocks its dependent with the name',
    config: { kleene_containers_list: 'web', kleene_containers_web_depend: 'ghost' },
    world: { boxes: three },
    want: { decisions: { web: "blocked:dependency 'ghost': no container is named 'ghost'" } },
  },
  {
    name: 'a dependency missing from the list is pulled in and started first',
    config: { kleene_containers_list: 'web', kleene_containers_web_depend: 'cache' },
    world: { boxes: three },
    want: { order: ['cache', 'web'], waves: [['cache'], ['web']] },
  },
  {
    name: 'the same container listed by name and by id is planned once',
    config: { kleene_containers_list: `web ${ID.web}` },
    world: { boxes: three },
    want: { order: ['web'], problems: [] },
  },
  {
    name: 'per-container settings follow the name mapped to a variable part',
    config: { kleene_containers_list: 'my.web-1 db', 'kleene_containers_my_web_1_priority': '1' },
    world: { boxes: [{ name: 'my.web-1', id: 'aaaaaaaaaa09' }, { name: 'db' }], datasets: undefined },
    want: { order: ['my.web-1', 'db'] },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { config, diagnostics } = parseContainersConfig(c.config);
    if (c.badConfig) t.match(diagnostics, [{ variable: c.badConfig }], 'the configuration error is reported too');
    else t.same(diagnostics, [], 'the test configuration itself is valid');
    const plan = planRestore(config, inventory(c.world));
    const name = (id: string): string => plan.items.find((i) => i.id === id)!.name;
    if (c.want.order) t.same(plan.items.map((i) => i.name), c.want.order, 'start order');
    if (c.want.waves) t.same(plan.waves.map((w) => w.map(name)), c.want.waves, 'waves');
    if (c.want.stopOrder) t.same(plan.stopOrder.map(name), c.want.stopOrder, 'stop order');
    if (c.want.problems) {
      t.equal(plan.problems.length, c.want.problems.length, 'number of entry problems');
      c.want.problems.forEach((p, k) => {
        const [kind, fragment] = [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)];
        t.equal(plan.problems[k]?.kind, kind, `problem ${k} kind`);
        t.match(plan.problems[k]?.message, fragment, `problem ${k} message`);
      });
    }
    for (const [n, w] of Object.entries(c.want.decisions ?? {})) {
      const item = plan.items.find((i) => i.name === n);
      t.ok(item, `${n} is planned`);
      const [decision, fragment] = w.includes(':') ? [w.slice(0, w.indexOf(':')), w.slice(w.indexOf(':') + 1)] : [w, ''];
      t.equal(item?.decision, decision, `${n} decision`);
      if (fragment) t.match(item?.reason ?? '', fragment, `${n} reason`);
    }
  });
}

t.test('the worst-case budgets count waves by jobs, and stops by rounds of stop jobs along the chain', async (t) => {
  const { config } = parseContainersConfig({
    kleene_containers_list: 'db web cache worker', kleene_containers_web_depend: 'db',
    kleene_containers_jobs: '2', kleene_containers_start_timeout: '10', kleene_containers_stop_timeout: '30',
    kleene_containers_stop_jobs: '2',
  });
  const plan = planRestore(config, inventory({ boxes: [...three, { name: 'worker' }] }), { rcshutdownTimeout: 90 });
  // wave 1: db cache worker (2 rounds of 2 jobs), wave 2: web (1 round) -> 3 x 10 s
  t.equal(plan.budget.startWorst, 30);
  // 4 stops, 2 at once, a chain 2 deep (web, then db): ceil((4 + 2 x 1) / 2) = 3 stop timeouts
  t.equal(plan.budget.stopWaves, 3);
  t.equal(plan.budget.stopWorst, 90);
  t.equal(plan.budget.rcshutdownTimeout, 90);
  // 90 s less 18 s for kleened and 9 s margin leaves 63 s: 3 stops of 21 s fit it
  t.equal(plan.budget.stopBudgetMs, 63_000);
  t.equal(plan.budget.stopTimeoutMs, 21_000);
});

t.test('the same input always gives the same plan', async (t) => {
  const { config } = parseContainersConfig({ kleene_containers_import_on_startup: 'YES' });
  const boxes: Box[] = ['worker', 'api', 'web', 'db', 'cache'].map((name) => ({ name, policy: 'on-startup' as const }));
  const a = planRestore(config, inventory({ boxes }));
  const b = planRestore(config, inventory({ boxes: [...boxes].reverse() }));
  t.same(a.items.map((i) => i.id), b.items.map((i) => i.id));
  t.same(a.items.map((i) => i.id), [...a.items.map((i) => i.id)].sort());
});

t.test('decideOwn waits for the facts a container needs, and only those', async (t) => {
  const { config } = parseContainersConfig({ kleene_containers_list: 'db web' });
  const inv = inventory({ boxes: [{ name: 'db', volumes: ['data'] }, { name: 'web' }] });
  const skel = planSkeleton(config, inv.containers);
  const db = skel.byId.get(ID.db!)!;
  const web = skel.byId.get(ID.web!)!;
  const facts: Facts = { containers: inv.containers, mounts: {} };
  t.equal(decideOwn(web, facts, undefined, false).decision, 'pending', 'no jls yet');
  facts.jails = { ok: true, value: [] };
  t.equal(decideOwn(web, facts, undefined, false).decision, 'pending', 'no inspect yet');
  facts.mounts[ID.web!] = inv.mounts[ID.web!];
  t.equal(decideOwn(web, facts, undefined, false).decision, 'start', 'web mounts no volume: zfs and the volume list do not matter');
  facts.mounts[ID.db!] = inv.mounts[ID.db!];
  t.equal(decideOwn(db, facts, undefined, false).decision, 'pending', 'db mounts a volume: it waits for zfs and the volume list');
  t.match(decideOwn(db, facts, undefined, true), { decision: 'blocked', reason: /kleened was not asked for its volumes/ }, 'complete: a missing fact is a reason');
  facts.volumes = inv.volumes;
  facts.datasets = inv.datasets;
  t.equal(decideOwn(db, facts, undefined, false).decision, 'start');
});

t.test('with kleened down, plan still shows what rc.conf alone decides: order, waves, dependencies', async (t) => {
  const { config } = parseContainersConfig({ kleene_containers_list: 'web db', kleene_containers_web_depend: 'db', kleene_containers_api_depend: 'web' });
  const plan = planRestore(config, rcConfOnlyInventory(config));
  t.same(plan.waves, [['db'], ['web']], 'names stand for ids');
  t.same(plan.items.map((i) => [i.name, i.decision]), [['db', 'start'], ['web', 'start']]);
});
