// Builders for the simulated host's shared state (test/doubles/kleened/state.mjs): one JSON file
// that the kleened double, jls, zfs and jexec shims all read, so a test states "web runs, its
// volume's dataset is unmounted" once and every tool agrees.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  emptyState, idForName, normalizeContainer, readState as readStateMjs, writeState as writeStateMjs,
} from '../doubles/kleened/state.mjs';
import type {
  ContainerFaults, GlobalFaults, RestartPolicy, SimDataset, SimJail, SimMount, SimState,
} from '../doubles/kleened/state.mjs';

export type {
  ContainerFaults, GlobalFaults, RestartPolicy, SimContainer, SimDataset, SimEvent, SimJail, SimMount,
  SimState, SimVolume, ShimFault, StartResult,
} from '../doubles/kleened/state.mjs';
export { idForName };

const here = dirname(fileURLToPath(import.meta.url));
/** Directory holding the jls, zfs and jexec shims (put it first on PATH). */
export const SHIMS_DIR = join(here, '..', 'doubles', 'shims');
/** The kleened double's release-script launcher (`kleened daemon|start|...`). */
export const KLEENED_BIN = join(here, '..', 'doubles', 'kleened', 'bin', 'kleened');
/** The double's entry module; `node KLEENED_MAIN start` is the foreground server. */
export const KLEENED_MAIN = join(here, '..', 'doubles', 'kleened', 'main.mjs');

export interface VolumeSpec { name: string; destination?: string; read_only?: boolean }

export interface ContainerSpec {
  name: string;
  /** default: idForName(name, n) where n counts earlier containers of the same name */
  id?: string;
  image?: string;
  cmd?: string[];
  restart_policy?: RestartPolicy;
  persist?: boolean;
  /** default: `['host.hostname=<hostname>']`; given, it is kept as is (the hostname is then the
   * id, kleened's default, unless it sets host.hostname) */
  jail_param?: string[];
  /** the jail's host.hostname when jail_param is not given; default `<name>-<n>.jail.test`
   * (never the id nor the name: a parser keyed on hostnames must fail) */
  hostname?: string;
  /** volume mounts; each creates the volume (and its dataset) if missing; destination `/<name>` */
  volumes?: Array<string | VolumeSpec>;
  /** nullfs mounts of host paths */
  nullfs?: Array<{ source: string; destination: string; read_only?: boolean }>;
  /** true: a jail named by the id exists (jid in container order from 1) */
  running?: boolean;
  faults?: ContainerFaults;
  created?: string;
}

export interface StateSpec {
  kleene_root?: string;
  containers?: ContainerSpec[];
  /** volumes no container mounts */
  volumes?: string[];
  /** jails that are not kleened's (or stale ones): {name, jid?, path?, hostname?} */
  jails?: Array<Partial<SimJail> & { name: string }>;
  /** per dataset name: fields to override, or null to make it missing (as if destroyed) */
  datasets?: Record<string, Partial<SimDataset> | null>;
  faults?: GlobalFaults;
}

const CREATED = '2026-01-01T00:00:00.000000Z';

/** Builds a complete, consistent state: containers (ids from names), their jails, volumes,
 * and every dataset ZFS would list (pool, root, image, container, volumes), all mounted. */
export function makeState(spec: StateSpec = {}): SimState {
  const s = emptyState();
  const root = spec.kleene_root ?? s.kleene_root;
  s.kleene_root = root;
  const seen = new Map<string, number>();
  const volumeNames: string[] = [];
  const addVolume = (name: string) => {
    if (volumeNames.includes(name)) return;
    volumeNames.push(name);
    s.volumes.push({ name, dataset: `${root}/volumes/${name}`, mountpoint: `/${root}/volumes/${name}`, created: CREATED });
  };
  for (const c of spec.containers ?? []) {
    const n = seen.get(c.name) ?? 0;
    seen.set(c.name, n + 1);
    const id = c.id ?? idForName(c.name, n);
    const mounts: SimMount[] = [];
    for (const v of c.volumes ?? []) {
      const vs = typeof v === 'string' ? { name: v } : v;
      addVolume(vs.name);
      mounts.push({ type: 'volume', source: vs.name, destination: vs.destination ?? `/${vs.name}`, read_only: vs.read_only ?? false });
    }
    for (const m of c.nullfs ?? []) mounts.push({ type: 'nullfs', source: m.source, destination: m.destination, read_only: m.read_only ?? false });
    // Real hosts name their jails: a hostname that is neither the id nor the container name.
    const jailParam = c.jail_param ?? [`host.hostname=${c.hostname ?? `${c.name.replace(/[^A-Za-z0-9-]/g, '-')}-${n}.jail.test`}`];
    const container = normalizeContainer({
      id, name: c.name, image: c.image, cmd: c.cmd, restart_policy: c.restart_policy, persist: c.persist,
      jail_param: jailParam, mounts, faults: c.faults ?? {}, created: c.created ?? CREATED,
    }, root);
    s.containers.push(container);
    if (c.running) {
      const host = container.jail_param.find((p) => p.startsWith('host.hostname='));
      s.jails.push({ name: id, jid: s.next_jid++, path: `/${root}/container/${id}`, hostname: host ? host.slice(14) : id, ipv4: '' });
    }
  }
  for (const v of spec.volumes ?? []) addVolume(v);
  for (const j of spec.jails ?? []) {
    const jid = j.jid ?? s.next_jid;
    s.jails.push({ path: `/jails/${j.name}`, hostname: j.name, ipv4: '', ...j, jid });
    s.next_jid = Math.max(s.next_jid, jid + 1);
  }
  const pool = root.split('/')[0]!;
  const names = [pool, root, `${root}/image`, `${root}/container`, `${root}/volumes`,
    ...s.containers.map((c) => c.dataset), ...s.volumes.map((v) => v.dataset)];
  const datasets = new Map<string, SimDataset>();
  for (const name of names) if (!datasets.has(name)) datasets.set(name, { name, mounted: 'yes', mountpoint: `/${name}` });
  for (const [name, over] of Object.entries(spec.datasets ?? {})) {
    if (over === null) datasets.delete(name);
    else datasets.set(name, { name, mounted: 'yes', mountpoint: `/${name}`, ...datasets.get(name), ...over });
  }
  s.datasets = [...datasets.values()];
  s.faults = spec.faults ?? {};
  return s;
}

