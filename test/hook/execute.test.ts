// The streaming executor (RestoreRun) with fake kleened and jls: facts arriving one by one,
// dependencies that count as up only once their jail is seen, jobs, timeouts, failures, on-startup
// containers left to kleened, and the events a caller sees.
import t from 'tap';
import { RestoreRun, type StartActions } from '../../src/hook/execute.ts';
import type { RunEvent } from '../../src/hook/events.ts';
import { JailWatch } from '../../src/hook/jail-watch.ts';
import type { Clock } from '../../src/hook/sleep.ts';
import type { ContainerSummary } from '../../src/kleened/types.ts';
import { parseContainersConfig } from '../../src/model/config.ts';
import { planSkeleton } from '../../src/plan/restore.ts';

const id = (name: string): string => name.padEnd(12, '0');

interface Opts {
  env: Record<string, string>;
  onStartup?: string[];
  /** Start duration per name (default 20 ms). */
  ms?: Record<string, number>;
  /** ms after the start's answer until the jail exists (default 0); -1 = never. */
  jailMs?: Record<string, number>;
  fail?: string[];
  hang?: string[];
  notReady?: string[];
  jobs?: number;
  startTimeoutMs?: number;
  /** Feed the facts yourself (default: jails [] and every mount [] at once). */
  manualFacts?: boolean;
  /** The run's clock (default: the real one). */
  clock?: Clock;
  /** Offer prepare() (a prepared start logs `prepare N`, its use `begin N prepared`, its discard `discarded N`); discard takes this many ms. */
  prepare?: { discardMs: number };
  /** ms from a start's beginning until its frame is out (`sent N`); default 0. */
  sentMs?: Record<string, number>;
  /**
   * A prepared start's frame goes out after a few promise callbacks, not at once: as the real
   * client's does (it awaits the prepared exec id and socket, already there).
   */
  preparedAwaits?: boolean;
}

/**
 * A clock that moves only when told: a deadline fires when advanceTo() passes it, so a bound is
 * checked at its exact value from both sides, without waiting and whatever the machine's load.
 */
class VirtualClock implements Clock {
  private t = 0;
  private readonly timers: { at: number; fire: () => void; cleared: boolean }[] = [];
  now(): number { return this.t; }
  deadline(ms: number): { signal: AbortSignal; clear: () => void } {
    const ac = new AbortController();
    const timer = { at: this.t + ms, fire: () => ac.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), cleared: false };
    this.timers.push(timer);
    return { signal: ac.signal, clear: () => { timer.cleared = true; } };
  }
  /** Moves to `to`, firing each deadline due on the way (in order), and lets what they woke run. */
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((x) => !x.cleared && x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      due.cleared = true;
      due.fire();
      await settle();
    }
    this.t = to;
    await settle();
  }
}

