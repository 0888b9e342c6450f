// Command-line face of the kleened double: behaves like the Elixir release script installed at
// /usr/local/libexec/kleened/bin/kleened. `daemon` forks a detached server and returns at once
// (as run_erl does, so a bad config only shows later in the log); `start` runs in the
// foreground; `stop`/`pid`/`rpc`/`remote` fail because the release has Erlang distribution
// disabled; there is no `ping` (the port's rc.d `status` calls it and always fails).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKleened } from './server.mjs';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_LISTEN_DELAY_MS, DEFAULT_PIDFILE_DELAY_MS, delayMs, mutateState, readState, statePathFromEnv,
} from './state.mjs';

/** Paths the double uses; every one can be moved by env for tests outside a SimHost. */
export function simPaths(env = process.env) {
  return {
    config: env.KLEENED_SIM_CONFIG || '/usr/local/etc/kleened/config.yaml',
    pidfile: env.KLEENED_SIM_PIDFILE || '/var/run/kleened.pid',
    log: env.KLEENED_SIM_LOG || '/var/log/kleened.log',
    requestLog: env.KLEENED_SIM_REQUEST_LOG || '/var/log/kleened-requests.log',
    state: statePathFromEnv(env),
  };
}

/** Elixir Logger's console shape: `HH:MM:SS.mmm [level] message`. */
function logLine(path, level, msg) {
  const t = new Date().toISOString().slice(11, 23);
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${t} [${level}] ${msg}\n`);
  } catch { /* nowhere to log */ }
}

/** config.yaml keys kleened requires (lib/core/config.ex): a config missing one does not boot. */
export const REQUIRED_KEYS = ['kleene_root', 'pf_config_template_path', 'pf_config_path', 'api_listening_sockets', 'enable_logging', 'log_level'];

/**
 * Reads config.yaml as YAML (kleened uses yamerl: any valid YAML layout of the same keys works).
 * Returns { kleeneRoot, sockets: [{socket}|{tcp}, with {tls} for https], fault } or throws an
 * Error whose message is the log line kleened would write. `sim_fault: bad_config|exit_on_start`
 * is the double's own key. TLS keys are read from their files when the address is https.
 */
export function parseConfig(text, readKey = (path) => readFileSync(path)) {
  let doc;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: false });
  } catch (e) {
    throw new Error(`invalid configuration file: ${String(e.message).split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('invalid configuration file: not a YAML mapping');
  const fault = typeof doc.sim_fault === 'string' ? doc.sim_fault : undefined;
  if (fault === 'bad_config') throw new Error('invalid configuration file: rejected (sim fault bad_config)');
  for (const k of REQUIRED_KEYS) {
    if (!(k in doc)) throw new Error(`invalid configuration file: required key '${k}' missing`);
  }
  const list = doc.api_listening_sockets;
  if (!Array.isArray(list) || list.length === 0) throw new Error("invalid configuration file: 'api_listening_sockets' has no address");
  const sockets = list.map((entry, i) => {
    if (!entry || typeof entry !== 'object' || typeof entry.address !== 'string') {
      throw new Error(`invalid configuration file: api_listening_sockets entry ${i + 1} has no address`);
    }
    const target = parseAddress(entry.address);
    if (target.tls) {
      if (typeof entry.tlscert !== 'string' || typeof entry.tlskey !== 'string') {
        throw new Error(`invalid configuration file: ${entry.address} needs tlscert and tlskey`);
      }
      target.tls = { cert: readKey(entry.tlscert), key: readKey(entry.tlskey) };
    }
    return target;
  });
  return { kleeneRoot: String(doc.kleene_root), sockets, fault };
}

/** kleened's four address forms: `http:///path` (unix), `http://IP:PORT` (TCP), and the same
 * with https (TLS). userinfo, query and fragment are refused. Returns {socket} or {tcp}, with
 * `tls: true` for https. */
export function parseAddress(address) {
  const bad = () => new Error(`invalid configuration file: cannot parse address ${JSON.stringify(address)}`);
  const m = /^(https?):\/\/(.*)$/.exec(address);
  if (!m) throw bad();
  const rest = m[2];
  if (/[?#@]/.test(rest)) throw bad();
  const tls = m[1] === 'https' ? { tls: true } : {};
  if (rest.startsWith('/')) {
    if (rest.length < 2) throw bad();
    return { socket: rest, ...tls };
  }
  const tcp = /^([^/:[\]]+|\[[^\]]+\]):([0-9]+)\/?$/.exec(rest);
  if (!tcp || Number(tcp[2]) > 65535) throw bad();
  return { tcp: { host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]) }, ...tls };
}

