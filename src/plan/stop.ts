// The stop schedule: a pure function of the restore plan (its stop order and dependencies), the
// containers whose jails run, the stop knobs and rc.shutdown's budget. It says who waits for
// whom (a container is stopped only once every listed container that depends on it has
// stopped, as systemd and Docker order stops by dependencies alone), how many stops run at
// once, and the timeout of each stop: rc.shutdown(8) kills the whole shutdown when
// rcshutdown_timeout passes, so a stop that cannot fit is shortened rather than cut by SIGKILL
// with kleened itself still running.
import type { Plan } from './types.ts';

/** No stop is cut sooner than this, however tight the budget: a jail's rc.shutdown needs a moment. */
export const STOP_TIMEOUT_FLOOR_MS = 1000;

export interface StopKnobs {
  /** kleene_containers_stop_jobs: stops at once, at most. */
  jobs: number;
  /** kleene_containers_stop_timeout, seconds. */
  stopTimeout: number;
}

export interface StopBudgetInput {
  /** rcshutdown_timeout, seconds: rc.shutdown's watchdog for the whole shutdown. */
  rcshutdownTimeout: number;
  /** kleened_shutdown_timeout, seconds: rc.d/kleened's stop waits that long for kleened, after ours. */
  kleenedShutdownTimeout: number;
  /** What this run already spent before the first stop (waiting for kleened, the inventory), ms. */
  spentMs?: number;
}

/** How the time rc.shutdown allows is shared out, in ms. */
export interface StopBudget {
  rcshutdownMs: number;
  /** Kept for kleened's own stop, which rc.shutdown runs after this one. */
  kleenedMs: number;
  /** Kept for the rest of the shutdown (other scripts, node, the report). */
  marginMs: number;
  spentMs: number;
  /** What is left for the stops: rcshutdown − kleened − margin − spent (may be ≤ 0). */
  availableMs: number;
}

export interface StopSchedule {
  /**
   * Ids to stop (their jails run), in the order they may go: dependents before what they depend
   * on, the heads of the longest chains of stops first, then the stop order.
   */
  order: string[];
  /** Per id in `order`: the ids in `order` whose stop it waits for (its nearest running dependents). */
  waitsFor: Record<string, string[]>;
  /** Stops at once, at most. */
  jobs: number;
  /** Containers on the longest chain of stops that wait for one another (0 when nothing runs). */
  depth: number;
  /**
   * Worst case in stop timeouts, one after another: (n + depth·(jobs − 1)) / jobs, at most n, and
   * `depth` when n ≤ jobs (no stop ever waits for a slot). Any schedule that never leaves a slot
   * idle while a stop may go ends within this many timeouts (Graham's bound for list scheduling:
   * total work / jobs + the longest chain × (1 − 1/jobs)). Not always a whole number.
   */
  waves: number;
  configuredTimeoutMs: number;
  /** The timeout of every stop: the configured one, or shorter so that `waves` of it fit the budget (never below the floor). */
  timeoutMs: number;
  shortened: boolean;
  budget: StopBudget;
  /** Lines to say before the first stop (empty when the configured timeout fits). */
  lines: string[];
}

/**
 * The share of rcshutdown_timeout kept for kleened's own stop: kleened_shutdown_timeout, but
 * at most a fifth of rcshutdown_timeout (kleened, its containers stopped, exits within moments
 * of SIGTERM; its 60 s default bound would otherwise leave nothing in a 30 s shutdown).
 */
export function kleenedShareMs(rcshutdownTimeout: number, kleenedShutdownTimeout: number): number {
  return Math.min(kleenedShutdownTimeout, Math.max(1, Math.ceil(rcshutdownTimeout / 5))) * 1000;
}

/** The margin kept for the rest of the shutdown: a tenth of rcshutdown_timeout, at least 1 s. */
export function marginMs(rcshutdownTimeout: number): number {
  return Math.max(1, Math.ceil(rcshutdownTimeout / 10)) * 1000;
}

/** The budget of the stops: what rcshutdown_timeout leaves after kleened's share, the margin and what was spent. */
export function stopBudget(b: StopBudgetInput): StopBudget {
  const rcshutdownMs = b.rcshutdownTimeout * 1000;
  const kleenedMs = kleenedShareMs(b.rcshutdownTimeout, b.kleenedShutdownTimeout);
  const margin = marginMs(b.rcshutdownTimeout);
  const spentMs = Math.max(0, Math.round(b.spentMs ?? 0));
  return { rcshutdownMs, kleenedMs, marginMs: margin, spentMs, availableMs: rcshutdownMs - kleenedMs - margin - spentMs };
}

/**
 * Plans the stop of the containers in `running` (ids) among the plan's items. Never throws: a
 * dependency cycle is broken by the stop order (a container waits only for dependents that come
 * before it), a budget that cannot fit still stops every container, with the floor timeout and a
 * line that says so.
 */
