// The double's state.mjs with the state held in memory. The test double re-reads, normalises
// and rewrites its whole JSON state file several times per request (≈30 ms at 500 containers on
// the bench machine, ≈10 reads and 3 writes per start), which is correct for tests but would
// make the benchmark measure the double instead of the hook. This module keeps the same API and
// semantics within one process (reads see every earlier write), reads the file once, and writes
// it back only on flush(), after the run. The shims read the file: zfs and the first jls run
// before the first start, when file and memory agree; for later jls calls (the hook confirms
// its starts with jls) mirrorJails() keeps a small file with just the jails up to date, and
// beside it what the jls shim prints for `jls --libxo json jid name`, so that the bench's jls
// is a `cat` (a few ms, like FreeBSD's C jls) instead of a node start per call.
import { renameSync, writeFileSync } from 'node:fs';
import * as base from '../../test/doubles/kleened/state.mjs';

export {
  DEFAULT_STATE_PATH, DEFAULT_KLEENE_ROOT, DEFAULT_START_DELAY_MS, DEFAULT_JAIL_DELAY_MS, DEFAULT_STOP_DELAY_MS,
  DEFAULT_PIDFILE_DELAY_MS, DEFAULT_LISTEN_DELAY_MS, delayMs, statePathFromEnv, idForName, randomId,
  emptyState, normalizeState, normalizeContainer, findContainer, jailOf, jailPath, jailHostname, pushEvent,
} from '../../test/doubles/kleened/state.mjs';

const cache = new Map();
const dirty = new Set();
let mirror;
let jlsOut;
let mirrored = '';

/** From now on, keeps `path` a state file holding only the jails (and jls faults) of the state,
 * rewritten whenever a jail appears or goes: what the jls shim reads, at a fraction of the cost;
 * and `jlsOutPath` (when given) what the shim prints for `jls --libxo json jid name`. */
export function mirrorJails(path, jlsOutPath) {
  mirror = path;
  jlsOut = jlsOutPath;
  mirrored = '';
}

/** The jls shim's output for `jls --libxo json jid name` (libxo JSON, named params as strings). */
export function jlsJidNameJson(jails) {
  const rows = jails.map((j) => `{"jid":${JSON.stringify(String(j.jid))},"name":${JSON.stringify(String(j.name))}}`);
  return `{"__version": "2", "jail-information": {"jail": [${rows.join(', ')}]}}\n`;
}

function updateMirror(state) {
  if (!mirror) return;
  // A start adds a jail and bumps next_jid, a stop or remove drops one: either changes this.
  const sig = `${state.jails.length}/${state.next_jid}`;
  if (sig === mirrored) return;
  mirrored = sig;
  const tmp = `${mirror}.tmp`;
  writeFileSync(tmp, JSON.stringify({ kleene_root: state.kleene_root, jails: state.jails, faults: { jls: state.faults?.jls } }));
  renameSync(tmp, mirror);
  if (jlsOut) {
    writeFileSync(`${jlsOut}.tmp`, jlsJidNameJson(state.jails));
    renameSync(`${jlsOut}.tmp`, jlsOut);
  }
}

/** The state of `path`, read from the file once, then the same object every time. */
export function readState(path = base.statePathFromEnv()) {
  let s = cache.get(path);
  if (!s) {
    s = base.readState(path);
    cache.set(path, s);
  }
  return s;
}

/** Replaces the state in memory; the file is written by flush(). */
export function writeState(path, state) {
  cache.set(path, state);
  dirty.add(path);
  updateMirror(state);
}

/** Read-modify-write in one synchronous step, as the original. */
export function mutateState(path, fn) {
  const s = readState(path);
  const r = fn(s);
  writeState(path, s);
  return r;
}

/** Writes every changed state back to its file (temp + rename, as the original). */
export function flush() {
  for (const path of dirty) base.writeState(path, cache.get(path));
  dirty.clear();
}
