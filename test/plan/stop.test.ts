// The stop schedule (src/plan/stop.ts) as a pure function: who waits for whom, how many at once,
// the worst case in stop timeouts, and the timeout shortened to fit rcshutdown_timeout.
import t from 'tap';
import type { PlanItem } from '../../src/plan/types.ts';
import { planStop, stopBudget, STOP_TIMEOUT_FLOOR_MS } from '../../src/plan/stop.ts';

const item = (id: string, depends: string[] = []): PlanItem => ({
  id, name: id, entry: id, source: 'list', priority: 50, ready: { kind: 'started' }, depends, decision: 'start',
});

/** A plan in start order; the stop order is its reverse, as planRestore makes it. */
function plan(items: PlanItem[]): { items: PlanItem[]; stopOrder: string[] } {
  return { items, stopOrder: items.map((i) => i.id).reverse() };
}

// 20 independent containers and a chain db <- api <- web.
const twenty = Array.from({ length: 20 }, (_, k) => item(`c${k}`));
const chain = [item('db'), item('api', ['db']), item('web', ['api'])];
const big = plan([...chain, ...twenty]);
const all = (p: { items: PlanItem[] }) => new Set(p.items.map((i) => i.id));

t.test('a container waits for its running dependents only, the nearest through those that do not run', async (t) => {
  const p = plan([item('db'), item('api', ['db']), item('web', ['api']), item('cache'), item('front', ['web', 'cache'])]);
  const s = planStop(p, new Set(['db', 'web', 'cache', 'front']), { jobs: 4, stopTimeout: 30 }, { rcshutdownTimeout: 900, kleenedShutdownTimeout: 60 });
  t.same(s.order, ['front', 'web', 'cache', 'db'], 'the running ones, the head of the longest chain first, then the reverse of the start order');
  t.same(s.waitsFor, { front: [], cache: ['front'], web: ['front'], db: ['web'] }, 'db waits for web through api, which does not run');
  t.equal(s.depth, 3, 'front, web, db');
  t.same(s.lines, [], 'the configured timeout fits: nothing to say');
  t.equal(s.timeoutMs, 30_000);
  t.notOk(s.shortened);
});

t.test('a dependency cycle is broken by the stop order, never a deadlock', async (t) => {
  const p = plan([item('aa', ['bb']), item('bb', ['aa'])]);
  const s = planStop(p, all(p), { jobs: 2, stopTimeout: 5 }, { rcshutdownTimeout: 90, kleenedShutdownTimeout: 60 });
  t.same(s.order, ['bb', 'aa']);
  t.same(s.waitsFor, { bb: [], aa: ['bb'] }, 'aa waits for bb; bb, first, waits for nobody');
});

t.test('the worst case counts rounds of stop jobs along the longest chain', async (t) => {
  const rows: Array<[string, { items: PlanItem[]; stopOrder: string[] }, number, number]> = [
    ['20 independent, 8 at once: (20 + 7) / 8', plan(twenty), 8, 3.375],
    ['20 independent, 20 at once', plan(twenty), 20, 1],
    ['a chain of 3, 8 at once', plan(chain), 8, 3],
    ['a chain of 3, one at a time', plan(chain), 1, 3],
    ['20 independent and a chain of 3, 8 at once: (23 + 3 x 7) / 8', big, 8, 5.5],
    ['20 independent and a chain of 3, one at a time', big, 1, 23],
  ];
  for (const [name, p, jobs, waves] of rows) {
    const s = planStop(p, all(p), { jobs, stopTimeout: 1 }, { rcshutdownTimeout: 900, kleenedShutdownTimeout: 60 });
    t.equal(s.waves, waves, name);
  }
  t.equal(planStop(big, new Set(), { jobs: 8, stopTimeout: 30 }, { rcshutdownTimeout: 30, kleenedShutdownTimeout: 60 }).waves, 0, 'nothing runs: nothing to plan');
});

t.test('the budget keeps kleened its share and a margin', async (t) => {
  // kleened_shutdown_timeout, at most a fifth of rcshutdown_timeout; a tenth as margin.
  t.same(stopBudget({ rcshutdownTimeout: 30, kleenedShutdownTimeout: 60 }), { rcshutdownMs: 30_000, kleenedMs: 6000, marginMs: 3000, spentMs: 0, availableMs: 21_000 });
  t.same(stopBudget({ rcshutdownTimeout: 90, kleenedShutdownTimeout: 3, spentMs: 1500 }), { rcshutdownMs: 90_000, kleenedMs: 3000, marginMs: 9000, spentMs: 1500, availableMs: 76_500 });
});

t.test('a stop that cannot fit is shortened to budget / waves, and says so once with the numbers', async (t) => {
  // 23 to stop, 8 at once, 5.5 timeouts; 21 s left of rcshutdown_timeout=30: 3.8 s each.
  const s = planStop(big, all(big), { jobs: 8, stopTimeout: 30 }, { rcshutdownTimeout: 30, kleenedShutdownTimeout: 60 });
  t.equal(s.timeoutMs, 3800);
  t.ok(s.shortened);
  t.ok(s.waves * s.timeoutMs <= s.budget.availableMs, 'the worst case fits the budget');
  t.same(s.lines, ['warning: 23 containers to stop, 8 at once, the longest chain 3 deep: up to 5.5 stop timeouts one after another; at kleene_containers_stop_timeout=30 s that is 165 s, more than the 21 s that rcshutdown_timeout=30 s leaves (6 s kept for kleened\'s own stop, 3 s margin): each stop is cut at 3.8 s']);
  // Time already spent (kleened, the inventory) comes off the budget too.
  const late = planStop(big, all(big), { jobs: 8, stopTimeout: 30 }, { rcshutdownTimeout: 30, kleenedShutdownTimeout: 60, spentMs: 3000 });
  t.equal(late.timeoutMs, 3200, '18 s / 5.5');
  t.match(late.lines[0], /3 s spent/);
  // A configured timeout shorter than the fit is kept.
  const short = planStop(big, all(big), { jobs: 8, stopTimeout: 2 }, { rcshutdownTimeout: 30, kleenedShutdownTimeout: 60 });
  t.equal(short.timeoutMs, 2000);
  t.same(short.lines, []);
});

t.test('never below the floor: every container still gets its stop, and the line says rc.shutdown may kill the rest', async (t) => {
  const s = planStop(big, all(big), { jobs: 1, stopTimeout: 30 }, { rcshutdownTimeout: 30, kleenedShutdownTimeout: 60 });
  t.equal(s.timeoutMs, STOP_TIMEOUT_FLOOR_MS);
  t.equal(s.order.length, 23, 'every container is in the schedule');
  t.equal(s.lines.length, 1);
  t.match(s.lines[0], /cut at the 1 s floor and may still take 23 s, so rc\.shutdown may kill the rest \(raise rcshutdown_timeout or kleene_containers_stop_jobs\)/);
});
