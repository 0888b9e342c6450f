// A rig for running the REAL bundled boot hook (dist/hook.js, built by `npm run build`) as a
// child process against the kleened double on a unix socket in a temp dir, with the jls, zfs,
// jexec and logger shims reading the same sim state. Not a test file itself.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { checkRecord, type RecordCommand, type RunRecord } from '../../src/record/schema.ts';
import { startKleened, type KleenedHandle } from '../doubles/kleened/server.mjs';
import {
  SHIMS_DIR, containerId, makeState, readRequestLog, readState, startFramesOf, writeState, type RequestLogEntry, type SimState, type StateSpec,
} from '../helpers/sim-state.ts';

/** The bundle under test; KLEENE_HOOK_JS overrides it (e.g. a bundle built elsewhere). */
export const HOOK_JS = process.env.KLEENE_HOOK_JS ?? fileURLToPath(new URL('../../dist/hook.js', import.meta.url));

export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Rig {
  dir: string;
  socket: string;
  statePath: string;
  requestLog: string;
  syslog: string;
  /** The double, or undefined when started with `kleened: false` (kleened down). */
  kleened?: KleenedHandle;
  state(): SimState;
  id(name: string): string;
  requests(): RequestLogEntry[];
  /** Runs `node dist/hook.js ...args` with only the given rc.conf variables (plus the tool paths). */
  hook(args: string[], vars?: Record<string, string>, opts?: { timeoutMs?: number }): Promise<HookRun>;
  /** The same run as `hook`, as a process the caller watches (its output as it comes, its pid). */
  hookProcess(args: string[], vars?: Record<string, string>, opts?: { timeoutMs?: number }): ResultPromise<{ reject: false }>;
  /** The lock file the rig's hook runs use (KLEENE_BOOT_LOCK). */
  lockPath: string;
}

