// Gathering what the planner needs: each source in one call whatever the number of containers,
// the four independent ones in parallel, then one inspect per container that may be started.
import type { ContainerSummary } from '../kleened/types.ts';
import { resolveTargets } from '../plan/resolve.ts';
import type { Got, Inventory } from '../plan/types.ts';
import type { HookContext } from './context.ts';

// stop needs no volume facts: they are left out, and a plan made from them never starts anything.
const NOT_ASKED: Promise<{ ok: false; error: string }> = Promise.resolve({ ok: false, error: 'not asked' });

/**
 * Inspects in flight at once. All at once (500 sockets, 500 JSON bodies held together) cost
 * about 11 MiB more peak memory than 16 at a time in the benchmark, for no gain: kleened
 * answers them one by one anyway.
 */
export const INSPECT_CONCURRENCY = 16;

/** Maps `f` over `items` with at most `limit` calls pending; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      out[k] = await f(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Bound for one inventory call (jls, zfs, a list or inspect request). */
export const INVENTORY_TIMEOUT_MS = 15_000;

const got = async <T>(p: Promise<T>): Promise<Got<T>> => {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
};

/** Lists containers from kleened; rejects (the run cannot resolve anything without it). */
export function listContainers(ctx: HookContext): Promise<ContainerSummary[]> {
  return ctx.deps.api(ctx.config.socket).listContainers(AbortSignal.timeout(INVENTORY_TIMEOUT_MS));
}

/** Builds the whole inventory; only the container list failing rejects, every other failure is kept for the plan's reasons. */
export async function gatherInventory(ctx: HookContext, opts: { volumes: boolean }): Promise<Inventory> {
  const { config, deps } = ctx;
  const api = deps.api(config.socket);
  const [containers, jails, datasets, volumes] = await Promise.all([
    listContainers(ctx),
    got(deps.listJails(config.tools.jls, { timeoutMs: INVENTORY_TIMEOUT_MS })),
    opts.volumes ? got(deps.listDatasets(config.tools.zfs, { timeoutMs: INVENTORY_TIMEOUT_MS })) : NOT_ASKED,
    opts.volumes ? got(api.listVolumes(AbortSignal.timeout(INVENTORY_TIMEOUT_MS))) : NOT_ASKED,
  ]);
  const inv: Inventory = { containers, jails, datasets, volumes, mounts: {} };
  if (!opts.volumes) return inv;
  // Inspect only what may be started: a running jail is left alone whatever its volumes.
  const running = new Set(jails.ok ? jails.value : []);
  const { targets } = resolveTargets(config, containers);
  const ids = targets.map((t) => t.id).filter((id) => !running.has(id));
  const answers = await mapLimit(ids, INSPECT_CONCURRENCY, (id) =>
    got(api.inspectContainer(id, AbortSignal.timeout(INVENTORY_TIMEOUT_MS)).then((i) => i.container_mountpoints)));
  ids.forEach((id, k) => { inv.mounts[id] = answers[k]!; });
  return inv;
}
