// The parts of kleened's API types (../shared/kleened/openapi.json, components.schemas) that
// kleene-boot reads or sends. Field names are kleened's, unchanged. The rows boot plans with
// extend the model's plain facts (src/model/facts.ts), so the client's answers are the planner's
// input as they come, and the planner never depends on this client.
import type { ContainerFacts, MountFacts, VolumeFacts } from '../model/facts.ts';

/** ContainerSummary: one row of `GET /containers/list`. */
export interface ContainerSummary extends ContainerFacts {
  [key: string]: unknown;
}

/** MountPoint: one entry of ContainerInspect.container_mountpoints or VolumeInspect.mountpoints. */
export interface MountPoint extends MountFacts {
  /** The container that mounts it (always sent by kleened; what VolumeInspect is read for). */
  container_id?: string;
}

/** ContainerInspect: the answer of `GET /containers/{id}/inspect`, reduced to what boot reads. */
export interface ContainerInspect {
  container: ContainerSummary;
  container_mountpoints: MountPoint[];
}

/** Volume: one row of `GET /volumes/list`. `mountpoint` is what kleened recorded, not read back from ZFS. */
export type Volume = VolumeFacts;

/** VolumeInspect: the answer of `GET /volumes/{name}/inspect`: the volume and every container's mount of it. */
export interface VolumeInspect {
  volume: Volume;
  mountpoints: MountPoint[];
}

/**
 * ContainerConfig, the body of `POST /containers/{id}/update`. kleened fills a missing key with its
 * default (FACTS: update-with-nulls), so every key is always sent, `null` meaning "leave as is".
 */
export interface ContainerConfig {
  name: string | null;
  image: string | null;
  cmd: string[] | null;
  env: string[] | null;
  user: string | null;
  mounts: unknown[] | null;
  jail_param: string[] | null;
  network_driver: string | null;
  public_ports: unknown[] | null;
  persist: boolean | null;
  restart_policy: 'no' | 'on-startup' | null;
}

/** Every ContainerConfig key, in the spec's order; used to build update bodies with explicit nulls. */
export const CONTAINER_CONFIG_KEYS: readonly (keyof ContainerConfig)[] = [
  'cmd', 'env', 'image', 'jail_param', 'mounts', 'name', 'network_driver', 'persist', 'public_ports',
  'restart_policy', 'user',
];

/** A start made ready ahead of its turn (KleenedApi.prepareStart). */
export interface PreparedStart {
  /** The container it is for. */
  readonly containerId: string;
  /**
   * Gives it up, unused: the socket is closed and the exec instance destroyed (`POST
   * /exec/{id}/stop`: kleened would otherwise keep it until it restarts). Resolves when that is
   * done or has failed (bounded); never rejects.
   */
  discard(): Promise<void>;
}

/** What the API client offers; the hook takes it as an interface so tests pass doubles. */
export interface KleenedApi {
  /** `GET /containers/list?all=true`: every container, running or not. */
  listContainers(signal: AbortSignal): Promise<ContainerSummary[]>;
  /** `GET /containers/{id}/inspect`. */
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInspect>;
  /** `GET /volumes/list`. */
  listVolumes(signal: AbortSignal): Promise<Volume[]>;
  /** `GET /volumes/{name}/inspect`: the volume and its mountpoints, each naming its container. */
  inspectVolume(name: string, signal: AbortSignal): Promise<VolumeInspect>;
  /**
   * `POST /exec/create` then WebSocket `/exec/start` detached with start_container; resolves once
   * kleened closes with 1001. `prepared` (from prepareStart for the same container): its exec
   * instance and open socket are used, so that the start itself is one frame. `sent`: called
   * once the start frame is out.
   */
  startContainer(id: string, signal: AbortSignal, prepared?: PreparedStart, sent?: () => void): Promise<void>;
  /**
   * Makes a start ready ahead of its turn: creates its exec instance and opens its WebSocket,
   * sending nothing. kleened does no work for it until the start frame (the instance is a record
   * in its ExecPool, the socket an idle connection). Either startContainer uses it or discard()
   * gives it up.
   */
  prepareStart?(id: string): PreparedStart;
  /**
   * Loads what a start needs (the WebSocket client, milliseconds of module code) now, for a
   * caller that is waiting on I/O anyway, instead of at the first start.
   */
  preloadStarts?(): void;
  /** `POST /containers/{id}/stop`. */
  stopContainer(id: string, signal: AbortSignal): Promise<void>;
  /**
   * `POST /containers/{id}/update` changing only restart_policy: every other field null, except
   * network_driver, which openapi.json does not allow to be null (kleened answers 422), so it
   * carries the container's current value (kleened's update ignores it anyway: lib/core/container.ex).
   */
  setRestartPolicy(container: Pick<ContainerSummary, 'id' | 'network_driver'>, policy: 'no' | 'on-startup', signal: AbortSignal): Promise<void>;
}
