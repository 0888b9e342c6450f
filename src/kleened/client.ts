// kleened's API client over its unix socket: one method per request boot needs, each bounded by
// the caller's AbortSignal, answers checked against the shapes in openapi.json. Decides nothing.
import { untilAborted } from '../abort.ts';
import { ApiError } from '../errors.ts';
import { OpenedStartSocket, preloadWs, startExecDetached } from './exec-start.ts';
import { errorText, requestKleened, type HttpAnswer } from './http.ts';
import {
  CONTAINER_CONFIG_KEYS, type ContainerConfig, type ContainerInspect, type ContainerSummary, type KleenedApi,
  type MountPoint, type PreparedStart, type Volume, type VolumeInspect,
} from './types.ts';

/** Creates the client for kleened listening on `socket`. */
export function createKleenedClient(socket: string): KleenedApi {
  const call = async (method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal, ok: number[]): Promise<unknown> => {
    const answer = await requestKleened(socket, method, path, body, signal);
    if (!ok.includes(answer.status)) {
      throw new ApiError(answer.status === 404 ? 'api-not-found' : 'api-status',
        `kleened answered ${method} ${path} with ${answer.status}: ${errorText(answer)}`, answer.status,
        { command: `${method} ${path}` });
    }
    return parseJson(method, path, answer);
  };
  const enc = encodeURIComponent;
  const createExec = async (id: string, signal: AbortSignal): Promise<string> => {
    // ExecConfig with an empty cmd: kleened runs the container's own command (openapi.json).
    const v = await call('POST', '/exec/create', { container_id: id, cmd: [], env: [], user: '', tty: false }, signal, [201]) as { id?: unknown };
    if (!v || typeof v.id !== 'string') throw shapeError('POST /exec/create', 'an IdResponse');
    return v.id;
  };

  return {
    async listContainers(signal) {
      // Only the literal `true` lists stopped containers too (FACTS).
      const v = await call('GET', '/containers/list?all=true', undefined, signal, [200]);
      if (!Array.isArray(v)) throw shapeError('GET /containers/list', 'an array');
      return v.map((c, i) => containerSummary(c, `GET /containers/list [${i}]`));
    },
    async inspectContainer(id, signal) {
      const v = await call('GET', `/containers/${enc(id)}/inspect`, undefined, signal, [200]) as Record<string, unknown>;
      const where = `GET /containers/${id}/inspect`;
      if (!v || typeof v !== 'object') throw shapeError(where, 'an object');
      const mounts = v.container_mountpoints ?? [];
      if (!Array.isArray(mounts)) throw shapeError(where, 'container_mountpoints to be an array');
      return {
        container: containerSummary(v.container, where),
        container_mountpoints: mounts.map((m) => mountPoint(m, where)),
      } satisfies ContainerInspect;
    },
    async listVolumes(signal) {
      const v = await call('GET', '/volumes/list', undefined, signal, [200]);
      if (!Array.isArray(v)) throw shapeError('GET /volumes/list', 'an array');
      return v.map((x: Record<string, unknown>) => {
        if (!x || typeof x.name !== 'string' || typeof x.dataset !== 'string' || typeof x.mountpoint !== 'string') {
          throw shapeError('GET /volumes/list', 'volumes with name, dataset and mountpoint');
        }
        return { name: x.name, dataset: x.dataset, mountpoint: x.mountpoint } satisfies Volume;
      });
    },
    async inspectVolume(name, signal) {
      const where = `GET /volumes/${name}/inspect`;
      const v = await call('GET', `/volumes/${enc(name)}/inspect`, undefined, signal, [200]) as Record<string, unknown>;
      if (!v || typeof v !== 'object') throw shapeError(where, 'an object');
      const vol = v.volume as Record<string, unknown> | undefined;
      if (!vol || typeof vol.name !== 'string' || typeof vol.dataset !== 'string' || typeof vol.mountpoint !== 'string') {
        throw shapeError(where, 'a volume with name, dataset and mountpoint');
      }
      const mounts = v.mountpoints ?? [];
      if (!Array.isArray(mounts)) throw shapeError(where, 'mountpoints to be an array');
      return {
        volume: { name: vol.name, dataset: vol.dataset, mountpoint: vol.mountpoint },
        mountpoints: mounts.map((m) => {
          const mp = mountPoint(m, where);
          const cid = (m as Record<string, unknown>).container_id;
          // Which container mounts it is the whole point of asking: without it, nothing is known.
          if (typeof cid !== 'string' || cid === '') throw shapeError(where, 'mountpoints with a container_id');
          return { ...mp, container_id: cid };
        }),
      } satisfies VolumeInspect;
    },
    async startContainer(id, signal, prepared, sent) {
      // The exec instance and the socket prepared ahead, or this start's own, made side by side:
      // the upgrade needs no exec id, so the start costs one round trip before its frame, not two.
      const ahead = prepared instanceof Prepared && prepared.containerId === id && prepared.use() ? prepared : undefined;
      const exec = ahead ? ahead.exec : createExec(id, signal);
      const taken = (ahead ? ahead.opened : new OpenedStartSocket(socket)).take();
      let execId: string;
      let ws;
      try {
        execId = await untilAborted(exec, signal, cancelled);
        // undefined when it could not be opened: the start then opens its own.
        ws = await untilAborted(taken, signal, cancelled);
      } catch (err) {
        void taken.then((w) => w?.terminate());
        ahead?.giveUp();
        throw err;
      }
      await startExecDetached(socket, execId, signal, ws, sent);
    },
    preloadStarts() {
      preloadWs();
    },
    prepareStart(id) {
      return new Prepared(id, socket, createExec, (execId) => call('POST',
        `/exec/${enc(execId)}/stop?force_stop=false&stop_container=false`, undefined, AbortSignal.timeout(DISCARD_TIMEOUT_MS), [200]));
    },
    async stopContainer(id, signal) {
      await call('POST', `/containers/${enc(id)}/stop`, undefined, signal, [200]);
    },
    async setRestartPolicy(container, policy, signal) {
      const change: Partial<ContainerConfig> = { restart_policy: policy };
      if (typeof container.network_driver === 'string') change.network_driver = container.network_driver;
      await call('POST', `/containers/${enc(container.id)}/update`, updateBody(change), signal, [201]);
    },
  };
}

