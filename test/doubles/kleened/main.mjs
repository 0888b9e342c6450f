// Command-line face of the kleened double: behaves like the Elixir release script installed at
// /usr/local/libexec/kleened/bin/kleened. `daemon` forks a detached server and returns at once
// (as run_erl does, so a bad config only shows later in the log); `start` runs in the
// foreground; `stop`/`pid`/`rpc`/`remote` fail because the release has Erlang distribution
// disabled; there is no `ping` (the port's rc.d `status` calls it and always fails).
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKleened } from './server.mjs';
import { readState, statePathFromEnv } from './state.mjs';

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

/**
 * Reads the few config.yaml keys the double honours: `api_listening_sockets` (list of
 * `- address: ...`) and `sim_fault`. Returns { sockets: [{socket}|{tcp}], fault } or throws
 * an Error whose message is the log line kleened would write. A line-based reader, not YAML:
 * enough for the shapes kleened's example configs use.
 */
export function parseConfig(text) {
  const lines = text.split(/\r?\n/);
  const addresses = [];
  let inSockets = false;
  let fault;
  let sawSockets = false;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\s*(#|$)/.test(line)) return;
    if (/\t/.test(raw.match(/^\s*/)[0])) throw new Error(`invalid configuration file: line ${i + 1}: tabs are not allowed in YAML indentation`);
    const top = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/.exec(line);
    if (top) {
      inSockets = top[1] === 'api_listening_sockets';
      if (inSockets) sawSockets = true;
      if (top[1] === 'sim_fault') fault = unquote(top[2]);
      return;
    }
    const addr = /^\s*(?:-\s+)?address:\s*(.+)$/.exec(line);
    if (addr && inSockets) { addresses.push(unquote(addr[1])); return; }
    if (/^\s+(-\s+)?[A-Za-z_]+:/.test(line) || /^\s+-\s+\S/.test(line)) return;
    throw new Error(`invalid configuration file: line ${i + 1}: cannot parse ${JSON.stringify(raw)}`);
  });
  if (fault === 'bad_config') throw new Error('invalid configuration file: rejected (sim fault bad_config)');
  if (!sawSockets) throw new Error("invalid configuration file: required key 'api_listening_sockets' missing");
  if (addresses.length === 0) throw new Error("invalid configuration file: 'api_listening_sockets' has no address");
  return { sockets: addresses.map(parseAddress), fault };
}

function unquote(v) {
  const t = v.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** `http:///var/run/kleened.sock` -> {socket}; `http://host:port` -> {tcp}. */
export function parseAddress(address) {
  const unix = /^https?:\/\/(\/.+)$/.exec(address);
  if (unix) return { socket: unix[1] };
  const tcp = /^https?:\/\/([^/:]+|\[[^\]]+\]):([0-9]+)\/?$/.exec(address);
  if (tcp) return { tcp: { host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]) } };
  throw new Error(`invalid configuration file: cannot parse address ${JSON.stringify(address)}`);
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

/** The foreground server (`kleened start`): config, pidfile, log, SIGTERM = clean stop. */
export async function runForeground(env = process.env) {
  const paths = simPaths(env);
  const log = (level, msg) => logLine(paths.log, level, msg);
  log('info', `kleened (double) starting, pid ${process.pid}`);
  let config;
  try {
    config = parseConfig(readFileSync(paths.config, 'utf8'));
  } catch (e) {
    // kleened's application fails to boot and the VM halts; `kleened daemon` returned 0 long ago.
    const msg = e.code === 'ENOENT' ? `could not read configuration file ${paths.config}: no such file` : e.message;
    log('error', msg);
    log('notice', 'Application kleened exited: shutdown');
    return 1;
  }
  let state;
  try { state = readState(paths.state); } catch (e) {
    log('error', `cannot read sim state ${paths.state}: ${e.message}`);
    return 1;
  }
  // A second node cannot start while one runs (run_erl refuses its busy pipe directory).
  const other = runningPid(paths.pidfile);
  if (other !== undefined) {
    log('error', `kleened is already running (pid ${other})`);
    return 1;
  }
  mkdirSync(dirname(paths.pidfile), { recursive: true });
  writeFileSync(paths.pidfile, `${process.pid}\n`);
  const faults = state.faults ?? {};
  if (faults.exit_on_start || config.fault === 'exit_on_start') {
    // A crash after the pidfile is written: leaves a stale pidfile, as a killed BEAM would.
    log('error', 'kleened crashed during start (sim fault exit_on_start)');
    return 1;
  }
  const target = config.sockets[0];
  let handle;
  try {
    handle = await startKleened({ ...target, statePath: paths.state, requestLogPath: paths.requestLog, log });
  } catch (e) {
    log('error', `could not listen on ${target.socket ?? `${target.tcp.host}:${target.tcp.port}`}: ${e.message}`);
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
