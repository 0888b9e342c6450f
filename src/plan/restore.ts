// The restore plan: a pure function of configuration and inventory. It decides, for every
// configured container, whether to start it, leave it (its jail already runs: kleened would
// run its command a second time, FACTS), or hold it back (a volume kleened would mount is not
// where kleened expects it: kleened only warns and starts the jail anyway, FACTS), and in
// which order. It never looks at the host itself.
import { MinHeap } from './min-heap.ts';
import type { ContainersConfig } from '../model/config.ts';
import type { ContainerFacts, MountFacts, VolumeFacts } from '../model/facts.ts';
import { resolveTargets } from './resolve.ts';
import { planStop } from './stop.ts';
import type { DatasetInfo, Decision, EntryProblem, Facts, Got, Inventory, Plan, PlanItem, Target } from './types.ts';

export interface PlanOptions {
  /** rc.shutdown's watchdog (rcshutdown_timeout), 90 s by default. */
  rcshutdownTimeout?: number;
  /** kleened_shutdown_timeout, 60 s by default: part of the shutdown is kept for kleened's stop. */
  kleenedShutdownTimeout?: number;
}

/** Sort key: priority, then list order, then id, so equal inputs always give the same order. */
export function compareTargets(a: Target, b: Target): number {
  return a.settings.priority - b.settings.priority || a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * For each target, the number of containers on the longest chain of dependents that waits for
 * it (1 for a leaf). Among startable containers of one priority, the one with the longest chain
 * behind it goes first: greedy list scheduling by critical path, which keeps the restore close
 * to its lower bound (max(longest chain, total work ÷ jobs)); list order only breaks the ties
 * that remain. Cycle members are counted once (the walk does not re-enter a target).
 */
export function chainHeights(targets: Target[], dependents: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const height = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (id: string): number => {
    const known = height.get(id);
    if (known !== undefined) return known;
    if (onPath.has(id)) return 0;
    onPath.add(id);
    let h = 1;
    for (const n of dependents.get(id) ?? []) h = Math.max(h, 1 + visit(n));
    onPath.delete(id);
    height.set(id, h);
    return h;
  };
  for (const t of targets) visit(t.id);
  return height;
}

/** What the plan is built on before any host fact: the resolved targets, their order, cycles and dependents. */
export interface Skeleton {
  targets: Target[];
  problems: EntryProblem[];
  byId: Map<string, Target>;
  /** Start order: dependencies first, then priority, the longest chain behind, list order, id. */
  order: string[];
  cycles: Map<string, string>;
  /** For each target id, the targets that depend on it. */
  dependents: Map<string, string[]>;
}

/** Resolves the configuration against kleened's container list and orders it; knows nothing of the host. */
export function planSkeleton(config: ContainersConfig, containers: readonly ContainerFacts[]): Skeleton {
  const { targets, problems } = resolveTargets(config, containers);
  const byId = new Map(targets.map((t) => [t.id, t]));
  // Every dependency is a target (resolveTargets pulls each one in): one map serves the order,
  // the chain heights and the executor.
  const dependents = new Map<string, string[]>();
  for (const t of targets) for (const d of t.depends) if (d !== t.id) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(t.id);
  return { targets, problems, byId, order: startOrder(targets, byId, dependents), cycles: findCycles(targets, byId), dependents };
}

/** A container's own decision, from its facts alone (dependencies aside); `pending` while a fact it needs is unknown. */
export type OwnDecision = { decision: Exclude<Decision, 'blocked-dependency'>; reason?: string } | { decision: 'pending' };

/**
 * Decides one container from the facts known so far, before looking at its dependencies: its
 * jail runs (leave it), jls failed, it sits on a cycle or an invalid dependency (blocked),
 * kleened starts it itself (on-startup), or its volumes are not where kleened will look
 * (blocked). `complete` says no more facts will come: a missing one is then a reason, not a wait.
 */
export function decideOwn(t: Target, facts: Facts, cycle: string | undefined, complete: boolean): OwnDecision {
  if (!facts.jails) return complete ? { decision: 'blocked', reason: 'jls was not asked' } : { decision: 'pending' };
  if (!facts.jails.ok) return { decision: 'blocked', reason: `cannot tell whether its jail runs: ${facts.jails.error}` };
  if (jailSet(facts.jails.value).has(t.id)) return { decision: 'running' };
  if (cycle) return { decision: 'cycle', reason: cycle };
  if (t.badDepends.length > 0) return { decision: 'blocked', reason: t.badDepends.join('; ') };
  if (t.onStartup) return { decision: 'kleened-starts', reason: 'restart_policy on-startup: kleened starts it itself' };
  const got = facts.mounts[t.id];
  if (!got && !complete) return { decision: 'pending' };
  if (got?.ok && got.value.some((m) => m.type === 'volume') && (!facts.volumes || !facts.datasets) && !complete) return { decision: 'pending' };
  const volumeProblems = checkVolumes(t.id, facts);
  if (volumeProblems.length > 0) return { decision: 'blocked', reason: volumeProblems.join('; ') };
  return { decision: 'start' };
}

// One Set per jls answer, however many containers ask (memoised on the array: still pure).
const jailSets = new WeakMap<readonly string[], Set<string>>();
function jailSet(jails: readonly string[]): Set<string> {
  let s = jailSets.get(jails);
  if (!s) jailSets.set(jails, (s = new Set(jails)));
  return s;
}

/** Decisions that let a dependent go ahead (the dependency runs, or will). */
export function goesAhead(d: Decision): boolean {
  return d === 'start' || d === 'running' || d === 'kleened-starts';
}

/** Why a dependent cannot go ahead when its dependency `name (id)` was decided `d`. */
export function dependencyReason(name: string, id: string, d: Decision): string {
  return `dependency ${name} (${id}) is ${d === 'blocked-dependency' ? 'blocked by its own dependency' : d === 'cycle' ? 'in a dependency cycle' : 'blocked'}`;
}

/** Plans a restore; never throws on bad data: every problem becomes a decision with a reason. */
export function planRestore(config: ContainersConfig, inv: Inventory, opts: PlanOptions = {}): Plan {
  const skel = planSkeleton(config, inv.containers);
  const { byId, order, cycles } = skel;

  const decided = new Map<string, { decision: Decision; reason?: string }>();
  for (const id of order) {
    const t = byId.get(id)!;
    decided.set(id, decide(t, inv, cycles.get(id), decided));
  }

  // Waves: a container starts one wave after the latest of the dependencies it waits for.
  const wave = new Map<string, number>();
  for (const id of order) {
    const d = decided.get(id)!.decision;
    if (d !== 'start' && d !== 'kleened-starts') continue;
    let w = 1;
    for (const dep of byId.get(id)!.depends) {
      const dw = wave.get(dep);
      if (dw !== undefined) w = Math.max(w, dw + 1);
    }
    wave.set(id, w);
  }
  const waves: string[][] = [];
  for (const id of order) {
    const w = wave.get(id);
    if (w !== undefined) (waves[w - 1] ??= []).push(id);
  }

  const items: PlanItem[] = order.map((id) => {
    const t = byId.get(id)!;
    const d = decided.get(id)!;
    const item: PlanItem = { id, name: t.name, entry: t.entry, source: t.source, priority: t.settings.priority,
      ready: t.settings.ready, depends: t.depends, decision: d.decision };
    if (d.reason !== undefined) item.reason = d.reason;
    if (wave.has(id)) item.wave = wave.get(id)!;
    return item;
  });

  const jobs = Math.max(1, config.jobs);
  const startWorst = waves.reduce((s, w) => s + Math.ceil(w.length / jobs) * config.startTimeout, 0);
  const rcshutdownTimeout = opts.rcshutdownTimeout ?? 90;
  const stopOrder = [...order].reverse();
  // Every container that runs or will is one to stop at shutdown.
  const stop = planStop({ items, stopOrder }, new Set(items.filter((i) => goesAhead(i.decision)).map((i) => i.id)),
    { jobs: config.stopJobs, stopTimeout: config.stopTimeout },
    { rcshutdownTimeout, kleenedShutdownTimeout: opts.kleenedShutdownTimeout ?? 60 });
  return {
    items,
    problems: skel.problems,
    waves: waves.filter((w) => w !== undefined),
    stopOrder,
    budget: { startWorst, stopWorst: Math.ceil(stop.waves * config.stopTimeout), stopWaves: stop.waves, stopJobs: stop.jobs,
      stopTimeoutMs: stop.timeoutMs, stopBudgetMs: stop.budget.availableMs, rcshutdownTimeout },
  };
}

function decide(t: Target, inv: Inventory, cycle: string | undefined,
  decided: Map<string, { decision: Decision }>): { decision: Decision; reason?: string } {
  const own = decideOwn(t, inv, cycle, true);
  if (own.decision === 'pending' || own.decision !== 'start' && own.decision !== 'kleened-starts') return own as { decision: Decision };
  for (const d of t.depends) {
    const dd = decided.get(d);
    const name = inv.containers.find((c) => c.id === d)?.name ?? d;
    // Not decided yet: the dependency sits behind a cycle (startOrder puts those last).
    if (!dd) return { decision: 'blocked-dependency', reason: `dependency ${name} (${d}) waits on a dependency cycle` };
    if (!goesAhead(dd.decision)) return { decision: 'blocked-dependency', reason: dependencyReason(name, d, dd.decision) };
  }
  return own;
}

/** Reasons a container's volumes are not where kleened will look for them (none = fine). */
export function checkVolumes(id: string, inv: Facts): string[] {
  const got = inv.mounts[id];
  if (!got) return ['kleened was not asked for its mountpoints'];
  if (!got.ok) return [`cannot tell which volumes it mounts: ${got.error}`];
  const out: string[] = [];
  for (const m of got.value.filter((x: MountFacts) => x.type === 'volume')) {
    const v = m.source;
    if (!inv.volumes) {
      out.push(`volume ${v}: kleened was not asked for its volumes`);
      continue;
    }
    if (!inv.volumes.ok) {
      out.push(`volume ${v}: cannot check it: ${inv.volumes.error}`);
      continue;
    }
    const vol = inv.volumes.value.find((x) => x.name === v);
    if (!vol) {
      out.push(`volume ${v}: kleened does not know this volume`);
      continue;
    }
    const problem = volumeProblem(vol, inv.datasets);
    if (problem !== undefined) out.push(`volume ${v}: ${problem}`);
  }
  return out;
}

/**
 * Why volume `vol`'s dataset is not where kleened will look for it, from zfs's answer; undefined
 * when it is (then no container that mounts it is held back by it).
 */
export function volumeProblem(vol: VolumeFacts, datasets: Got<DatasetInfo[]> | undefined): string | undefined {
  if (!datasets) return `zfs was not asked for dataset ${vol.dataset}`;
  if (!datasets.ok) return `cannot check dataset ${vol.dataset}: ${datasets.error}`;
  const ds = datasets.value.find((x) => x.name === vol.dataset);
  if (!ds) return `dataset ${vol.dataset} does not exist`;
  if (!ds.mounted) return `dataset ${vol.dataset} is not mounted`;
  if (ds.mountpoint !== vol.mountpoint) return `dataset ${vol.dataset} is mounted at ${ds.mountpoint}, kleened expects ${vol.mountpoint}`;
  return undefined;
}

/** Topological order (Kahn) picking, among the available, lowest priority, longest chain behind, then compareTargets; cycle members go last. */
function startOrder(targets: Target[], byId: Map<string, Target>, dependents: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map(targets.map((t) => [t.id, t.depends.filter((d) => byId.has(d) && d !== t.id).length]));
  const height = chainHeights(targets, dependents);
  const key = (a: Target, b: Target): number => a.settings.priority - b.settings.priority
    || height.get(b.id)! - height.get(a.id)! || compareTargets(a, b);
  // A heap, not a sort per pick: at 500 containers sorting the available at every pick was
  // most of the planner's time before the first start. The order is the same (key is total).
  const available = new MinHeap<Target>(key);
  for (const t of targets) if (remaining.get(t.id) === 0 && !t.depends.includes(t.id)) available.push(t);
  const out: string[] = [];
  const done = new Set<string>();
  while (available.size > 0) {
    const t = available.pop()!;
    out.push(t.id);
    done.add(t.id);
    for (const n of dependents.get(t.id) ?? []) {
      const left = remaining.get(n)! - 1;
      remaining.set(n, left);
      const nt = byId.get(n)!;
      if (left === 0 && !nt.depends.includes(n)) available.push(nt);
    }
  }
  out.push(...targets.filter((t) => !done.has(t.id)).sort(compareTargets).map((t) => t.id));
  return out;
}

/** For every container on a dependency cycle, the cycle spelled out by name: `dependency cycle: a -> b -> a`. */
export function findCycles(targets: Target[], byId: Map<string, Target>): Map<string, string> {
  // Tarjan's strongly connected components; a component of two or more, or a self-dependency, is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out = new Map<string, string>();
  const sorted = [...targets].sort(compareTargets);
  const edges = (id: string): string[] => byId.get(id)!.depends.filter((d) => byId.has(d))
    .map((d) => byId.get(d)!).sort(compareTargets).map((x) => x.id);

  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const self = comp.length === 1 && byId.get(v)!.depends.includes(v);
      if (comp.length > 1 || self) {
        const members = new Set(comp);
        // Walk from the first member by sort key along dependencies inside the component until a
        // member repeats: that walk is one cycle to show.
        const start = [...comp].map((c) => byId.get(c)!).sort(compareTargets)[0]!.id;
        const path = [start];
        let cur = start;
        for (;;) {
          const next = edges(cur).find((d) => members.has(d))!;
          const at = path.indexOf(next);
          if (at >= 0) {
            path.push(next);
            path.splice(0, at);
            break;
          }
          path.push(next);
          cur = next;
        }
        const text = `dependency cycle: ${path.map((p) => byId.get(p)!.name).join(' -> ')}`;
        for (const c of comp) out.set(c, text);
      }
    }
  };
  for (const t of sorted) if (!idx.has(t.id)) visit(t.id);
  return out;
}

/**
 * The inventory rc.conf alone implies, for `plan` when kleened cannot be asked: every name in
 * kleene_containers_list and in any `_depend` is taken to exist (named by itself), no jail runs,
 * no volume is mounted. The plan made from it shows order, waves and dependencies only.
 */
export function rcConfOnlyInventory(config: ContainersConfig): Inventory {
  const names = new Set<string>(config.list);
  for (const s of config.perContainer.values()) for (const d of s.depend ?? []) names.add(d);
  const containers: ContainerFacts[] = [...names].map((n) => ({ id: n, name: n }));
  const mounts: Inventory['mounts'] = {};
  for (const c of containers) mounts[c.id] = { ok: true, value: [] };
  return { containers, jails: { ok: true, value: [] }, datasets: { ok: true, value: [] }, volumes: { ok: true, value: [] }, mounts };
}
