// Acting on a restore while its facts come in (a streaming restore). The plan's pure
// parts decide: planSkeleton (order, dependencies, cycles: from rc.conf and kleened's container
// list) and decideOwn (one container, from the facts known so far). This executor applies them:
// a container is decided as soon as the facts it needs are in (its jail, its mountpoints, and
// the volume facts only when it mounts a volume), and starts as soon as its dependencies are up,
// at most `jobs` starts at once, each bounded by the start timeout. Up means its jail runs
// (seen in jls, batched through JailWatch) and its ready check passed. A container
// whose restart_policy is on-startup is kleened's to start: its jail is waited for, never
// started a second time. A failure blocks only that container's dependents; the rest go on.
import type { ReadyCheck } from '../model/config.ts';
import { MinHeap } from '../plan/min-heap.ts';
import { decideOwn, type Skeleton } from '../plan/restore.ts';
import type { DatasetInfo, Facts, Got, Target } from '../plan/types.ts';
import type { MountFacts, VolumeFacts } from '../model/facts.ts';
import type { RunEvent } from './events.ts';
import type { JailAnswer } from './jail-watch.ts';
import type { ContainerResult } from '../model/run.ts';
import { realClock, type Clock } from './sleep.ts';
import { untilAborted } from '../abort.ts';

/** A start made ready ahead of its turn (KleenedApi.prepareStart): used by start, or discarded. */
export interface Prepared {
  discard(): Promise<void>;
}

export interface StartActions {
  /**
   * Starts the container through kleened (exec/create + WebSocket start); resolves at Close 1001,
   * rejects with a reason. `prepared`: what prepare() made for this container. `sent`: to call
   * once the start frame is out (nothing is prepared ahead while a start is still opening).
   */
  start(t: Target, signal: AbortSignal, prepared?: Prepared, sent?: () => void): Promise<void>;
  /**
   * Makes the container's start ready ahead of its turn (its exec instance and an open socket),
   * so that a freed slot costs one frame. Without it every start does it all in its slot.
   */
  prepare?(t: Target): Prepared;
  /** Resolves once the container's ready check passes; rejects when it cannot. */
  ready(t: Target, signal: AbortSignal): Promise<void>;
  /**
   * Resolves when jail `id` is seen, or is not seen by `deadline` (a time on the run's clock, monoMs() by default);
   * `urgent`: something waits on it now (see JailWatch.want).
   */
  jail(id: string, deadline: number, urgent: boolean): Promise<JailAnswer>;
  /** The run has no start in flight or queued: confirm whatever waits now (JailWatch.flush). */
  idle?(): void;
}

export interface ExecuteOptions {
  jobs: number;
  startTimeoutMs: number;
  emit: (e: RunEvent) => void;
  /** Milliseconds since the run began (event times). */
  at: () => number;
  /** The clock the start timeout runs on (default: the real one). */
  clock?: Clock;
}

/**
 * How long after kleened's 1001 a jail may take to appear: `jail -c` creates it within moments
 * of being spawned; one that is not there by then failed (kleened only logs it). Bounded by the
 * start timeout too.
 */
export const JAIL_APPEAR_MS = 5000;

type State = 'undecided' | 'waiting' | 'queued' | 'active' | 'final';

interface Node {
  t: Target;
  rank: number;
  state: State;
  /** Counts for its dependents: it runs (and is ready). */
  up: boolean;
  unmet: number;
  wave: number;
  result?: ContainerResult;
  startedAt?: number;
  /** Its start, made ready ahead (prepareAhead), until the start takes it or it is discarded. */
  prepared?: Prepared;
}

/**
 * One restore in progress. Feed it facts (setJails, setDatasets, setVolumes, setMounts) as they
 * arrive, then factsComplete() when no more will come; `done` resolves with one result per
 * target once every container has its outcome. Never rejects.
 */
