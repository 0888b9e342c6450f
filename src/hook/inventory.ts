// Gathering what the planner needs for `check`, `plan` and `stop`: each source in one call
// whatever the number of containers, the independent ones in parallel, then one inspect per
// container that may be started. (`restore` streams the same facts: restore.ts.)
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

/** A promise's value or its failure as text; never rejects. */
export const got = async <T>(p: Promise<T>): Promise<Got<T>> => {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
};

/** `jls`, as a fact. */
export function jailsFact(ctx: HookContext): Promise<Got<string[]>> {
  return got(ctx.deps.listJails(ctx.config.tools.jls, { timeoutMs: INVENTORY_TIMEOUT_MS }));
}

/** `zfs list`, as a fact. */
export function datasetsFact(ctx: HookContext): Promise<Got<Inventory['datasets'] extends Got<infer D> ? D : never>> {
  return got(ctx.deps.listDatasets(ctx.config.tools.zfs, { timeoutMs: INVENTORY_TIMEOUT_MS }));
}

/**
 * Builds the whole inventory from kleened's container list (the answer that ended the wait);
 * every failure is kept for the plan's reasons. `boot`: as at boot, no jail runs yet (so every
 * container's mountpoints are asked for).
 */
export async function gatherInventory(ctx: HookContext, address: string, containers: ContainerSummary[],
  opts: { volumes: boolean; boot?: boolean }): Promise<Inventory> {
  const { config } = ctx;
  const api = ctx.deps.api(address);
  const [jailsGot, datasets, volumes] = await Promise.all([
    opts.boot ? Promise.resolve({ ok: true as const, value: [] as string[] }) : jailsFact(ctx),
    opts.volumes ? datasetsFact(ctx) : NOT_ASKED,
    opts.volumes ? got(api.listVolumes(AbortSignal.timeout(INVENTORY_TIMEOUT_MS))) : NOT_ASKED,
  ]);
  const inv: Inventory = { containers, jails: jailsGot, datasets, volumes, mounts: {} };
  if (!opts.volumes) return inv;
  // Inspect only what may be started: a running jail is left alone whatever its volumes.
  const running = new Set(jailsGot.ok ? jailsGot.value : []);
  const { targets } = resolveTargets(config, containers);
  const ids = targets.filter((t) => !t.onStartup && !running.has(t.id)).map((t) => t.id);
  const answers = await mapLimit(ids, INSPECT_CONCURRENCY, (id) =>
    got(api.inspectContainer(id, AbortSignal.timeout(INVENTORY_TIMEOUT_MS)).then((i) => i.container_mountpoints)));
  ids.forEach((id, k) => { inv.mounts[id] = answers[k]!; });
  return inv;
}
