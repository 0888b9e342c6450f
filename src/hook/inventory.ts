// Gathering what the planner needs for `check`, `plan` and `stop`: each source in one call
// whatever the number of containers, the independent ones in parallel, then one inspect per
// volume (none without volumes) to learn which containers mount what. (`restore` streams the
// same facts: restore.ts.)
import type { ContainerSummary, KleenedApi, Volume } from '../kleened/types.ts';
import { volumeMountsByContainer } from '../kleened/volume-mounts.ts';
import type { MountFacts } from '../model/facts.ts';
import { resolveTargets } from '../plan/resolve.ts';
import type { Got, Inventory } from '../plan/types.ts';
import type { HookContext } from './context.ts';

// stop needs no volume facts: they are left out, and a plan made from them never starts anything.
const NOT_ASKED: Promise<{ ok: false; error: string }> = Promise.resolve({ ok: false, error: 'not asked' });

/**
 * Inspects in flight at once. All at once (500 sockets, 500 JSON bodies held together) cost
 * about 11 MiB more peak memory than 16 at a time in the benchmark (measured when the restore
 * inspected each of 500 containers; volumes are fewer), for no gain: kleened answers them one
 * by one anyway.
 */
export const INSPECT_CONCURRENCY = 16;

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

/** Mounts by container id, from the volume list: ok with every volume mount known, or why none is. */
export type MountsByContainer = Got<ReadonlyMap<string, MountFacts[]>>;

/**
 * Which containers mount which volume, as a fact: one `GET /volumes/{name}/inspect` per volume of
 * `volumes` (restore passes only the volumes not in place), none when it is empty. Without the
 * volume list, or when one volume cannot be inspected, no container's mounts are known (any of
 * them may mount that volume).
 */
export async function mountsFact(api: KleenedApi, volumes: Got<Volume[]>): Promise<MountsByContainer> {
  if (!volumes.ok) return { ok: false, error: `cannot list kleened's volumes: ${volumes.error}` };
  if (volumes.value.length === 0) return { ok: true, value: new Map() };
  return got(volumeMountsByContainer(api, volumes.value, { limit: INSPECT_CONCURRENCY, timeoutMs: INVENTORY_TIMEOUT_MS }));
}

/** One container's mounts from `mountsFact`: none when it mounts no volume. */
export function mountsOf(all: MountsByContainer, id: string): Got<MountFacts[]> {
  return all.ok ? { ok: true, value: all.value.get(id) ?? [] } : all;
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
  const all = await mountsFact(api, volumes);
  // Mounts of what may be started: a running jail is left alone whatever its volumes.
  const running = new Set(jailsGot.ok ? jailsGot.value : []);
  const { targets } = resolveTargets(config, containers);
  for (const t of targets) if (!t.onStartup && !running.has(t.id)) inv.mounts[t.id] = mountsOf(all, t.id);
  return inv;
}
