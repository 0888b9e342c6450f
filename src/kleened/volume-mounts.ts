// Which containers mount which volume, asked per volume: `GET /volumes/{name}/inspect` lists
// every container's mount of that volume (openapi.json VolumeInspect, each with its
// container_id), so V volumes cost V requests whatever the number of containers, and a host
// without volumes costs none. Asking each container instead (`GET /containers/{id}/inspect`)
// cost one request per container before its start only to learn that most mount nothing.
// Translates, decides nothing.
import type { KleenedApi, MountPoint, Volume } from './types.ts';

/**
 * Every container's volume mounts, by container id (a container that mounts no volume is
 * absent), from one inspect per volume in `volumes`, at most `limit` at once. Rejects with the
 * first failure (then no container's mounts are known: any of them may mount that volume) and
 * asks nothing more once one failed.
 */
export async function volumeMountsByContainer(api: KleenedApi, volumes: readonly Pick<Volume, 'name'>[],
  opts: { limit: number; timeoutMs: number }): Promise<Map<string, MountPoint[]>> {
  const byContainer = new Map<string, MountPoint[]>();
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < volumes.length && !failed) {
      const v = volumes[next++]!;
      try {
        const answer = await api.inspectVolume(v.name, AbortSignal.timeout(opts.timeoutMs));
        for (const m of answer.mountpoints) {
          if (m.type !== 'volume' || m.container_id === undefined) continue;
          (byContainer.get(m.container_id) ?? byContainer.set(m.container_id, []).get(m.container_id)!).push(m);
        }
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, opts.limit), volumes.length) }, worker));
  return byContainer;
}