/** The pid in `pidfile` when that process is alive (and not a zombie), else undefined. */
function runningPid(pidfile) {
  let pid;
  try { pid = Number(readFileSync(pidfile, 'utf8').trim()); } catch { return undefined; }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z' ? undefined : pid;
  } catch {
    try { process.kill(pid, 0); return pid; } catch { return undefined; }
  }
}

/** The foreground server (`kleened start`), in kleened's start order (lib/core/application.ex):
 * the VM boots (no pidfile yet for `pidfile_delay_ms`), the pidfile is written, then config.yaml
 * is read, then the API listeners start (after `listen_delay_ms`), and only then the on-startup
 * loop runs, while the API already answers. SIGTERM = clean stop. */
export async function runForeground(env = process.env) {
  const paths = simPaths(env);
  const log = (level, msg) => logLine(paths.log, level, msg);
  let state;
  try { state = readState(paths.state); } catch (e) {
    log('error', `cannot read sim state ${paths.state}: ${e.message}`);
    return 1;
  }
  const faults = state.faults ?? {};
  // The BEAM takes a moment to boot: `kleened daemon` has returned and there is no pidfile yet.
  await new Promise((r) => setTimeout(r, delayMs(faults.pidfile_delay_ms, DEFAULT_PIDFILE_DELAY_MS)));
  log('info', `kleened (double) starting, pid ${process.pid}`);
  // A second node cannot start while one runs (run_erl refuses its busy pipe directory).
  const other = runningPid(paths.pidfile);
  if (other !== undefined) {
    log('error', `kleened is already running (pid ${other})`);
    return 1;
  }
  mkdirSync(dirname(paths.pidfile), { recursive: true });
  writeFileSync(paths.pidfile, `${process.pid}\n`);
  let config;
  try {
    config = parseConfig(readFileSync(paths.config, 'utf8'));
  } catch (e) {
    // kleened's application fails to boot and the VM halts; `kleened daemon` returned 0 long
    // ago. The pidfile, written first, stays behind naming a dead pid.
    const msg = e.code === 'ENOENT' ? `could not read configuration file ${paths.config}: no such file` : e.message;
    log('error', msg);
    log('notice', 'Application kleened exited: shutdown');
    return 1;
  }
  if (faults.exit_on_start || config.fault === 'exit_on_start') {
    // A crash after the pidfile is written: leaves a stale pidfile, as a killed BEAM would.
    log('error', 'kleened crashed during start (sim fault exit_on_start)');
    return 1;
  }
  let handle;
  try {
    handle = await startKleened({
      listeners: config.sockets, statePath: paths.state, requestLogPath: paths.requestLog, log,
      listenDelayMs: DEFAULT_LISTEN_DELAY_MS,
    });
  } catch (e) {
    log('error', `could not start the API listeners: ${e.message}`);
    try { unlinkSync(paths.pidfile); } catch { /* gone */ }
    return 1;
  }
  // A BEAM stays up whether or not it listens: with never_listen nothing else would keep this
  // process alive, and a test would see kleened vanish instead of hang.
  const keepAlive = setInterval(() => {}, 1 << 30);
  return await new Promise((resolve) => {
    process.on('SIGTERM', async () => {
      if (readState(paths.state).faults?.ignore_sigterm) {
        log('warning', 'SIGTERM ignored (sim fault ignore_sigterm)');
        return;
      }
      log('info', 'SIGTERM received, stopping');
      await handle.close();
      try { unlinkSync(paths.pidfile); } catch { /* gone */ }
      log('info', 'kleened stopped');
      clearInterval(keepAlive);
      resolve(0);
    });
    process.on('SIGINT', () => process.emit('SIGTERM'));
  });
}