export class RestoreRun {
  readonly facts: Facts;
  readonly done: Promise<Map<string, ContainerResult>>;
  private complete = false;
  private readonly nodes = new Map<string, Node>();
  private readonly heap: MinHeap<Node>;
  private inFlight = 0;
  /** Nodes holding a prepared start they have not used yet. */
  private preparedCount = 0;
  /** Starts without a prepared start whose frame is not out yet (see prepareAhead). */
  private opening = 0;
  /** A prepareAhead is queued for the next turn (prepareSoon). */
  private prepareQueued = false;
  /** Prepared starts given up; `done` waits for them (each bounded). */
  private readonly discards: Promise<void>[] = [];
  private finals = 0;
  /** Why the run was ended early (cancel); from then on nothing more is started. */
  private ended: string | undefined;
  private readonly endCtl = new AbortController();
  private resolveDone!: (m: Map<string, ContainerResult>) => void;
  private readonly clock: Clock;

  constructor(private readonly skel: Skeleton, containers: Facts['containers'], private readonly actions: StartActions,
    private readonly opts: ExecuteOptions) {
    this.facts = { containers, mounts: {} };
    this.clock = opts.clock ?? realClock;
    skel.order.forEach((id, k) => this.nodes.set(id, { t: skel.byId.get(id)!, rank: k, state: 'undecided', up: false, unmet: 0, wave: 0 }));
    this.heap = new MinHeap<Node>((a, b) => a.rank - b.rank);
    this.done = new Promise((r) => { this.resolveDone = r; });
    this.evaluateAll();
    this.checkDone();
  }

