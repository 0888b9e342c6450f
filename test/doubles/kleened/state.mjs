// The simulated FreeBSD host's shared state: one JSON file read by the kleened double and the
// jls/zfs/jexec shims, so "a jail is running" means the same thing to the API and to `jls -j`.
// Plain JS with node builtins only: the double must start fast without a TypeScript loader.
// Writes go through temp file + rename so a shim never reads a half-written file.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, mkdirSync, unlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, basename } from 'node:path';

const require = createRequire(import.meta.url);

export const DEFAULT_STATE_PATH = '/var/db/kleene-sim/state.json';
export const DEFAULT_KLEENE_ROOT = 'zroot/kleene';
/** From the `starting` frame to Close 1001: kleened's Exec.start until `jail -c` is spawned.
 * kleened starts a jail in well under a second; 200 ms keeps ordering effects visible. */
export const DEFAULT_START_DELAY_MS = 200;
/** From Close 1001 to the jail showing in jls: `jail -c` creating the jail after kleened
 * already answered (lib/core/exec.ex). Realistic by default; 0 only when a test asks. */
export const DEFAULT_JAIL_DELAY_MS = 150;
/** A stop runs the jail's exec.stop (`/bin/sh /etc/rc.shutdown`) before the jail is removed
 * and the request answers. */
export const DEFAULT_STOP_DELAY_MS = 200;
/** `kleened daemon` returns before the VM has written the pidfile. */
export const DEFAULT_PIDFILE_DELAY_MS = 150;
/** From reading the config to the API listening (the supervisor starting its children). */
export const DEFAULT_LISTEN_DELAY_MS = 100;

/** A number from a fault value, else the default (negative or non-numbers = default). */
export function delayMs(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The state path from env `KLEENE_SIM_STATE`, else the default. */
export function statePathFromEnv(env = process.env) {
  return env.KLEENE_SIM_STATE || DEFAULT_STATE_PATH;
}

/** An id for a container name: 12 hex chars, deterministic, never all digits (jail names
 * that are all digits would be read as jids, which is why kleened avoids them). `n` tells
 * apart containers that share a name (kleened does not enforce unique names). */
export function idForName(name, n = 0) {
  for (let salt = 0; ; salt++) {
    const seed = n === 0 && salt === 0 ? name : `${name}#${n}#${salt}`;
    const id = createHash('sha256').update(seed).digest('hex').slice(0, 12);
    if (!/^[0-9]+$/.test(id)) return id;
  }
}

/** A fresh random id in kleened's shape (exec instances). */
export function randomId() {
  for (;;) {
    const id = randomBytes(6).toString('hex');
    if (!/^[0-9]+$/.test(id)) return id;
  }
}

/** An empty, valid state. */
export function emptyState() {
  return {
    kleene_root: DEFAULT_KLEENE_ROOT,
    next_jid: 1,
    containers: [],
    jails: [],
    volumes: [],
    datasets: [],
    faults: {},
    events: [],
    stats: { starts_total: 0, starts_in_flight: 0, max_starts_in_flight: 0, start_requests_open: 0, max_start_requests_open: 0, execs_unused: 0, execs_destroyed: 0 },
  };
}

/** Fills missing top-level keys and container defaults; never drops unknown keys. */
export function normalizeState(raw) {
  const s = { ...emptyState(), ...(raw ?? {}) };
  s.stats = { ...emptyState().stats, ...(s.stats ?? {}) };
  s.faults = s.faults ?? {};
  for (const k of ['containers', 'jails', 'volumes', 'datasets', 'events']) if (!Array.isArray(s[k])) s[k] = [];
  s.containers = s.containers.map((c) => normalizeContainer(c, s.kleene_root));
  const maxJid = s.jails.reduce((m, j) => Math.max(m, Number(j.jid) || 0), 0);
  if (!(s.next_jid > maxJid)) s.next_jid = maxJid + 1;
  return s;
}

/** Container record with every ContainerConfig default kleened would store. */
export function normalizeContainer(c, root = DEFAULT_KLEENE_ROOT) {
  const id = c.id ?? idForName(c.name ?? 'container');
  const defaults = {
    id,
    name: id,
    image: 'base',
    image_id: idForName(`image:${c.image ?? 'base'}`),
    cmd: ['/bin/sh', '/etc/rc'],
    env: [],
    user: 'root',
    jail_param: [],
    network_driver: 'ipnet',
    public_ports: [],
    restart_policy: 'no',
    persist: false,
    mounts: [],
    created: '2026-01-01T00:00:00.000000Z',
    dataset: `${root}/container/${id}`,
    faults: {},
  };
  const given = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given, id };
}