/** A start cancelled before its frame went out says so, as an unprepared one does (exec-start.ts). */
const cancelled = (): ApiError => new ApiError('start-timeout', 'cancelled before the WebSocket start');

/** How long giving up a prepared start may take (destroying its exec instance). */
const DISCARD_TIMEOUT_MS = 2000;

/**
 * Longest a prepared start's exec/create may take: a start that uses it is bounded by its own
 * timeout, and this bounds one that nothing uses any more.
 */
const PREPARE_TIMEOUT_MS = 60_000;

/** A start made ready ahead of its turn: its exec instance being created, its socket being opened. */
class Prepared implements PreparedStart {
  readonly exec: Promise<string>;
  readonly opened: OpenedStartSocket;
  private state: 'ready' | 'used' | 'gone' = 'ready';

  constructor(readonly containerId: string, socket: string, create: (id: string, signal: AbortSignal) => Promise<string>,
    private readonly destroy: (execId: string) => Promise<unknown>) {
    this.exec = create(containerId, AbortSignal.timeout(PREPARE_TIMEOUT_MS));
    // Awaited by the start, or never (discarded): its failure is the start's to report.
    this.exec.catch(() => {});
    this.opened = new OpenedStartSocket(socket);
  }

  /** Claims it for the start; false when it was given up already. */
  use(): boolean {
    if (this.state !== 'ready') return false;
    this.state = 'used';
    return true;
  }

  /** The start was cancelled before it used the instance: give it up too. */
  giveUp(): void {
    this.state = 'ready';
    void this.discard();
  }

  async discard(): Promise<void> {
    if (this.state !== 'ready') return;
    this.state = 'gone';
    this.opened.discard();
    // The exec/create is not cut short: kleened may have made the instance already, and only
    // its answer names it. Whenever the answer comes, the instance is destroyed (kleened keeps
    // one that never started until it restarts); the caller waits for that at most
    // DISCARD_TIMEOUT_MS, and a failure leaves one such record behind and nothing else.
    const destroyed = this.exec.then((execId) => this.destroy(execId)).then(() => {}, () => {});
    await untilAborted(destroyed, AbortSignal.timeout(DISCARD_TIMEOUT_MS)).catch(() => {});
  }
}

/** A full ContainerConfig with `null` for every key not in `change`: kleened resets missing keys to defaults (FACTS). */
export function updateBody(change: Partial<ContainerConfig>): ContainerConfig {
  const body = {} as Record<keyof ContainerConfig, unknown>;
  for (const k of CONTAINER_CONFIG_KEYS) body[k] = k in change ? change[k] : null;
  return body as unknown as ContainerConfig;
}

function parseJson(method: string, path: string, answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new ApiError('api-garbage', `kleened answered ${method} ${path} with something that is not JSON: ${errorText(answer)}`,
      answer.status, { command: `${method} ${path}` });
  }
}

function shapeError(where: string, expected: string): ApiError {
  return new ApiError('api-garbage', `kleened's answer to ${where} is not ${expected}`, undefined, { command: where });
}

function containerSummary(c: unknown, where: string): ContainerSummary {
  const x = c as Record<string, unknown> | null;
  if (!x || typeof x !== 'object' || typeof x.id !== 'string' || typeof x.name !== 'string') {
    throw shapeError(where, 'a container with an id and a name');
  }
  return x as ContainerSummary;
}

function mountPoint(m: unknown, where: string): MountPoint {
  const x = m as Record<string, unknown> | null;
  if (!x || typeof x !== 'object' || (x.type !== 'volume' && x.type !== 'nullfs') || typeof x.source !== 'string') {
    throw shapeError(where, 'mountpoints with a type (volume|nullfs) and a source');
  }
  return { type: x.type, source: x.source, destination: String(x.destination ?? ''), read_only: x.read_only === true };
}