  setJails(g: Got<string[]>): void { this.facts.jails = g; this.evaluateAll(); }
  setDatasets(g: Got<DatasetInfo[]>): void { this.facts.datasets = g; this.evaluateAll(); }
  setVolumes(g: Got<VolumeFacts[]>): void { this.facts.volumes = g; this.evaluateAll(); }
  /** Every container's mounts at once, from the volumes' inspects (mountsFact). */
  setVolumeMounts(all: Got<ReadonlyMap<string, MountFacts[]>>): void {
    for (const id of this.nodes.keys()) this.facts.mounts[id] = all.ok ? { ok: true, value: all.value.get(id) ?? NO_MOUNTS } : all;
    this.evaluateAll();
  }
  setMounts(id: string, g: Got<MountFacts[]>): void {
    this.facts.mounts[id] = g;
    const n = this.nodes.get(id);
    if (n) this.evaluate(n);
  }
  /**
   * Ends the run early (SIGTERM: a stop is coming): every container not asked for yet is not
   * started (blocked, with `reason`); starts in flight get `graceMs` to end, then are aborted
   * (kleened may still finish one: the next restore sees its jail). `done` then resolves as usual.
   */
  cancel(reason: string, graceMs: number): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    const left = [...this.nodes.values()].filter((n) => n.state === 'undecided' || n.state === 'waiting' || n.state === 'queued');
    // All of them final first, so that none is reported as blocked by another one of them.
    for (const n of left) n.state = 'final';
    for (const n of left) this.final(n, { ...this.base(n), outcome: 'blocked', reason: `not started: ${reason}` });
    if (this.finals < this.nodes.size) {
      const timer = setTimeout(() => this.endCtl.abort(new Ended(reason)), graceMs);
      void this.done.then(() => clearTimeout(timer));
    }
  }

  /** No more facts will come: whatever is still missing becomes a reason. */
  factsComplete(): void {
    this.complete = true;
    this.evaluateAll();
    this.checkDone();
  }

  private evaluateAll(): void {
    for (const n of this.nodes.values()) if (n.state === 'undecided') this.evaluate(n);
  }

  private evaluate(n: Node): void {
    if (n.state !== 'undecided' || this.ended !== undefined) return;
    const own = decideOwn(n.t, this.facts, this.skel.cycles.get(n.t.id), this.complete);
    if (own.decision === 'pending') return;
    const base = this.base(n);
    switch (own.decision) {
      case 'running':
        this.up(n, { ...base, outcome: 'running' });
        return;
      case 'blocked':
      case 'cycle':
        this.final(n, { ...base, outcome: own.decision, ...(own.reason ? { reason: own.reason } : {}) });
        return;
      case 'kleened-starts':
        // kleened starts it whatever its dependencies do: watch for its jail at once.
        n.state = 'active';
        void this.watchKleened(n);
        return;
      case 'start': {
        let unmet = 0;
        for (const d of n.t.depends) {
          const dn = this.nodes.get(d);
          if (!dn || d === n.t.id || dn.up) continue;
          if (dn.state === 'final') {
            this.final(n, blockedBy(n, dn.result!));
            return;
          }
          unmet++;
        }
        n.unmet = unmet;
        if (unmet === 0) this.enqueue(n);
        else {
          n.state = 'waiting';
          this.prepareSoon();
        }
      }
    }
  }

  private base(n: Node): Pick<ContainerResult, 'id' | 'name' | 'entry'> {
    return { id: n.t.id, name: n.t.name, entry: n.t.entry };
  }

  private enqueue(n: Node): void {
    if (this.ended !== undefined) {
      this.final(n, { ...this.base(n), outcome: 'blocked', reason: `not started: ${this.ended}` });
      return;
    }
    n.state = 'queued';
    this.heap.push(n);
    this.pump();
  }

  private pump(): void {
    const jobs = Math.max(1, this.opts.jobs);
    while (this.inFlight < jobs && this.heap.size > 0) {
      const n = this.heap.pop()!;
      // Ended by cancel while queued.
      if (n.state !== 'queued') continue;
      this.inFlight++;
      n.state = 'active';
      void this.startOne(n);
    }
    if (this.inFlight === 0 && this.heap.size === 0) this.actions.idle?.();
    this.prepareSoon();
  }

  /**
   * prepareAhead in the next turn of the event loop, once however often asked: after the frames
   * of the starts decided in this turn are out. Their way to the frame is promise callbacks
   * (the prepared exec id and socket are there already), which run before the next turn; done
   * here, preparing the next `jobs` starts (an HTTP request and a WebSocket each) came first,
   * and a dependent's frame waited for it after its dependency's jail was seen.
   */
  private prepareSoon(): void {
    if (this.prepareQueued) return;
    this.prepareQueued = true;
    setImmediate(() => {
      this.prepareQueued = false;
      this.prepareAhead();
    });
  }

  /**
   * Prepares the starts that come next, at most `jobs` at a time: the queued ones (waiting for
   * a slot), then those whose every missing dependency is already being started. Preparing is
   * no work for kleened (an exec instance and an idle socket; the `jobs` bound is on start
   * frames kleened has not answered), and takes the exec/create and the WebSocket upgrade, two
   * round trips, off the moment a slot frees or a dependency comes up. A prepared start that is
   * not used (its dependency failed, the run was ended) is discarded.
   */
  private prepareAhead(): void {
    const prepare = this.actions.prepare;
    // A start that is its own exec/create and upgrade goes first: preparing beside it made the
    // first frames of a restore wait for every preparation's requests (32 ms instead of 9 at
    // 50 containers, jobs 16). Preparing resumes as each one's frame is out.
    if (!prepare || this.ended !== undefined || this.opening > 0) return;
    const limit = Math.max(1, this.opts.jobs);
    if (this.preparedCount >= limit) return;
    for (const id of this.skel.order) {
      const n = this.nodes.get(id)!;
      if (n.prepared || !(n.state === 'queued' || (n.state === 'waiting' && this.depsUnderway(n)))) continue;
      n.prepared = prepare.call(this.actions, n.t);
      if (++this.preparedCount >= limit) return;
    }
  }

  /** Every dependency of `n` is up or being started. */
  private depsUnderway(n: Node): boolean {
    for (const d of n.t.depends) {
      const dn = this.nodes.get(d);
      if (dn && d !== n.t.id && !dn.up && dn.state !== 'active') return false;
    }
    return true;
  }

  /**
   * Whether something waits on `n`'s jail now: a dependent that may still start, or its own
   * ready check (which runs only once the jail is seen). Otherwise its confirmation can ride on
   * any later jls call.
   */
  private needed(n: Node): boolean {
    if (n.t.settings.ready.kind !== 'started') return true;
    for (const id of this.skel.dependents.get(n.t.id) ?? []) if (this.nodes.get(id)!.state !== 'final') return true;
    return false;
  }

  private async startOne(n: Node): Promise<void> {
    const { t } = n;
    const ms = this.opts.startTimeoutMs;
    const { signal: timeout, clear } = this.clock.deadline(ms);
    const signal = AbortSignal.any([timeout, this.endCtl.signal]);
    const limit = this.clock.now() + ms;
    let slot = true;
    const release = (): void => {
      if (!slot) return;
      slot = false;
      this.inFlight--;
      this.pump();
    };
    n.startedAt = this.clock.now();
    n.wave = 1 + Math.max(0, ...t.depends.map((d) => this.nodes.get(d)?.wave ?? 0));
    this.opts.emit({ type: 'start-requested', id: t.id, name: t.name, at: this.opts.at(), wave: n.wave, depends: t.depends });
    let phase: 'start' | 'jail' | 'ready' = 'start';
    const prepared = n.prepared;
    if (prepared) {
      n.prepared = undefined;
      this.preparedCount--;
    }
    let opening = prepared === undefined;
    if (opening) this.opening++;
    const opened = (): void => {
      if (!opening) return;
      opening = false;
      this.opening--;
      this.prepareSoon();
    };
    let out = false;
    const sent = (): void => {
      if (out) return;
      out = true;
      opened();
      this.opts.emit({ type: 'start-sent', id: t.id, at: this.opts.at(), opening: this.opening });
    };
    try {
      await untilAborted(this.actions.start(t, signal, prepared, sent), signal);
      opened();
      this.opts.emit({ type: 'start-done', id: t.id, at: this.opts.at() });
      // `jobs` bounds the starts in flight to kleened (start frame to its Close 1001): kleened
      // answers once `jail -c` is spawned, and holding the slot while jls confirms the jail
      // would help nobody (dependents wait for the confirmation, not for the slot) and cost one
      // jls round trip per start on the jobs-bound path. The container is up for its
      // dependents only once its jail is seen.
      // (The want is made before the slot is freed: a run left idle by this release flushes it.)
      phase = 'jail';
      const seen = this.actions.jail(t.id, Math.min(limit, this.clock.now() + JAIL_APPEAR_MS), this.needed(n));
      release();
      const a = await untilAborted(seen, signal);
      if (!a.seen && a.error === undefined) throw new NoJail(t.id);
      if (a.seen) this.opts.emit({ type: 'jail-seen', id: t.id, at: this.opts.at() });
      phase = 'ready';
      await untilAborted(this.actions.ready(t, signal), signal);
      this.opts.emit({ type: 'ready', id: t.id, at: this.opts.at() });
      this.up(n, { ...this.base(n), outcome: 'started', ms: this.elapsed(n),
        ...(a.seen ? {} : { reason: `not confirmed: ${a.error}` }) });
    } catch (err) {
      opened();
      release();
      this.down(n, this.failure(n, err, signal, phase));
    } finally {
      clear();
    }
  }

  private async watchKleened(n: Node): Promise<void> {
    const { t } = n;
    const ms = this.opts.startTimeoutMs;
    const { signal: timeout, clear } = this.clock.deadline(ms);
    const signal = AbortSignal.any([timeout, this.endCtl.signal]);
    n.startedAt = this.clock.now();
    const adopt = 'restart_policy on-startup; `kleene-boot adopt` puts it under kleene-boot\'s checks';
    let phase: 'jail' | 'ready' = 'jail';
    try {
      const a = await untilAborted(this.actions.jail(t.id, this.clock.now() + ms, true), signal);
      if (!a.seen) {
        this.down(n, { ...this.base(n), outcome: a.error ? 'failed' : 'timed-out', ms: this.elapsed(n),
          reason: a.error ? `cannot tell whether kleened started it: ${a.error}`
            : `kleened did not start it within ${ms / 1000} s (${adopt}); see its log` });
        return;
      }
      this.opts.emit({ type: 'jail-seen', id: t.id, at: this.opts.at() });
      phase = 'ready';
      await untilAborted(this.actions.ready(t, signal), signal);
      this.opts.emit({ type: 'ready', id: t.id, at: this.opts.at() });
      this.up(n, { ...this.base(n), outcome: 'started-by-kleened', ms: this.elapsed(n), reason: adopt });
    } catch (err) {
      this.down(n, this.endCtl.signal.aborted ? this.failure(n, err, signal, phase) : signal.aborted && phase === 'jail'
        ? { ...this.base(n), outcome: 'timed-out', ms: this.elapsed(n), reason: `kleened did not start it within ${ms / 1000} s (${adopt}); see its log` }
        : this.failure(n, err, signal, phase));
    } finally {
      clear();
    }
  }

  private elapsed(n: Node): number {
    return Math.round(this.clock.now() - (n.startedAt ?? this.clock.now()));
  }

  private failure(n: Node, err: unknown, signal: AbortSignal, phase: 'start' | 'jail' | 'ready'): ContainerResult {
    const base = { ...this.base(n), ms: this.elapsed(n) };
    const secs = this.opts.startTimeoutMs / 1000;
    if (this.endCtl.signal.aborted) {
      const what = phase === 'start' ? 'kleened had not answered its start' : phase === 'jail' ? 'its jail was not seen yet' : 'it was not ready yet';
      return { ...base, outcome: 'failed', reason: `${this.ended}: ${what}` };
    }
    // kleened answered 1001, but the jail did not come up within the start's budget: `jail -c`
    // failed after the answer (kleened only logs it).
    if (err instanceof NoJail || (signal.aborted && phase === 'jail')) return { ...base, outcome: 'failed', reason: noJailText(n.t.id) };
    if (signal.aborted) {
      const what = phase === 'start' ? `kleened did not start it within ${secs} s` : `not ready within ${secs} s (${readyText(n.t.settings)})`;
      return { ...base, outcome: 'timed-out', reason: what };
    }
    return { ...base, outcome: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }

  private up(n: Node, r: ContainerResult): void {
    n.up = true;
    this.final(n, r);
    for (const id of this.skel.dependents.get(n.t.id) ?? []) {
      const m = this.nodes.get(id)!;
      if (m.state !== 'waiting') continue;
      if (--m.unmet === 0) this.enqueue(m);
    }
  }

  private down(n: Node, r: ContainerResult): void {
    n.up = false;
    this.final(n, r);
  }

  private final(n: Node, r: ContainerResult): void {
    if (n.prepared) {
      this.discards.push(n.prepared.discard());
      n.prepared = undefined;
      this.preparedCount--;
    }
    n.state = 'final';
    n.result = r;
    this.finals++;
    this.opts.emit({ type: 'outcome', ...(r.id ? { id: r.id } : {}), name: r.name, at: this.opts.at(), result: r });
    if (!n.up) {
      // Its dependents that wait to start are blocked (and, through them, theirs).
      for (const id of this.skel.dependents.get(n.t.id) ?? []) {
        const m = this.nodes.get(id)!;
        if (m.state === 'waiting') this.final(m, blockedBy(m, r));
      }
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.finals !== this.nodes.size) return;
    const results = new Map([...this.nodes].map(([id, n]) => [id, n.result!]));
    if (this.discards.length === 0) this.resolveDone(results);
    else void Promise.all(this.discards).then(() => this.resolveDone(results));
  }
}

const NO_MOUNTS: MountFacts[] = [];

class NoJail extends Error {}
class Ended extends Error {}

function noJailText(id: string): string {
  return `kleened reported the start, but no jail ${id} runs; see /var/log/kleened.log`;
}

/** The result of a container whose dependency did not come up. */
function blockedBy(n: Node, dep: ContainerResult): ContainerResult {
  const how = dep.outcome === 'timed-out' ? 'timed out' : dep.outcome === 'failed' ? 'failed'
    : dep.outcome === 'cycle' ? 'is in a dependency cycle' : 'is blocked';
  return { id: n.t.id, name: n.t.name, entry: n.t.entry, outcome: 'blocked-dependency', reason: `dependency ${dep.name} (${dep.id}) ${how}` };
}

/** `tcp:HOST:PORT`, `exec:COMMAND` or `started`, as written in rc.conf. */
export function readyText(item: { ready: ReadyCheck }): string {
  const r = item.ready;
  return r.kind === 'tcp' ? `tcp:${r.host}:${r.port}` : r.kind === 'exec' ? `exec:${r.command}` : 'started';
}
