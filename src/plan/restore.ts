// The restore plan: a pure function of configuration and inventory. It decides, for every
// configured container, whether to start it, leave it (its jail already runs: kleened would
// run its command a second time, FACTS), or hold it back (a volume kleened would mount is not
// where kleened expects it: kleened only warns and starts the jail anyway, FACTS), and in
// which order. It never looks at the host itself.
import type { ContainersConfig } from '../model/config.ts';
import type { MountPoint } from '../kleened/types.ts';
import { resolveTargets } from './resolve.ts';
import type { Decision, Inventory, Plan, PlanItem, Target } from './types.ts';

export interface PlanOptions {
  /** rc.shutdown's watchdog (rcshutdown_timeout), 90 s by default. */
  rcshutdownTimeout?: number;
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
export function chainHeights(targets: Target[], byId: Map<string, Target>): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const t of targets) for (const d of t.depends) if (d !== t.id && byId.has(d)) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(t.id);
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

/** Plans a restore; never throws on bad data: every problem becomes a decision with a reason. */
export function planRestore(config: ContainersConfig, inv: Inventory, opts: PlanOptions = {}): Plan {
  const { targets, problems } = resolveTargets(config, inv.containers);
  const byId = new Map(targets.map((t) => [t.id, t]));
  const cycles = findCycles(targets, byId);
  const order = startOrder(targets, byId);

  const decided = new Map<string, { decision: Decision; reason?: string }>();
  const jails = inv.jails.ok ? new Set(inv.jails.value) : undefined;
  for (const id of order) {
    const t = byId.get(id)!;
    decided.set(id, decide(t, inv, jails, cycles.get(id), decided));
  }

  // Waves: a container starts one wave after the latest of the dependencies it waits for.
  const wave = new Map<string, number>();
  for (const id of order) {
    if (decided.get(id)!.decision !== 'start') continue;
    let w = 1;
    for (const d of byId.get(id)!.depends) {
      const dw = wave.get(d);
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
  const stopWorst = items.filter((i) => i.decision === 'start' || i.decision === 'running').length * config.stopTimeout;
  return {
    items,
    problems,
    waves: waves.filter((w) => w !== undefined),
    stopOrder: [...order].reverse(),
    budget: { startWorst, stopWorst, rcshutdownTimeout: opts.rcshutdownTimeout ?? 90 },
  };
}

function decide(t: Target, inv: Inventory, jails: Set<string> | undefined, cycle: string | undefined,
  decided: Map<string, { decision: Decision }>): { decision: Decision; reason?: string } {
  if (jails?.has(t.id)) return { decision: 'running' };
  if (!inv.jails.ok) return { decision: 'blocked', reason: `cannot tell whether its jail runs: ${inv.jails.error}` };
  if (cycle) return { decision: 'cycle', reason: cycle };
  if (t.badDepends.length > 0) return { decision: 'blocked', reason: t.badDepends.join('; ') };
  const volumeProblems = checkVolumes(t.id, inv);
  if (volumeProblems.length > 0) return { decision: 'blocked', reason: volumeProblems.join('; ') };
  for (const d of t.depends) {
    const dd = decided.get(d);
    // Not decided yet: the dependency sits behind a cycle (startOrder puts those last).
    if (!dd) {
      const name = inv.containers.find((c) => c.id === d)?.name ?? d;
      return { decision: 'blocked-dependency', reason: `dependency ${name} (${d}) waits on a dependency cycle` };
    }
    if (dd.decision !== 'start' && dd.decision !== 'running') {
      const name = inv.containers.find((c) => c.id === d)?.name ?? d;
      return { decision: 'blocked-dependency', reason: `dependency ${name} (${d}) is ${dd.decision === 'blocked-dependency' ? 'blocked by its own dependency' : dd.decision === 'cycle' ? 'in a dependency cycle' : 'blocked'}` };
    }
  }
  return { decision: 'start' };
}

/** Reasons a container's volumes are not where kleened will look for them (none = fine). */
export function checkVolumes(id: string, inv: Inventory): string[] {
  const got = inv.mounts[id];
  if (!got) return ['kleened was not asked for its mountpoints'];
  if (!got.ok) return [`cannot inspect it: ${got.error}`];
  const out: string[] = [];
  for (const m of got.value.filter((x: MountPoint) => x.type === 'volume')) {
    const v = m.source;
    if (!inv.volumes.ok) {
      out.push(`volume ${v}: cannot check it: ${inv.volumes.error}`);
      continue;
    }
    const vol = inv.volumes.value.find((x) => x.name === v);
    if (!vol) {
      out.push(`volume ${v}: kleened does not know this volume`);
      continue;
    }
    if (!inv.datasets.ok) {
      out.push(`volume ${v}: cannot check dataset ${vol.dataset}: ${inv.datasets.error}`);
      continue;
    }
    const ds = inv.datasets.value.find((x) => x.name === vol.dataset);
    if (!ds) out.push(`volume ${v}: dataset ${vol.dataset} does not exist`);
    else if (!ds.mounted) out.push(`volume ${v}: dataset ${vol.dataset} is not mounted`);
    else if (ds.mountpoint !== vol.mountpoint) {
      out.push(`volume ${v}: dataset ${vol.dataset} is mounted at ${ds.mountpoint}, kleened expects ${vol.mountpoint}`);
    }
  }
  return out;
}

/** Topological order (Kahn) picking, among the available, lowest priority, longest chain behind, then compareTargets; cycle members go last. */
function startOrder(targets: Target[], byId: Map<string, Target>): string[] {
  const remaining = new Map(targets.map((t) => [t.id, t.depends.filter((d) => byId.has(d) && d !== t.id).length]));
  const dependents = new Map<string, string[]>();
  for (const t of targets) for (const d of t.depends) if (d !== t.id) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(t.id);
  const available = targets.filter((t) => remaining.get(t.id) === 0 && !t.depends.includes(t.id));
  const height = chainHeights(targets, byId);
  const key = (a: Target, b: Target): number => a.settings.priority - b.settings.priority
    || height.get(b.id)! - height.get(a.id)! || compareTargets(a, b);
  const out: string[] = [];
  const done = new Set<string>();
  while (available.length > 0) {
    available.sort(key);
    const t = available.shift()!;
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