/** Runs `cmd args` (a FreeBSD tool, found on PATH: the shims in a SimHost); {code, out}. */
function tool(cmd, args, env) {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  return { code: r.error ? 127 : r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * `kleened eval EXPR` on a new, non-booted system. Only the expression the port's rc.d runs is
 * known: `Kleened.Core.Config.initialize_host(%{dry_run: BOOL})`, which loads the zfs, pf and
 * pflog kernel modules (kldstat/kldload), sets zfs_enable, pf_enable and pflog_enable in rc.conf
 * (sysrc) and creates `<kleene_root>` and its image, container and volumes datasets (in the sim
 * state); with dry_run it only prints what it would change. Anything else fails like an Elixir
 * error. Exit 0 when the host is (or would be made) ready.
 */
export function evalExpr(expr, env = process.env) {
  const out = (line) => process.stdout.write(`${line}\n`);
  const m = /^\s*Kleened\.Core\.Config\.initialize_host\(%\{\s*dry_run:\s*(true|false)\s*\}\)\s*$/.exec(expr ?? '');
  if (!m) {
    process.stderr.write(`** (UndefinedFunctionError) the kleened double evaluates only Kleened.Core.Config.initialize_host(%{dry_run: true|false}), not ${JSON.stringify(expr ?? '')}\n`);
    return 1;
  }
  const dry = m[1] === 'true';
  const paths = simPaths(env);
  let root;
  try {
    root = parseConfig(readFileSync(paths.config, 'utf8')).kleeneRoot;
  } catch (e) {
    process.stderr.write(`${e.code === 'ENOENT' ? `could not read configuration file ${paths.config}: no such file` : e.message}\n`);
    return 1;
  }
  let ok = true;
  for (const mod of ['zfs', 'pf', 'pflog']) {
    if (tool('kldstat', ['-q', '-m', mod], env).code === 0) { out(`kernel module ${mod}: loaded`); continue; }
    if (dry) { out(`kernel module ${mod}: not loaded, would load it`); continue; }
    const r = tool('kldload', [mod], env);
    if (r.code === 0) out(`kernel module ${mod}: loaded it`);
    else { out(`kernel module ${mod}: could not load it: ${r.out}`); ok = false; }
  }
  for (const knob of ['zfs_enable', 'pf_enable', 'pflog_enable']) {
    const now = tool('sysrc', ['-n', knob], env);
    if (now.code === 0 && /^(yes|true|on|1)$/i.test(now.out)) { out(`rc.conf ${knob}: YES`); continue; }
    if (dry) { out(`rc.conf ${knob}: not YES, would set it`); continue; }
    const r = tool('sysrc', [`${knob}=YES`], env);
    if (r.code === 0) out(`rc.conf ${knob}: set to YES`);
    else { out(`rc.conf ${knob}: could not set it: ${r.out}`); ok = false; }
  }
  const wanted = [root, `${root}/image`, `${root}/container`, `${root}/volumes`];
  const change = (s) => {
    for (const name of wanted) {
      if (s.datasets.some((d) => d.name === name)) { out(`dataset ${name}: exists`); continue; }
      if (dry) { out(`dataset ${name}: missing, would create it`); continue; }
      s.datasets.push({ name, mounted: 'yes', mountpoint: `/${name}`, type: 'filesystem' });
      out(`dataset ${name}: created`);
    }
  };
  if (dry) change(readState(paths.state)); else mutateState(paths.state, change);
  return ok ? 0 : 1;
}

const USAGE = `Usage: kleened COMMAND [ARGS]

The known commands are:

    start          Starts the system
    start_iex      Starts the system with IEx attached
    daemon         Starts the system as a daemon
    daemon_iex     Starts the system as a daemon with IEx attached
    eval "EXPR"    Executes the given expression on a new, non-booted system
    rpc "EXPR"     Executes the given expression remotely on the running system
    remote         Connects to the running system via a remote shell
    restart        Restarts the running system via a remote command
    stop           Stops the running system via a remote command
    pid            Prints the operating system PID of the running system via a remote command
    version        Prints the release name and version to be booted
`;

/** Runs one release-script command; resolves with the exit code. */
export async function main(argv, env = process.env) {
  const cmd = argv[0];
  switch (cmd) {
    case 'daemon': {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'start'], {
        detached: true, stdio: 'ignore', env,
      });
      child.unref();
      return 0;
    }
    case 'start':
      return runForeground(env);
    case 'eval':
      return evalExpr(argv[1], env);
    case 'version':
      process.stdout.write('kleened 0.1.1\n');
      return 0;
    case 'stop': case 'pid': case 'rpc': case 'remote': case 'restart':
      // The release is built without Erlang distribution: remote commands cannot reach the node.
      process.stderr.write('--rpc-eval : RPC failed with reason :nodedown\n');
      return 1;
    default:
      process.stderr.write(cmd ? `Unknown command ${cmd}\n${USAGE}` : USAGE);
      return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`kleened double: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
