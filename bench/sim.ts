// One measured run of `hook.js restore` against the kleened double, outside any mount namespace:
// a short temp dir holds the socket, the sim state, the request log and counting wrappers for
// jls, zfs and logger; the double runs in its own process (bench/double/serve.mjs); the hook is
// spawned with rc.conf-named variables only, as rc.d/kleene_containers exports them.
import { HOOK_NODE_OPTION } from '../src/model/hook-node.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { varPart } from '../src/model/names.ts';
import { shQuote } from '../src/shell/quote.ts';
import {
  kleenedConfigYaml, makeState, readRequestLog, readState, SHIMS_DIR, writeState, type RequestLogEntry,
} from '../test/helpers/sim-state.ts';
import type { GraphNode } from './graph.ts';
import { median } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, '..');
export const HOOK_JS = join(REPO, 'dist', 'hook.js');
export const CLI_JS = join(REPO, 'dist', 'cli.js');
const SERVE = join(here, 'double', 'serve.mjs');
const RSS_PROBE = join(here, 'rss-probe.cjs');
/** The naive parallel restorer kleene-boot is compared with. */
export const REFERENCE_JS = join(here, 'reference-restore.mjs');
/** The least a node program does before its first start (bench/floor-restore.mjs): the floor of the overhead. */
export const FLOOR_JS = join(here, 'floor-restore.mjs');

/** The bench's jls (bench/jls-standin.c), compiled once per process; undefined without a C compiler. */
let standin: string | null | undefined;
export function jlsStandin(): string | undefined {
  if (standin === undefined) {
    const dir = mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'kb-jls-'));
    liveDirs.add(dir);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'jls');
    const r = spawnSync('cc', ['-O2', '-o', bin, join(here, 'jls-standin.c')], { encoding: 'utf8' });
    standin = r.status === 0 ? bin : null;
  }
  return standin ?? undefined;
}

/** Median wall ms of `runs` spawns of `file args` (spawnSync, output discarded). */
export function spawnCostMs(file: string, args: string[], env: NodeJS.ProcessEnv, runs = 21): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(file, args, { env, stdio: 'ignore' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
  }
  return median(times);
}

/** The arguments src/host/jls.ts and src/host/zfs.ts pass (what the probe cache answers). */
export const JLS_ARGS = ['--libxo', 'json', 'jid', 'name'];
export const ZFS_ARGS = ['list', '-H', '-p', '-o', 'name,mounted,mountpoint', '-t', 'filesystem'];

const liveDirs = new Set<string>();
const liveChildren = new Set<ChildProcess>();

/** A fresh short temp dir (unix socket paths must stay under 104 bytes), removed by
 * removeTempDir or, on an interrupted run, by cleanUp. */
export function shortTempDir(prefix = 'kb-'): string {
  const base = existsSync('/tmp') ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, prefix));
  liveDirs.add(dir);
  return dir;
}

/** Removes a dir made by shortTempDir. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

/** Kills the doubles this process started and removes its temp dirs (for an interrupted run). */
export function cleanUp(): void {
  for (const c of liveChildren) c.kill('SIGKILL');
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveChildren.clear();
  liveDirs.clear();
}