/** Lets every promise callback and I/O callback that is ready run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function harness(names: string[], o: Opts) {
  const containers: ContainerSummary[] = names.map((n) => ({ id: id(n), name: n, restart_policy: o.onStartup?.includes(n) ? 'on-startup' : 'no' }));
  const { config } = parseContainersConfig({ kleene_containers_list: names.filter((n) => !o.onStartup?.includes(n)).join(' '), ...o.env });
  const skel = planSkeleton(config, containers);
  const jails = new Set<string>();
  const log: string[] = [];
  const events: RunEvent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  // jls takes a moment, as a real process does.
  const watch = new JailWatch(async () => { log.push('jls'); await new Promise((r) => setTimeout(r, 15)); return [...jails]; },
    o.clock ? () => o.clock!.now() : undefined);
  const nameOf = (i: string): string => containers.find((c) => c.id === i)!.name;
  let prepared = 0;
  let maxPrepared = 0;
  const actions: StartActions = {
    async start(tg, _signal, p, sent) {
      const n = tg.name;
      if (p) {
        prepared--;
        t.equal((p as unknown as { name: string }).name, n, `${n} got its own prepared start`);
      }
      log.push(p ? `begin ${n} prepared` : `begin ${n}`);
      if (p && o.preparedAwaits) for (let k = 0; k < 3; k++) await Promise.resolve();
      const frameOut = (): void => { log.push(`sent ${n}`); sent?.(); };
      if (o.sentMs?.[n]) setTimeout(frameOut, o.sentMs[n]);
      else frameOut();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (o.hang?.includes(n)) await new Promise(() => { /* never ends, ignores the signal */ });
        await new Promise((r) => setTimeout(r, o.ms?.[n] ?? 20));
        if (o.fail?.includes(n)) throw new Error(`kleened closed the start with code 1011: ${n} broke`);
        const j = o.jailMs?.[n] ?? 0;
        if (j === 0) { jails.add(tg.id); log.push(`jail ${n}`); }
        else if (j > 0) setTimeout(() => { jails.add(tg.id); log.push(`jail ${n}`); }, j);
      } finally {
        inFlight--;
        log.push(`end ${n}`);
      }
    },
    async ready(tg, signal) {
      if (o.notReady?.includes(tg.name)) {
        await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('not ready: refused'))));
      }
    },
    jail: (i, deadline) => watch.want(i, deadline),
    ...(o.prepare ? {
      prepare: (tg: { name: string }) => {
        log.push(`prepare ${tg.name}`);
        maxPrepared = Math.max(maxPrepared, ++prepared);
        return { name: tg.name, discard: async () => {
          prepared--;
          await new Promise((r) => setTimeout(r, o.prepare!.discardMs));
          log.push(`discarded ${tg.name}`);
        } };
      },
    } : {}),
  };
  const run = new RestoreRun(skel, containers, actions, {
    jobs: o.jobs ?? 4, startTimeoutMs: o.startTimeoutMs ?? 1000, ...(o.clock ? { clock: o.clock } : {}),
    emit: (e) => { events.push(e); if (e.type === 'start-requested' || e.type === 'ready' || e.type === 'outcome') log.push(`${e.type} ${e.type === 'outcome' ? e.name : nameOf(e.id)}`); },
    at: () => 0,
  });
  if (!o.manualFacts) {
    run.setJails({ ok: true, value: [] });
    run.setDatasets({ ok: true, value: [] });
    run.setVolumes({ ok: true, value: [] });
    for (const c of containers) run.setMounts(c.id, { ok: true, value: [] });
    run.factsComplete();
  }
  const results = async () => {
    const m = await run.done;
    return Object.fromEntries([...m.values()].map((r) => [r.name, r]));
  };
  return { run, log, events, jails, watch, results, max: () => maxInFlight, maxPrepared: () => maxPrepared, prepared: () => prepared };
}

t.test('a dependent starts only once its dependency\'s jail is seen in jls, not at kleened\'s answer', async (t) => {
  // kleened answers 1001 once `jail -c` is spawned; db's jail appears 150 ms later.
  // Mutation: counting a container up at start-done (`const a = { seen: true }` instead of asking
  // actions.jail in RestoreRun.startOne) made web begin before db's jail existed.
  const h = harness(['db', 'cache', 'web'], { env: { kleene_containers_web_depend: 'db' }, ms: { db: 30, cache: 10 }, jailMs: { db: 150 } });
  const r = await h.results();
  t.same([r.db!.outcome, r.cache!.outcome, r.web!.outcome], ['started', 'started', 'started']);
  t.ok(h.log.indexOf('jail db') >= 0 && h.log.indexOf('jail db') < h.log.indexOf('begin web'), 'web began after db\'s jail existed');
  t.ok(h.log.indexOf('begin cache') < h.log.indexOf('end db'), 'cache did not wait for db');
});

t.test('a dependency whose jail never appears after 1001 fails, and its dependent is not started', async (t) => {
  const h = harness(['db', 'web'], { env: { kleene_containers_web_depend: 'db' }, jailMs: { db: -1 }, startTimeoutMs: 400 });
  const r = await h.results();
  t.equal(r.db!.outcome, 'failed');
  t.match(r.db!.reason, /kleened reported the start, but no jail db0000000000 runs/);
  t.equal(r.web!.outcome, 'blocked-dependency');
  t.notOk(h.log.includes('begin web'), 'web was never asked to start');
});

t.test('jls runs once for all the starts that finished since the last call, never once per container', async (t) => {
  const names = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff'];
  const h = harness(names, { env: {}, jobs: 6, ms: Object.fromEntries(names.map((n) => [n, 30])) });
  const r = await h.results();
  t.ok(names.every((n) => r[n]!.outcome === 'started'));
  const jls = h.log.filter((l) => l === 'jls').length;
  t.ok(jls < names.length, `${jls} jls calls for ${names.length} starts that finished together`);
});

