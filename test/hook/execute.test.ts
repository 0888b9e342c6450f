// The executor with fake start/ready actions: waves, jobs, timeouts, failures.
import t from 'tap';
import { executeRestore, type StartActions } from '../../src/hook/execute.ts';
import type { Plan, PlanItem } from '../../src/plan/types.ts';

function item(name: string, extra: Partial<PlanItem> = {}): PlanItem {
  return { id: name.padEnd(12, '0'), name, entry: name, source: 'list', priority: 50, ready: { kind: 'started' },
    depends: [], decision: 'start', ...extra };
}
const id = (name: string): string => name.padEnd(12, '0');
function plan(items: PlanItem[]): Plan {
  return { items, problems: [], waves: [], stopOrder: [], budget: { startWorst: 0, stopWorst: 0, rcshutdownTimeout: 90 } };
}

/** Actions whose start takes `ms[name]` (default 20 ms), fails for names in `fail`, never ends for `hang`. */
function fakeActions(opts: { ms?: Record<string, number>; fail?: string[]; hang?: string[]; notReady?: string[] } = {}) {
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const actions: StartActions = {
    async start(i) {
      log.push(`begin ${i.name}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (opts.hang?.includes(i.name)) await new Promise(() => { /* a start that never ends, ignoring the signal */ });
        await new Promise((r) => setTimeout(r, opts.ms?.[i.name] ?? 20));
        if (opts.fail?.includes(i.name)) throw new Error(`kleened closed the start with code 1011: ${i.name} broke`);
      } finally {
        inFlight--;
        log.push(`end ${i.name}`);
      }
    },
    async ready(i, signal) {
      if (opts.notReady?.includes(i.name)) {
        await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('not ready: refused'))));
      }
    },
  };
  return { actions, log, max: () => maxInFlight };
}

t.test('starts a dependent only after its dependency started', async (t) => {
  const f = fakeActions({ ms: { db: 60, cache: 10 } });
  const r = await executeRestore(plan([item('db'), item('cache'), item('web', { depends: [id('db')] })]), f.actions, { jobs: 4, startTimeoutMs: 1000 });
  t.same(r.map((x) => x.outcome), ['started', 'started', 'started']);
  t.ok(f.log.indexOf('end db') < f.log.indexOf('begin web'), 'web began after db ended');
  t.ok(f.log.indexOf('begin cache') < f.log.indexOf('end db'), 'cache did not wait for db');
});

t.test('never runs more than jobs starts at once', async (t) => {
  const f = fakeActions();
  const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => item(n));
  const seen: number[] = [];
  const r = await executeRestore(plan(items), f.actions, { jobs: 3, startTimeoutMs: 1000, onEvent: (e) => seen.push(e.inFlight) });
  t.equal(f.max(), 3, 'three at once, at most and at best');
  t.ok(Math.max(...seen) <= 3);
  t.equal(r.filter((x) => x.outcome === 'started').length, 7);
});

t.test('jobs=1 starts in plan order, one at a time', async (t) => {
  const f = fakeActions();
  await executeRestore(plan([item('a'), item('b'), item('c')]), f.actions, { jobs: 1, startTimeoutMs: 1000 });
  t.same(f.log, ['begin a', 'end a', 'begin b', 'end b', 'begin c', 'end c']);
});

t.test('a hung start times out while the others start', async (t) => {
  const f = fakeActions({ hang: ['stuck'] });
  const t0 = Date.now();
  const r = await executeRestore(plan([item('stuck'), item('a'), item('b'), item('after', { depends: [id('stuck')] })]), f.actions,
    { jobs: 2, startTimeoutMs: 300 });
  const by = Object.fromEntries(r.map((x) => [x.name, x]));
  t.equal(by.stuck!.outcome, 'timed-out');
  t.match(by.stuck!.reason, /did not start it within 0.3 s/);
  t.equal(by.a!.outcome, 'started');
  t.equal(by.b!.outcome, 'started');
  t.equal(by.after!.outcome, 'blocked-dependency');
  t.match(by.after!.reason, /dependency stuck .* timed out/);
  t.ok(Date.now() - t0 < 1500, 'bounded by the start timeout');
});

t.test('one failure blocks only its dependents', async (t) => {
  const f = fakeActions({ fail: ['db'] });
  const r = await executeRestore(plan([item('db'), item('web', { depends: [id('db')] }), item('api', { depends: [id('web')] }), item('cache')]),
    f.actions, { jobs: 4, startTimeoutMs: 1000 });
  const by = Object.fromEntries(r.map((x) => [x.name, x]));
  t.equal(by.db!.outcome, 'failed');
  t.match(by.db!.reason, /1011: db broke/);
  t.equal(by.web!.outcome, 'blocked-dependency');
  t.equal(by.api!.outcome, 'blocked-dependency');
  t.equal(by.cache!.outcome, 'started');
  t.notOk(f.log.includes('begin web'), 'web was never started');
});

t.test('a ready check that never passes times out as not ready', async (t) => {
  const f = fakeActions({ notReady: ['db'] });
  const r = await executeRestore(plan([item('db', { ready: { kind: 'tcp', host: '127.0.0.1', port: 5432 } })]), f.actions,
    { jobs: 1, startTimeoutMs: 200 });
  t.equal(r[0]!.outcome, 'timed-out');
  t.match(r[0]!.reason, /not ready within 0.2 s \(tcp:127.0.0.1:5432\)/);
});

t.test('items that are not to be started keep their decision and are never started', async (t) => {
  const f = fakeActions();
  const r = await executeRestore(plan([
    item('db', { decision: 'running' }),
    item('web', { depends: [id('db')] }),
    item('x', { decision: 'blocked', reason: 'volume v: dataset d is not mounted' }),
  ]), f.actions, { jobs: 2, startTimeoutMs: 1000 });
  t.same(r.map((x) => [x.name, x.outcome]), [['db', 'running'], ['web', 'started'], ['x', 'blocked']]);
  t.same(f.log, ['begin web', 'end web']);
});