/** Wall time of one child process, spawn to exit, in ms; with its exit code and output. */
export interface Timed {
  spawnAt: number;
  exitAt: number;
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Spawns `file args` and resolves when it exits; the clock starts right before spawn(). */
export function timeSpawn(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const spawnAt = Date.now();
    const t0 = performance.now();
    const child = spawn(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      resolve({ spawnAt, exitAt: spawnAt + wallMs, wallMs, code, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/**
 * Environment for every process the bench starts: what rc(8) and service(8) give a script
 * (`env -i HOME=/ PATH=/sbin:/bin:/usr/sbin:/usr/bin`), with node's own directory first on PATH
 * for the shims' `env node`. Never ours: a variable node reads at start changes every figure.
 * NODE_EXTRA_CA_CERTS, set on these machines, makes each node load a bundle of certificates
 * before the first line runs (38 ms of a 60 ms `node -e 0`): it hid most of the CLI's and the
 * hook's own cost behind a larger "bare node". NODE_OPTIONS (tsx's loader) likewise.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HOME: '/', PATH: `${dirname(process.execPath)}:/sbin:/bin:/usr/sbin:/usr/bin`, ...extra };
}

/** Bare node start on this machine right now: `node -e 0`, spawn to exit. */
export async function bareNodeMs(): Promise<number> {
  const r = await timeSpawn(process.execPath, ['-e', '0'], { env: cleanEnv() });
  if (r.code !== 0) throw new Error(`node -e 0 exited ${r.code}: ${r.stderr}`);
  return r.wallMs;
}

/** What one restore run measured. */
export interface RestoreRun {
  n: number;
  jobs: number;
  /** spawn of hook.js to its exit */
  e2eMs: number;
  /** spawn of hook.js to the double receiving the first POST /exec/create */
  overheadMs: number;
  /** first POST /exec/create to the last start's Close 1001, as the double logged them */
  scheduleMs: number;
  starts: number;
  maxInFlight: number;
  /** CPU time the double used over its whole life (start, the run, close) */
  doubleCpuMs: number;
  /** CPU time of the hook process (not its children) */
  hookCpuMs: number;
  jlsCalls: number;
  /** jls calls that began before the double received the first POST /exec/create (the inventory's) */
  jlsBeforeFirstStart: number;
  zfsCalls: number;
  loggerCalls: number;
  listCalls: number;
  volumeListCalls: number;
  inspectCalls: number;
  /** GET /volumes/{name}/inspect */
  volumeInspectCalls: number;
  /** every HTTP request the double logged, WebSocket upgrades included */
  httpRequests: number;
  /** volumes kleened knows in this run's state (V) */
  volumes: number;
  /** which jls answered: the C stand-in, the bash builtin wrapper, or the node shim */
  jlsKind: 'c' | 'bash' | 'node';
  /** median time of the jls calls answered from the double's file, as the wrapper saw it (its own sh start excluded) */
  jlsMedianMs: number;
  /** time jls and zfs ran, spawn to exit, as the wrappers saw it (each the longest call; 0 when cached) */
  jlsMs: number;
  zfsMs: number;
  /** jls/zfs calls with arguments the cache does not know (the hook changed them) */
  uncachedProbes: number;
  peakRssBytes: number;
  jailsAtEnd: number;
  exitCode: number | null;
  hookOutput: string;
  /** per container name: when the double received its first POST /exec/create and when its jail
   * appeared (the double's `start` event), ms since the epoch; NaN when it never happened */
  timeline: Record<string, { createMs: number; startedMs: number }>;
  /** the double's whole request log (bench/links.ts reads the latency of each dependency link from it) */
  log: RequestLogEntry[];
  /** each jls call's start and end (ms since the epoch), as the wrapper saw them */
  jlsIntervals: Array<[number, number]>;
}

export interface RestoreRunOptions {
  graph: readonly GraphNode[];
  jobs: number;
  delayMs: number;
  /** ms from Close 1001 to the jail appearing (the double's realistic `jail_delay_ms`); undefined:
   * the jail exists when 1001 is sent (the double's `jail_before_close`), so one start costs
   * exactly `delayMs` to every restorer and the bounds hold as computed */
  jailDelayMs?: number;
  /** keep the double's file-backed state (slow at scale; see bench/double/memo-state.mjs) */
  fileState?: boolean;
  /** start the node jls/zfs shims on every call instead of answering from the probe cache */
  nodeShims?: boolean;
  /** write a CPU profile of the hook into this directory */
  cpuProfDir?: string;
  /** keep the run directory (for debugging) */
  keep?: boolean;
  /** hook command to run; default restore (`plan` takes the same inventory and starts nothing) */
  command?: 'restore' | 'plan';
  /** who restores: kleene-boot's hook (default), the reference restorer (bench/reference-restore.mjs),
   * or the floor (bench/floor-restore.mjs: only up to the first exec/create, for its overhead) */
  restorer?: 'hook' | 'reference' | 'floor';
}

/**
 * Writes an executable bash wrapper for a probe tool that appends one line per call to `counter`:
 * `name start end how`. The shims are node scripts (a whole node start each) where FreeBSD's jls,
 * zfs and logger are C programs that answer in a few ms, so with `cached` the FIRST call with
 * exactly `cached.args` prints `cached.output` (what the shim printed for this state before the
 * run: the state cannot have changed before the hook's first call) — how `cached`. Later calls
 * run the shim (with `env` set) — how `live`, or `other` when the arguments differ from the
 * cached ones (the hook changed them: the cache needs updating). With `mirror`, EVERY call with
 * exactly `mirror.args` prints the file the double keeps current (bench/double/memo-state.mjs) —
 * how `mirror`: the hook may call jls once per batch of finished starts, and a node start per
 * call would measure the shim. `sink`: the tool reads its input to the end and prints nothing
 * (logger: the report is read as `logger -t` reads it, syslog is left alone) — how `live`.
 * Everything but the tool itself is a bash builtin ($EPOCHREALTIME, read, printf, if: no fork),
 * so a call costs about one exec, as FreeBSD's C programs do: the sh version with date(1) and a
 * `$(...)` took 3 × a bare exec on the loaded bench machine (a fork per timestamp), and the
 * logger's own date(1) after the end of its input came last in every run's end to end.
 */
function writeCountingWrapper(path: string, name: string, target: string, counter: string,
  opts: { cached?: { args: string[]; outputFile: string }; env?: Record<string, string>; mirror?: { args: string[]; file: string }; sink?: boolean } = {}): void {
  const { cached, env = {}, mirror, sink } = opts;
  const marker = `${path}.used`;
  const log = (how: string, t0 = '$s', t1 = '$EPOCHREALTIME') => `echo "${name} ${t0} ${t1} ${how}" >> ${shQuote(counter)}`;
  // The mirror file is one line (the jls shim prints its JSON on one line).
  const fast = mirror
    ? `if [ "$*" = ${shQuote(mirror.args.join(' '))} ]; then
  s=$EPOCHREALTIME
  IFS= read -r line < ${shQuote(mirror.file)} || exit 1
  printf '%s\\n' "$line"
  ${log('mirror')}
  exit 0
fi
`
    : cached
      ? `if [ "$*" = ${shQuote(cached.args.join(' '))} ] && [ ! -e ${shQuote(marker)} ]; then
  : > ${shQuote(marker)}
  while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done < ${shQuote(cached.outputFile)}
  ${log('cached', '0', '0')}
  exit 0
fi
`
      : '';
  const known = (mirror ?? cached)?.args;
  const how = known ? `if [ "$*" = ${shQuote(known.join(' '))} ]; then how=live; else how=other; fi\n` : 'how=live\n';
  const assign = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)} `).join('');
  const run = sink ? 'cat > /dev/null' : `${assign}${shQuote(target)} "$@"`;
  writeFileSync(path, `#!/bin/bash
${fast}${how}s=$EPOCHREALTIME
${run}
rc=$?
${log('$how')}
exit $rc
`);
  chmodSync(path, 0o755);
}

/** Output of `tool args` run against the state at `statePath` (for the probe cache). */
function captureShim(tool: string, args: string[], statePath: string): string {
  const r = spawnSync(join(SHIMS_DIR, tool), args, { env: cleanEnv({ KLEENE_SIM_STATE: statePath }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed on the bench state: ${r.stderr}`);
  return r.stdout;
}

/** rc.conf variables for `graph` as the rc.d script would export them. */
export function hookEnv(graph: readonly GraphNode[], jobs: number, paths: { socket: string; jls: string; zfs: string; jexec: string; logger: string }): Record<string, string> {
  const env: Record<string, string> = {
    kleene_containers_list: graph.map((x) => x.name).join(' '),
    kleene_containers_jobs: String(jobs),
    kleene_containers_start_timeout: '60',
    kleene_containers_wait_timeout: '10',
    kleened_socket: paths.socket,
    kleene_containers_jls: paths.jls,
    kleene_containers_zfs: paths.zfs,
    kleene_containers_jexec: paths.jexec,
    kleene_containers_logger: paths.logger,
  };
  for (const x of graph) if (x.depends.length > 0) env[`kleene_containers_${varPart(x.name)}_depend`] = x.depends.join(' ');
  return env;
}

/** The rc.conf variable that tells the hook where kleened's config.yaml is (default
 * /usr/local/etc/kleened/config.yaml), when the built hook reads config.yaml at all:
 * a hook built before that needs kleened_socket. */
export const CONFIG_ENV: string | undefined = hookReadsConfig() ? 'kleened_config' : undefined;

function hookReadsConfig(): boolean {
  try {
    return readFileSync(HOOK_JS, 'utf8').includes('api_listening_sockets');
  } catch {
    return false;
  }
}

/** The environment of one restorer: the hook gets the config.yaml path and no kleened_socket, so
 * that it finds the socket the way it does on a stock host (kleened_socket set would override
 * config.yaml); the reference reads kleened_socket only. */
export function restorerEnv(env: Record<string, string>, configPath: string, restorer: 'hook' | 'reference' | 'floor'): Record<string, string> {
  if (restorer !== 'hook' || CONFIG_ENV === undefined) return env;
  const { kleened_socket: _socket, ...rest } = env;
  return { ...rest, [CONFIG_ENV]: configPath };
}

function startDouble(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child);
    child.once('close', () => liveChildren.delete(child));
    let err = '';
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the double did not get ready in 20 s: ${err}`)); }, 20_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) { clearTimeout(timer); resolve(child); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the double exited ${code} before it was ready: ${err}`)); });
  });
}