t.test('never runs more than jobs starts at once', async (t) => {
  const names = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg'];
  const h = harness(names, { env: {}, jobs: 3 });
  const r = await h.results();
  t.equal(h.max(), 3, 'three at once, at most and at best');
  t.equal(Object.values(r).filter((x) => x.outcome === 'started').length, 7);
});

t.test('jobs=1 starts in plan order, one at a time', async (t) => {
  const h = harness(['aa', 'bb', 'cc'], { env: {}, jobs: 1 });
  await h.results();
  t.same(h.log.filter((l) => l.startsWith('begin') || l.startsWith('end')), ['begin aa', 'end aa', 'begin bb', 'end bb', 'begin cc', 'end cc']);
});

t.test('a hung start times out while the others start', async (t) => {
  const h = harness(['stuck', 'aa', 'bb', 'after'], { env: { kleene_containers_after_depend: 'stuck' }, hang: ['stuck'], jobs: 2, startTimeoutMs: 300 });
  const t0 = Date.now();
  const r = await h.results();
  t.equal(r.stuck!.outcome, 'timed-out');
  t.match(r.stuck!.reason, /did not start it within 0.3 s/);
  t.equal(r.aa!.outcome, 'started');
  t.equal(r.bb!.outcome, 'started');
  t.equal(r.after!.outcome, 'blocked-dependency');
  t.match(r.after!.reason, /dependency stuck .* timed out/);
  t.ok(Date.now() - t0 < 5000, 'bounded by the start timeout');
});