/** Reads and normalizes the state file; a missing file is an empty state. Throws on bad JSON. */
export function readState(path = statePathFromEnv()) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return emptyState();
    throw e;
  }
  return normalizeState(JSON.parse(text));
}

/**
 * The shims' answers to the hook's forms, kept beside the state (`<state>.jls`, `<state>.zfs`) so
 * that the sh fronts of jls and zfs print them without a node start. Each is the shim's own
 * answer for this state, or null (no view: the front runs the shim) when that answer is not a
 * plain success, as with a fault set.
 */
export const SHIM_VIEWS = [
  { suffix: '.jls', shim: '../shims/jls.cjs', argv: ['--libxo', 'json', 'jid', 'name'] },
  { suffix: '.zfs', shim: '../shims/zfs.cjs', argv: ['list', '-H', '-p', '-o', 'name,mounted,mountpoint', '-t', 'filesystem'] },
];

function shimView(v, state) {
  const r = require(v.shim).answer(v.argv, JSON.parse(JSON.stringify(state)));
  return r.code === 0 && r.stderr === '' && !r.delayMs ? r.stdout : null;
}

function writeAtomic(path, text) {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, text);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

/**
 * Writes the state atomically (temp file in the same directory, then rename), and the shims'
 * views of it: a view that goes is removed before the state changes and a view that stays is
 * written after it, so a reader never pairs a view with a state it does not match (at worst it
 * sees the jails of the moment before).
 */
export function writeState(path, state) {
  mkdirSync(dirname(path), { recursive: true });
  const views = SHIM_VIEWS.map((v) => [path + v.suffix, shimView(v, state)]);
  for (const [file, text] of views) if (text === null) rmSync(file, { force: true });
  writeAtomic(path, JSON.stringify(state, null, 2) + '\n');
  for (const [file, text] of views) if (text !== null) writeAtomic(file, text);
}

/** Read-modify-write in one synchronous step (atomic within this process's event loop).
 * `fn` mutates the state in place or returns a new one; returns what `fn` returned. */
export function mutateState(path, fn) {
  const s = readState(path);
  const r = fn(s);
  writeState(path, s);
  return r;
}

/** Resolves a container the way kleened does: exact name or id prefix, first match in store order. */
export function findContainer(state, idOrName) {
  if (typeof idOrName !== 'string' || idOrName === '') return undefined;
  return state.containers.find((c) => c.name === idOrName || c.id.startsWith(idOrName));
}

/** The jail of a container (jail name = container id), unless dying. */
export function jailOf(state, id) {
  return state.jails.find((j) => j.name === id && !j.dying);
}

/** Jail path kleened uses: `/<kleene_root>/container/<id>`. */
export function jailPath(state, id) {
  return `/${state.kleene_root}/container/${id}`;
}

/** Hostname kleened gives a jail: `host.hostname=` from jail_param, else the id. */
export function jailHostname(container) {
  const p = (container.jail_param ?? []).find((x) => x.startsWith('host.hostname='));
  return p ? p.slice('host.hostname='.length) : container.id;
}

/** Appends an event (start, duplicate_start, ...) with a timestamp. */
export function pushEvent(state, type, container, detail) {
  const ev = { time: new Date().toISOString(), type, container };
  if (detail !== undefined) ev.detail = detail;
  state.events.push(ev);
  return ev;
}