/** Reads a state file (missing file = empty state). */
export function readState(path: string): SimState {
  return readStateMjs(path);
}

/** Writes a state file atomically (temp file + rename), creating its directory. */
export function writeState(path: string, state: SimState): void {
  writeStateMjs(path, state);
}

/** The id of the first container called `name`; throws when there is none. */
export function containerId(state: SimState, name: string): string {
  const c = state.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container named ${name} in the sim state (have: ${state.containers.map((x) => x.name).join(', ') || 'none'})`);
  return c.id;
}

/** One line of the double's request log. `kind: 'http'` for requests (status 101 = WebSocket
 * upgrade), `kind: 'ws'` for frames (`dir` in/out, `frame` text or `close` code + `reason`). */
export interface RequestLogEntry {
  time: string;
  t_ms: number;
  seq: number;
  kind: 'http' | 'ws';
  method?: string;
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  status?: number;
  ms?: number;
  upgrade?: boolean;
  conn?: number;
  dir?: 'in' | 'out';
  frame?: string;
  /** On a start frame (the first frame of /exec/start): the container its exec instance is for. */
  container_id?: string;
  /** The double dropped the connection (`idle`: no frame within start_socket_idle_ms). */
  dropped?: string;
  close?: number;
  reason?: string;
}

/**
 * The starts kleened received, in order: each start frame on /exec/start with the container its
 * exec instance is for. A start is its frame, not its exec/create: kleene-boot creates the exec
 * instance of a start that comes next ahead of it (a prepared start).
 */
export function startFramesOf(log: readonly RequestLogEntry[]): Array<{ id: string; t_ms: number; seq: number }> {
  return [...log].sort((a, b) => a.seq - b.seq)
    .filter((e) => e.kind === 'ws' && e.dir === 'in' && e.container_id !== undefined)
    .map((e) => ({ id: e.container_id!, t_ms: e.t_ms, seq: e.seq }));
}

/** Parses the request log (missing file = no entries). */
export function readRequestLog(path: string): RequestLogEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestLogEntry);
}

/** Files of a double run in a temp dir, outside a SimHost. */
export interface SimDir {
  dir: string;
  statePath: string;
  socket: string;
  configPath: string;
  pidfile: string;
  logPath: string;
  requestLogPath: string;
  /** env for the double and the shims: KLEENE_SIM_STATE, KLEENED_SIM_* and PATH with SHIMS_DIR
   * first; NODE_OPTIONS removed */
  env: NodeJS.ProcessEnv;
}

/** Lays out `dir` for a double run: writes `state` and a config.yaml whose socket is in `dir`
 * (or `configText` verbatim, e.g. a broken one). Returns the paths and the env to pass. */
export function prepareSimDir(dir: string, state: SimState, opts: { configText?: string } = {}): SimDir {
  mkdirSync(dir, { recursive: true });
  const d = {
    dir,
    statePath: join(dir, 'state.json'),
    socket: join(dir, 'kleened.sock'),
    configPath: join(dir, 'config.yaml'),
    pidfile: join(dir, 'kleened.pid'),
    logPath: join(dir, 'kleened.log'),
    requestLogPath: join(dir, 'kleened-requests.log'),
  };
  writeState(d.statePath, state);
  writeFileSync(d.configPath, opts.configText ?? kleenedConfigYaml(`http://${d.socket}`, state.kleene_root));
  // tap exports NODE_OPTIONS=--import=@tapjs/processinfo to every child; each shim and the
  // double would pay for that loader on every start, so the sim env drops it.
  const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PATH: `${SHIMS_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    KLEENE_SIM_STATE: d.statePath,
    KLEENED_SIM_CONFIG: d.configPath,
    KLEENED_SIM_PIDFILE: d.pidfile,
    KLEENED_SIM_LOG: d.logPath,
    KLEENED_SIM_REQUEST_LOG: d.requestLogPath,
  };
  return { ...d, env };
}

/** A config.yaml shaped like kleened's example config, listening on `address`. */
export function kleenedConfigYaml(address = 'http:///var/run/kleened.sock', kleeneRoot = 'zroot/kleene'): string {
  return [
    `kleene_root: ${kleeneRoot}`,
    'pf_config_template_path: /usr/local/etc/kleened/pf.conf.kleene',
    'pf_config_path: /etc/pf.conf',
    'api_listening_sockets:',
    `  - address: "${address}"`,
    'enable_logging: true',
    'log_level: debug',
    '',
  ].join('\n');
}

/** A fresh temp dir with a short path (unix socket paths must stay under ~100 bytes, which
 * tap's fixture dirs exceed). Pass `teardown` (e.g. `t.teardown`) to remove it afterwards. */
export function simTempDir(teardown?: (fn: () => void) => void, prefix = 'ksim-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  teardown?.(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, and
 * returns that value; throws naming `what` after `timeoutMs` (a generous bound: a loaded
 * machine is slow, and this replaces fixed sleeps that race the double's timers). */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 20_000} ms waiting for ${what}`);
    await new Promise((res) => setTimeout(res, opts.everyMs ?? 20));
  }
}