t.test('the start timeout cuts a hung start and a ready check that never passes at the configured time, not before, not later', async (t) => {
  // Both sides, exactly, on a virtual clock: nothing ends at 2999 ms of a 3 s timeout, both end
  // at 3000 ms. Mutation: the deadline set to startTimeoutMs * 2 in RestoreRun.startOne (the
  // message still naming 3 s) left both running at 3000 ms.
  const clock = new VirtualClock();
  const h = harness(['stuck', 'unready', 'after'], {
    env: { kleene_containers_after_depend: 'stuck', kleene_containers_unready_ready: 'tcp:127.0.0.1:5432' },
    hang: ['stuck'], notReady: ['unready'], startTimeoutMs: 3000, clock,
  });
  const outcomes = () => h.events.filter((e) => e.type === 'outcome').map((e) => e.name);
  // unready's start (20 ms of real time) and jls (15 ms) run while the virtual clock stands at 0.
  const seen = () => h.events.some((e) => e.type === 'jail-seen' && e.id === id('unready'));
  for (let i = 0; i < 500 && !seen(); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(seen(), 'unready was started and its jail seen: it waits on its ready check');
  await clock.advanceTo(2999);
  t.same(outcomes(), [], 'at 2999 ms of a 3 s timeout nothing has ended');
  await clock.advanceTo(3000);
  t.same(outcomes().sort(), ['after', 'stuck', 'unready'], 'at 3000 ms both timed out and the dependent is blocked');
  await clock.advanceTo(60_000); // a bound that is too long still ends, and fails below
  const r = await h.results();
  t.match(r.stuck!, { outcome: 'timed-out', ms: 3000, reason: 'kleened did not start it within 3 s' });
  t.match(r.unready!, { outcome: 'timed-out', ms: 3000, reason: 'not ready within 3 s (tcp:127.0.0.1:5432)' });
  t.match(r.after!, { outcome: 'blocked-dependency', reason: /dependency stuck .* timed out/ });
});

t.test('one failure blocks only its dependents, transitively', async (t) => {
  const h = harness(['db', 'web', 'api', 'cache'], { env: { kleene_containers_web_depend: 'db', kleene_containers_api_depend: 'web' }, fail: ['db'] });
  const r = await h.results();
  t.equal(r.db!.outcome, 'failed');
  t.match(r.db!.reason, /1011: db broke/);
  t.equal(r.web!.outcome, 'blocked-dependency');
  t.equal(r.api!.outcome, 'blocked-dependency');
  t.equal(r.cache!.outcome, 'started');
  t.notOk(h.log.includes('begin web'), 'web was never started');
});

t.test('an invalid _depend value blocks the container and its dependents; nothing of them starts', async (t) => {
  // Mutation: dropping badDepend in src/plan/resolve.ts started web (and then api).
  const h = harness(['db', 'web', 'api'], { env: { kleene_containers_web_depend: 'db;touch${IFS}/tmp/x', kleene_containers_api_depend: 'web' } });
  const r = await h.results();
  t.equal(r.web!.outcome, 'blocked');
  t.match(r.web!.reason, /^kleene_containers_web_depend: 'db;touch\$\{IFS\}\/tmp\/x' is not a container name or id$/);
  t.equal(r.api!.outcome, 'blocked-dependency');
  t.equal(r.db!.outcome, 'started');
  t.same(h.log.filter((l) => l.startsWith('begin')), ['begin db']);
});

t.test('a ready check that never passes times out as not ready', async (t) => {
  const h = harness(['db'], { env: { kleene_containers_db_ready: 'tcp:127.0.0.1:5432' }, notReady: ['db'], startTimeoutMs: 200 });
  const r = await h.results();
  t.equal(r.db!.outcome, 'timed-out');
  t.match(r.db!.reason, /not ready within 0.2 s \(tcp:127.0.0.1:5432\)/);
});

t.test('streaming: a container starts as soon as its own facts are in, before the other inspects answer', async (t) => {
  // Mutation: waiting for factsComplete() before any start (the old whole-inventory-first) hung here.
  const h = harness(['aa', 'bb'], { env: {}, manualFacts: true });
  h.run.setJails({ ok: true, value: [] });
  h.run.setMounts(id('aa'), { ok: true, value: [] });
  await new Promise((r) => setTimeout(r, 100));
  t.ok(h.log.includes('begin aa'), 'aa started with bb\'s inspect still out');
  t.notOk(h.log.includes('begin bb'), 'bb waits for its own facts');
  // bb mounts a volume: it needs the volume list and zfs too.
  h.run.setMounts(id('bb'), { ok: true, value: [{ type: 'volume', source: 'data', destination: '/data' }] });
  await new Promise((r) => setTimeout(r, 50));
  t.notOk(h.log.includes('begin bb'), 'bb waits for the volume facts it needs');
  h.run.setVolumes({ ok: true, value: [{ name: 'data', dataset: 'z/v/data', mountpoint: '/z/v/data' }] });
  h.run.setDatasets({ ok: true, value: [{ name: 'z/v/data', mounted: true, mountpoint: '/z/v/data' }] });
  h.run.factsComplete();
  const r = await h.results();
  t.same([r.aa!.outcome, r.bb!.outcome], ['started', 'started']);
});

t.test('containers that are running or blocked are never started; a running dependency lets its dependent go at once', async (t) => {
  const h = harness(['db', 'web', 'xx'], { env: { kleene_containers_web_depend: 'db' }, manualFacts: true });
  h.run.setJails({ ok: true, value: [id('db')] });
  h.run.setVolumes({ ok: true, value: [] });
  h.run.setDatasets({ ok: true, value: [] });
  h.run.setMounts(id('web'), { ok: true, value: [] });
  h.run.setMounts(id('xx'), { ok: true, value: [{ type: 'volume', source: 'gone', destination: '/g' }] });
  h.run.factsComplete();
  const r = await h.results();
  t.same([r.db!.outcome, r.web!.outcome, r.xx!.outcome], ['running', 'started', 'blocked']);
  t.match(r.xx!.reason, /volume gone: kleened does not know this volume/);
  t.same(h.log.filter((l) => l.startsWith('begin')), ['begin web']);
});

t.test('an on-startup container is kleened\'s to start: never started here, its jail waited for, its dependents after it', async (t) => {
  const h = harness(['auto', 'web'], { env: { kleene_containers_list: 'web', kleene_containers_web_depend: 'auto' }, onStartup: ['auto'] });
  // kleened's own on-startup loop brings auto's jail up a moment after its API answers.
  setTimeout(() => h.jails.add(id('auto')), 150);
  const r = await h.results();
  t.equal(r.auto!.outcome, 'started-by-kleened');
  t.match(r.auto!.reason, /kleene-boot adopt/);
  t.equal(r.web!.outcome, 'started');
  t.notOk(h.log.includes('begin auto'), 'no start request for auto');
  t.ok(h.log.indexOf('ready auto') < h.log.indexOf('begin web'), 'web after auto\'s jail');
});

t.test('an on-startup container kleened never starts times out, naming adopt; its dependents are blocked', async (t) => {
  const h = harness(['auto', 'web'], { env: { kleene_containers_list: 'web', kleene_containers_web_depend: 'auto' }, onStartup: ['auto'], startTimeoutMs: 300 });
  const r = await h.results();
  t.equal(r.auto!.outcome, 'timed-out');
  t.match(r.auto!.reason, /kleened did not start it within 0.3 s \(restart_policy on-startup; `kleene-boot adopt`/);
  t.equal(r.web!.outcome, 'blocked-dependency');
});

t.test('events: start-requested, start-sent, start-done, jail-seen, ready, outcome for each start, with wave and dependencies', async (t) => {
  const h = harness(['db', 'web'], { env: { kleene_containers_web_depend: 'db' } });
  await h.results();
  const of = (n: string) => h.events.filter((e) => 'id' in e && e.id === id(n)).map((e) => e.type);
  t.same(of('db'), ['start-requested', 'start-sent', 'start-done', 'jail-seen', 'ready', 'outcome']);
  // db opened its own start (nothing was prepared before the first), web's was prepared: once
  // each frame is out no start is still opening (the logger may be spawned then, progress.ts).
  t.same(h.events.filter((e) => e.type === 'start-sent').map((e) => [e.id, e.opening]), [[id('db'), 0], [id('web'), 0]]);
  const req = h.events.find((e) => e.type === 'start-requested' && e.id === id('web'));
  t.match(req, { wave: 2, depends: [id('db')], name: 'web' });
});

t.test('a dependency found running after its dependent was decided still lets the dependent go', async (t) => {
  // Mutation: marking a running container final without passing "up" to its waiting dependents
  // (RestoreRun.evaluate's 'running' case) left web waiting forever.
  const h = harness(['db', 'web'], { env: { kleene_containers_web_depend: 'db' }, manualFacts: true });
  // web's facts are in (its jail does not run, it mounts nothing); db's own are not yet.
  h.run.facts.jails = { ok: true, value: [id('db')] };
  h.run.setMounts(id('web'), { ok: true, value: [] });
  h.run.setVolumes({ ok: true, value: [] });
  h.run.setDatasets({ ok: true, value: [] });
  h.run.factsComplete();
  const r = await h.results();
  t.same([r.db!.outcome, r.web!.outcome], ['running', 'started']);
});

t.test('a start frees its jobs slot at kleened\'s answer: the next start does not wait for the first jail', async (t) => {
  // jobs bounds the starts in flight to kleened; `jail -c` creating aa's jail holds no slot.
  // Mutation: calling release() after the jail wait in RestoreRun.startOne makes bb begin only
  // once aa's jail exists.
  const h = harness(['aa', 'bb'], { env: {}, jobs: 1, jailMs: { aa: 150 } });
  const r = await h.results();
  t.same([r.aa!.outcome, r.bb!.outcome], ['started', 'started']);
  t.ok(h.log.indexOf('begin bb') < h.log.indexOf('jail aa'), `bb began before aa's jail existed: ${h.log.join(', ')}`);
  t.equal(h.max(), 1, 'still one start in flight to kleened at a time');
});

t.test('starts waiting for a slot are prepared ahead, at most jobs of them, and each start uses its own', async (t) => {
  // Mutation: dropping prepareAhead() from RestoreRun.pump leaves every start unprepared;
  // `limit = jobs * 2` lets four be prepared at once.
  const names = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg'];
  const h = harness(names, { env: {}, jobs: 2, ms: Object.fromEntries(names.map((n) => [n, 30])), prepare: { discardMs: 0 } });
  const r = await h.results();
  t.ok(names.every((n) => r[n]!.outcome === 'started'));
  t.equal(h.max(), 2, 'still two starts at once');
  t.equal(h.maxPrepared(), 2, 'two prepared while five waited: not fewer, not more');
  const unprepared = h.log.filter((l) => /^begin \w+$/.test(l));
  t.same(unprepared, ['begin aa', 'begin bb'], 'only the two that found a free slot at once went unprepared');
  t.equal(h.log.filter((l) => / prepared$/.test(l)).length, 5);
  t.notOk(h.log.some((l) => l.startsWith('discarded')), 'nothing was given up');
  t.equal(h.prepared(), 0, 'every prepared start was used');
});

t.test('nothing is prepared while a start that is its own exec/create and upgrade has not sent its frame', async (t) => {
  // Mutation: without the `opening > 0` check in prepareAhead, cc and dd are prepared at once.
  const names = ['aa', 'bb', 'cc', 'dd', 'ee'];
  const h = harness(names, { env: {}, jobs: 2, ms: Object.fromEntries(names.map((n) => [n, 60])), sentMs: { aa: 10, bb: 25 },
    prepare: { discardMs: 0 } });
  const r = await h.results();
  t.ok(names.every((n) => r[n]!.outcome === 'started'));
  const i = (l: string) => h.log.indexOf(l);
  const firstPrepare = h.log.findIndex((l) => l.startsWith('prepare '));
  t.ok(firstPrepare > i('sent bb') && i('sent bb') > i('sent aa'), `the first preparation comes after both frames: ${h.log.join(', ')}`);
  t.equal(h.log.filter((l) => / prepared$/.test(l)).length, 3, 'and the three that waited for a slot were still prepared');
  t.equal(h.maxPrepared(), 2);
});

t.test('a dependent\'s frame goes out before the starts after it are prepared', async (t) => {
  // When web's dependency comes up, web starts and api (which waits for web) becomes worth
  // preparing. Mutation: prepareAhead called at once in pump (not in the next turn): api's
  // preparation (an HTTP request and a socket for the real client) came before web's frame.
  const h = harness(['db', 'web', 'api'], { env: { kleene_containers_web_depend: 'db', kleene_containers_api_depend: 'web' },
    prepare: { discardMs: 0 }, preparedAwaits: true });
  const r = await h.results();
  t.same(['db', 'web', 'api'].map((n) => r[n]!.outcome), ['started', 'started', 'started']);
  const i = (l: string) => h.log.indexOf(l);
  t.ok(i('begin web prepared') >= 0 && i('begin api prepared') >= 0, `both dependents were prepared: ${h.log.join(', ')}`);
  t.ok(i('sent web') < i('prepare api'), `web's frame before api's preparation: ${h.log.join(', ')}`);
});

t.test('a start that fails before its frame lets the preparations go on', async (t) => {
  const h = harness(['aa', 'bb', 'cc'], { env: {}, jobs: 1, fail: ['aa'], sentMs: { aa: 1000 }, ms: { aa: 20 }, prepare: { discardMs: 0 } });
  const r = await h.results();
  t.equal(r.aa!.outcome, 'failed');
  t.same([r.bb!.outcome, r.cc!.outcome], ['started', 'started']);
  // Mutation: the failed start still counted as opening (execute.ts's catch not calling opened()):
  // nothing was prepared again, and cc too began without its preparation.
  t.ok(h.log.includes('begin bb'), `bb took the freed slot at once: ${h.log.join(', ')}`);
  t.ok(h.log.includes('begin cc prepared'), `cc, waiting for the slot, was prepared once aa had failed: ${h.log.join(', ')}`);
});

t.test('a dependent prepared while its dependency starts is discarded when the dependency fails; done waits for that', async (t) => {
  const h = harness(['db', 'web'], { env: { kleene_containers_web_depend: 'db' }, fail: ['db'], ms: { db: 40 }, prepare: { discardMs: 60 } });
  const r = await h.results();
  t.equal(r.db!.outcome, 'failed');
  t.equal(r.web!.outcome, 'blocked-dependency');
  t.ok(h.log.includes('prepare web'), 'web was prepared while db was being started');
  t.notOk(h.log.some((l) => l.startsWith('begin web')), 'and never started');
  t.ok(h.log.includes('discarded web'), 'its prepared start was given up before the run reported');
  t.equal(h.prepared(), 0);
});

t.test('a dependent is not prepared while its dependency only waits (nothing says it will start)', async (t) => {
  const h = harness(['db', 'api', 'web'], { env: { kleene_containers_api_depend: 'db', kleene_containers_web_depend: 'api' }, jobs: 1, prepare: { discardMs: 0 } });
  await h.results();
  const i = (l: string) => h.log.indexOf(l);
  t.ok(i('prepare web') > i('begin api prepared'), 'web is prepared only once api is being started');
  t.ok(i('prepare api') > i('begin db'), 'api only once db is');
});

t.test('ending the run discards the starts it had prepared', async (t) => {
  const h = harness(['aa', 'bb', 'cc'], { env: {}, jobs: 1, hang: ['aa'], prepare: { discardMs: 10 }, startTimeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 50));
  h.run.cancel('the restore was ended by SIGTERM', 20);
  const r = await h.results();
  t.equal(r.bb!.outcome, 'blocked');
  t.ok(h.log.includes('discarded bb'), 'bb\'s prepared start was given up');
  t.equal(h.prepared(), 0, 'none left');
});