/** Stops the double; resolves with the CPU ms it reported (NaN when it did not). */
function stopDouble(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const cpu = () => Number(/^cpu (\d+)$/m.exec(out)?.[1] ?? NaN);
    if (child.exitCode !== null) return resolve(cpu());
    child.removeAllListeners('exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('close', () => { clearTimeout(timer); resolve(cpu()); });
    child.kill('SIGTERM');
  });
}

/** Runs one `hook.js restore` of `graph` (nothing running yet) and measures it. */
export async function runRestore(opts: RestoreRunOptions): Promise<RestoreRun> {
  const dir = shortTempDir();
  try {
    const names = opts.graph.map((x) => x.name);
    // Every fourth container mounts a volume, so the inventory's volume checks do real work.
    const state = makeState({
      containers: names.map((name, i) => ({ name, faults: { start_delay_ms: opts.delayMs, ...(opts.jailDelayMs === undefined ? {} : { jail_delay_ms: opts.jailDelayMs }) },
        volumes: i % 4 === 0 ? [`v${i}`] : [] })),
      faults: opts.jailDelayMs === undefined ? { jail_before_close: true } : {},
    });
    const statePath = join(dir, 'state.json');
    writeState(statePath, state);
    const socket = join(dir, 'k.sock');
    const requestLog = join(dir, 'requests.log');
    const counter = join(dir, 'probes.log');
    const rssFile = join(dir, 'rss.json');
    const tools = { jls: join(dir, 'jls'), zfs: join(dir, 'zfs'), jexec: join(SHIMS_DIR, 'jexec'), logger: join(dir, 'logger') };
    const cache = (tool: string, args: string[]) => {
      if (opts.nodeShims) return undefined;
      const outputFile = join(dir, `${tool}.out`);
      writeFileSync(outputFile, captureShim(tool, args, statePath));
      return { args, outputFile };
    };
    // With the in-memory double, later jls calls read the jails file it keeps current.
    const jailsFile = join(dir, 'jails.json');
    const jlsOut = join(dir, 'jls.out');
    const mirrorJls = !opts.fileState && !opts.nodeShims;
    const cJls = mirrorJls ? jlsStandin() : undefined;
    const jlsEnv: Record<string, string> = cJls
      ? { KLEENE_BENCH_JLS_OUT: jlsOut, KLEENE_BENCH_JLS_LOG: counter, KLEENE_BENCH_JLS_SHIM: join(SHIMS_DIR, 'jls'), KLEENE_BENCH_JLS_STATE: jailsFile }
      : {};
    if (cJls) tools.jls = cJls;
    else {
      writeCountingWrapper(tools.jls, 'jls', join(SHIMS_DIR, 'jls'), counter, {
        ...(mirrorJls ? { mirror: { args: JLS_ARGS, file: jlsOut } } : { cached: cache('jls', JLS_ARGS) }),
        env: opts.fileState ? {} : { KLEENE_SIM_STATE: jailsFile } });
    }
    writeCountingWrapper(tools.zfs, 'zfs', join(SHIMS_DIR, 'zfs'), counter, { cached: cache('zfs', ZFS_ARGS) });
    // logger stand-in: reads the report (as logger -t does) and leaves syslog alone.
    writeCountingWrapper(tools.logger, 'logger', 'cat', counter, { sink: true });
    // kleened's config.yaml naming the socket, where the hook reads it: the overhead
    // to the first start includes reading and parsing it.
    const config = join(dir, 'config.yaml');
    writeFileSync(config, kleenedConfigYaml(`http://${socket}`));

    const double = await startDouble(['--socket', socket, '--state', statePath, '--request-log', requestLog,
      ...(opts.fileState ? ['--file-state'] : ['--jails-file', jailsFile, ...(mirrorJls ? ['--jls-out', jlsOut] : [])])]);
    // At boot kleened runs and rc.d/kleened has written its pidfile: the hook then runs jls and
    // zfs while it waits for the API. Without one it would take kleened for down and ask the
    // API first, which no booted host does.
    const pidfile = join(dir, 'kleened.pid');
    writeFileSync(pidfile, `${double.pid}\n`);
    let hook: Timed;
    let doubleCpuMs = NaN;
    try {
      // The hook as rc.d/kleene_containers runs it; the reference as a sysadmin would write it.
      const nodeArgs = ['--require', RSS_PROBE, ...(opts.restorer === 'reference' || opts.restorer === 'floor' ? [] : [HOOK_NODE_OPTION])];
      // A sample every 100 µs: node's default of 1 ms leaves a 90 ms overhead to the first start ninety samples.
      if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir, '--cpu-prof-interval', '100');
      const target = opts.restorer === 'reference' ? [REFERENCE_JS] : opts.restorer === 'floor' ? [FLOOR_JS] : [HOOK_JS, opts.command ?? 'restore'];
      hook = await timeSpawn(process.execPath, [...nodeArgs, ...target], {
        env: cleanEnv({ ...restorerEnv({ ...hookEnv(opts.graph, opts.jobs, { socket, ...tools }), kleened_pidfile: pidfile }, config, opts.restorer ?? 'hook'),
          KLEENE_SIM_STATE: statePath, KLEENE_BENCH_RSS_FILE: rssFile, ...jlsEnv,
          // No run record into this machine's /var/db unless the caller names a directory ('-': none).
          KLEENE_BOOT_RECORD_DIR: process.env.KLEENE_BOOT_RECORD_DIR ?? '-',
          // The host-wide lock beside the run, never this machine's /var/run.
          KLEENE_BOOT_LOCK: join(dir, 'kleene-boot.lock') }),
      });
    } finally {
      doubleCpuMs = await stopDouble(double);
    }
    const log = readRequestLog(requestLog);
    // Times are ms (date +%s%3N) or seconds with microseconds ($EPOCHREALTIME): all made ms here.
    const ms = (x: string | undefined) => (x?.includes('.') ? String(Number(x) * 1000) : x ?? 'NaN');
    const probes = existsSync(counter)
      ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')).map((p) => [p[0]!, ms(p[1]), ms(p[2]), p[3]!])
      : [];
    const probeMs = (name: string) => Math.max(0, ...probes.filter((p) => p[0] === name).map((p) => Number(p[2]) - Number(p[1])));
    const jlsTimes = probes.filter((p) => p[0] === 'jls' && p[3] === 'mirror').map((p) => Number(p[2]) - Number(p[1]));
    const final = readState(statePath);
    const rss = existsSync(rssFile) ? JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRSSKiB: number; vmHWMKiB: number | null; cpuMs: number } : undefined;
    const t = requestTimes(log);
    const timeline: RestoreRun['timeline'] = {};
    const nameOf = new Map(final.containers.map((c) => [c.id, c.name]));
    for (const name of names) timeline[name] = { createMs: NaN, startedMs: NaN };
    for (const e of log) {
      const id = (e.body as { container_id?: unknown } | undefined)?.container_id;
      const name = typeof id === 'string' ? nameOf.get(id) ?? id : undefined;
      if (e.kind === 'http' && e.path === '/exec/create' && name && timeline[name] && Number.isNaN(timeline[name].createMs)) timeline[name].createMs = e.t_ms;
    }
    for (const ev of final.events) {
      const name = nameOf.get(ev.container);
      if (ev.type === 'start' && name && timeline[name]) timeline[name].startedMs = Date.parse(ev.time);
    }
    return {
      n: names.length,
      jobs: opts.jobs,
      e2eMs: hook.wallMs,
      overheadMs: t.firstStart - hook.spawnAt,
      scheduleMs: t.lastDone - t.firstStart,
      starts: t.starts,
      doubleCpuMs,
      hookCpuMs: rss ? rss.cpuMs : NaN,
      maxInFlight: final.stats.max_starts_in_flight,
      jlsCalls: probes.filter((p) => p[0] === 'jls').length,
      jlsBeforeFirstStart: probes.filter((p) => p[0] === 'jls' && Number(p[1]) < t.firstStart).length,
      zfsCalls: probes.filter((p) => p[0] === 'zfs').length,
      loggerCalls: probes.filter((p) => p[0] === 'logger').length,
      listCalls: t.count('GET', /^\/containers\/list$/),
      volumeListCalls: t.count('GET', /^\/volumes\/list$/),
      inspectCalls: t.count('GET', /^\/containers\/[^/]+\/inspect$/),
      volumeInspectCalls: t.count('GET', /^\/volumes\/[^/]+\/inspect$/),
      httpRequests: log.filter((e) => e.kind === 'http').length,
      volumes: state.volumes.length,
      jlsKind: cJls ? 'c' : mirrorJls ? 'bash' : 'node',
      uncachedProbes: probes.filter((p) => p[3] === 'other').length,
      jlsMs: probeMs('jls'),
      jlsMedianMs: median(jlsTimes),
      zfsMs: probeMs('zfs'),
      peakRssBytes: rss ? Math.max(rss.maxRSSKiB, rss.vmHWMKiB ?? 0) * 1024 : NaN,
      jailsAtEnd: final.jails.length,
      exitCode: hook.code,
      hookOutput: hook.stdout + hook.stderr,
      timeline,
      log,
      jlsIntervals: probes.filter((p) => p[0] === 'jls').map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
    };
  } finally {
    if (!opts.keep) removeTempDir(dir);
  }
}

/** Start and end of the start phase from the double's request log, and request counts. */
export function requestTimes(log: readonly RequestLogEntry[]): { firstStart: number; lastDone: number; starts: number; count(method: string, path: RegExp): number } {
  const creates = log.filter((e) => e.kind === 'http' && e.method === 'POST' && e.path === '/exec/create');
  const closes = log.filter((e) => e.kind === 'ws' && e.dir === 'out' && e.close === 1001);
  return {
    firstStart: Math.min(...creates.map((e) => e.t_ms)),
    lastDone: Math.max(...closes.map((e) => e.t_ms)),
    starts: closes.length,
    count: (method, path) => log.filter((e) => e.kind === 'http' && e.method === method && e.path !== undefined && path.test(e.path)).length,
  };
}