/** Lays out the sim, starts the double (unless `kleened: false`) and cleans both up at teardown. */
export async function rig(t: { teardown(fn: () => unknown): void }, spec: StateSpec, opts: { kleened?: boolean; autostart?: boolean | Promise<unknown> } = {}): Promise<Rig> {
  if (!existsSync(HOOK_JS)) throw new Error(`${HOOK_JS} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'kb-hook-'));
  // Run a copy that has no node_modules (nor package.json) anywhere above it, as at boot.
  const hookJs = join(dir, 'hook.js');
  copyFileSync(HOOK_JS, hookJs);
  const socket = join(dir, 'kleened.sock');
  const statePath = join(dir, 'state.json');
  const requestLog = join(dir, 'requests.log');
  const syslog = join(dir, 'messages');
  writeState(statePath, makeState(spec));
  const kleened = opts.kleened === false ? undefined
    : await startKleened({ socket, statePath, requestLogPath: requestLog, autostart: opts.autostart ?? false });
  // kleened writes its pid first thing (FACTS); the double runs in this process.
  if (kleened) writeFileSync(join(dir, 'kleened.pid'), `${process.pid}\n`);
  t.teardown(async () => {
    await kleened?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const r: Rig = {
    dir, socket, statePath, requestLog, syslog, kleened, lockPath: join(dir, 'kleene-boot.lock'),
    state: () => readState(statePath),
    id: (name) => containerId(readState(statePath), name),
    requests: () => readRequestLog(requestLog),
    hookProcess(args, vars = {}, o = {}) {
      // rc(8) runs the hook with an almost empty environment: give it only what the rc.d
      // script exports, plus what the shims need to find the sim.
      return execa(process.execPath, [hookJs, ...args], {
        extendEnv: false,
        env: {
          PATH: `${process.env.PATH}`,
          KLEENE_SIM_STATE: statePath,
          KLEENE_SIM_SYSLOG: syslog,
          kleened_socket: socket,
          // kleened's pidfile and log inside the rig: with kleened down there is no pidfile.
          kleened_pidfile: join(dir, 'kleened.pid'),
          kleened_logfile: join(dir, 'kleened.log'),
          kleene_containers_jls: join(SHIMS_DIR, 'jls'),
          kleene_containers_zfs: join(SHIMS_DIR, 'zfs'),
          kleene_containers_jexec: join(SHIMS_DIR, 'jexec'),
          kleene_containers_logger: join(SHIMS_DIR, 'logger'),
          // The run record in the rig, never the real host's /var/db/kleene-boot.
          KLEENE_BOOT_RECORD_DIR: join(dir, 'records'),
          // The host-wide lock in the rig too, never the real host's /var/run.
          KLEENE_BOOT_LOCK: join(dir, 'kleene-boot.lock'),
          ...vars,
        },
        reject: false,
        timeout: o.timeoutMs ?? 30_000,
      });
    },
    async hook(args, vars = {}, o = {}) {
      const t0 = Date.now();
      const run = await r.hookProcess(args, vars, o);
      return { code: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr), ms: Date.now() - t0 };
    },
  };
  return r;
}

/** The syslog lines the logger shim wrote, without the tag. */
export function syslogLines(r: Rig, tag = 'kleene_containers'): string[] {
  if (!existsSync(r.syslog)) return [];
  return readFileSync(r.syslog, 'utf8').split('\n').filter(Boolean).map((l) => {
    if (!l.startsWith(`${tag}: `)) throw new Error(`syslog line without the ${tag} tag: ${l}`);
    return l.slice(tag.length + 2);
  });
}

/** The newest run record of `command` the hook wrote in the rig (KLEENE_BOOT_RECORD_DIR), checked against the schema. */
export function lastRecord(r: Rig, command: RecordCommand): RunRecord {
  const dir = join(r.dir, 'records');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`${command}-`)).sort() : [];
  if (files.length === 0) throw new Error(`no ${command} record in ${dir}`);
  return checkRecord(JSON.parse(readFileSync(join(dir, files[files.length - 1]!), 'utf8')));
}

/** Container ids whose start the hook asked for (POST /exec/create), in request order. */
/**
 * The containers in the order their starts reached kleened: the start frame on /exec/start,
 * not the exec/create, which kleene-boot may send ahead of the start (a prepared start).
 */
export function startRequests(r: Rig): string[] {
  return startFramesOf(r.requests()).map((e) => e.id);
}

/**
 * Most starts in flight to kleened at once, from the double's request log: a start counts from
 * its start frame on /exec/start to kleened's Close (what `kleene_containers_jobs` bounds; a
 * socket opened ahead and still idle is no work for kleened, and the jail `jail -c` creates
 * after the Close is not counted).
 */
export function maxStartsToKleened(r: Rig): number {
  let now = 0;
  let max = 0;
  const open = new Set<number>();
  for (const e of [...r.requests()].sort((a, b) => a.seq - b.seq)) {
    if (e.kind === 'ws' && e.dir === 'in' && e.container_id !== undefined && e.conn !== undefined) {
      open.add(e.conn);
      max = Math.max(max, ++now);
    } else if (e.kind === 'ws' && e.dir === 'out' && e.close !== undefined && e.conn !== undefined && open.delete(e.conn)) {
      now--;
    }
  }
  return max;
}

/** Completion time of each container's start in the sim (the double's `start` events). */
export function startedAt(r: Rig): Map<string, number> {
  return new Map(r.state().events.filter((e) => e.type === 'start').map((e) => [e.container, Date.parse(e.time)]));
}

/**
 * A staged host root for the CLI's -R beside the rig: ROOT/etc/rc.conf holding `rcLines`, and
 * ROOT/var/run/kleened.sock leading to the rig's double (with -R the host's / is ROOT for
 * kleened's socket too).
 */
export function stageRoot(r: Rig, rcLines: string[]): string {
  const root = join(r.dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'var/run'), { recursive: true });
  symlinkSync(r.socket, join(root, 'var/run/kleened.sock'));
  writeFileSync(join(root, 'etc/rc.conf'), [...rcLines, ''].join('\n'));
  return root;
}