export function planStop(plan: Pick<Plan, 'items' | 'stopOrder'>, running: ReadonlySet<string>, knobs: StopKnobs,
  budgetIn: StopBudgetInput): StopSchedule {
  const order = plan.stopOrder.filter((id) => running.has(id));
  const rank = new Map(plan.stopOrder.map((id, k) => [id, k]));
  const dependents = new Map<string, string[]>();
  for (const i of plan.items) for (const d of i.depends) if (d !== i.id) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(i.id);

  const waitsFor: Record<string, string[]> = {};
  const depthOf = new Map<string, number>();
  let depth = 0;
  for (const id of order) {
    const mine = rank.get(id)!;
    const found = new Set<string>();
    // Through dependents whose jail does not run (nothing to stop) to the running ones behind them.
    const seen = new Set<string>([id]);
    const walk = [...(dependents.get(id) ?? [])];
    while (walk.length > 0) {
      const d = walk.pop()!;
      if (seen.has(d)) continue;
      seen.add(d);
      const r = rank.get(d);
      if (r === undefined || r >= mine) continue;
      if (running.has(d)) found.add(d);
      else walk.push(...(dependents.get(d) ?? []));
    }
    const w = plan.stopOrder.filter((x) => found.has(x));
    waitsFor[id] = w;
    const dep = 1 + Math.max(0, ...w.map((x) => depthOf.get(x)!));
    depthOf.set(id, dep);
    depth = Math.max(depth, dep);
  }

  // The stops that head the longest chains go first when slots are short (greedy list scheduling
  // by critical path, as the restore orders its starts): a stop's height is the longest chain of
  // stops that wait for it, itself included. Sorting by height keeps the order a valid one (a
  // stop is always higher than any stop that waits for it); ties keep the stop order.
  const height = new Map<string, number>();
  const waiters = new Map<string, string[]>();
  for (const id of order) for (const w of waitsFor[id]!) (waiters.get(w) ?? waiters.set(w, []).get(w)!).push(id);
  for (const id of [...order].reverse()) height.set(id, 1 + Math.max(0, ...(waiters.get(id) ?? []).map((x) => height.get(x)!)));
  const at = new Map(order.map((id, k) => [id, k]));
  order.sort((a, b) => height.get(b)! - height.get(a)! || at.get(a)! - at.get(b)!);
  const n = order.length;
  const jobs = Math.max(1, knobs.jobs);
  // With no more containers than slots no stop ever waits for a slot: only the chain counts.
  const waves = n === 0 ? 0 : n <= jobs ? depth : Math.min(n, (n + depth * (jobs - 1)) / jobs);
  const budget = stopBudget(budgetIn);
  const configuredTimeoutMs = knobs.stopTimeout * 1000;
  let timeoutMs = configuredTimeoutMs;
  const lines: string[] = [];
  if (waves > 0 && waves * configuredTimeoutMs > budget.availableMs) {
    // Whole tenths of a second: a number a sysadmin can read back.
    const fit = Math.floor(Math.max(0, budget.availableMs) / waves / 100) * 100;
    timeoutMs = Math.min(configuredTimeoutMs, Math.max(STOP_TIMEOUT_FLOOR_MS, fit));
    const s = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;
    const w = +waves.toFixed(2);
    const shape = `${n} container${n === 1 ? '' : 's'} to stop, ${jobs} at once, the longest chain ${depth} deep: up to ${w} stop timeout${w === 1 ? '' : 's'} one after another`;
    const left = `${s(Math.max(0, budget.availableMs))} that rcshutdown_timeout=${budgetIn.rcshutdownTimeout} s leaves (${s(budget.kleenedMs)} kept for kleened's own stop, ${s(budget.marginMs)} margin${budget.spentMs > 0 ? `, ${s(budget.spentMs)} spent` : ''})`;
    const over = `at kleene_containers_stop_timeout=${knobs.stopTimeout} s that is ${s(waves * configuredTimeoutMs)}, more than the ${left}`;
    if (fit >= STOP_TIMEOUT_FLOOR_MS) {
      lines.push(`warning: ${shape}; ${over}: each stop is cut at ${s(timeoutMs)}`);
    } else {
      lines.push(`warning: ${shape}; ${over}: each stop is cut at the ${s(STOP_TIMEOUT_FLOOR_MS)} floor and may still take ${s(waves * timeoutMs)}, so rc.shutdown may kill the rest (raise rcshutdown_timeout or kleene_containers_stop_jobs)`);
    }
  }
  return { order, waitsFor, jobs, depth, waves, configuredTimeoutMs, timeoutMs, shortened: timeoutMs < configuredTimeoutMs, budget, lines };
}
