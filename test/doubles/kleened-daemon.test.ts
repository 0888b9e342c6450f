// The kleened double as a program: `kleened daemon` forks and returns at once, the server keeps
// a pidfile, logs, stops cleanly on SIGTERM, and at its start re-runs on-startup containers.
import t from 'tap';
import type { Test } from 'tap';

// Subtests are independent (own temp dir, own state, own daemon): run them side by side.
t.jobs = 4;
import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { request } from './kleened/client.ts';
import { KLEENED_BIN, containerId, makeState, prepareSimDir, readState, simTempDir } from '../helpers/sim-state.ts';
import type { SimDir, StateSpec } from '../helpers/sim-state.ts';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(KLEENED_BIN, args, { env, timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Alive and not a zombie (an orphan may wait to be reaped by a non-reaping PID 1). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pidOf = (d: SimDir) => Number(readFileSync(d.pidfile, 'utf8').trim());
const logOf = (d: SimDir) => (existsSync(d.logPath) ? readFileSync(d.logPath, 'utf8') : '');

/** Sim dir plus a teardown that kills the daemon this test started (by its pidfile's pid). */
function setup(t: Test, spec: StateSpec, configText?: string): SimDir {
  let removeDir = () => {};
  const d = prepareSimDir(simTempDir((fn) => { removeDir = fn; }), makeState(spec), { configText });
  t.teardown(() => {
    // kill first: a live server would recreate its log directory
    if (existsSync(d.pidfile)) {
      const pid = pidOf(d);
      if (alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.mjs')) process.kill(pid, 'SIGKILL');
    }
    removeDir();
  });
  return d;
}

t.test('kleened daemon returns at once; the server writes its pidfile and serves the socket', async (t) => {
  const d = setup(t, { containers: [{ name: 'web', running: true }] });
  const r = await run(['daemon'], d.env);
  t.equal(r.code, 0);
  t.equal(r.stdout + r.stderr, '');
  await waitFor('pidfile', () => existsSync(d.pidfile));
  await waitFor('socket', () => existsSync(d.socket));
  const pid = pidOf(d);
  t.ok(alive(pid), 'the pidfile names the running server');
  t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'main.mjs');
  const list = await request(d.socket, 'GET', '/containers/list');
  t.same(list.json.map((c: any) => c.name), ['web']);
  t.match(logOf(d), /\[info\] listening on http:\/\/\//);
});

t.test('SIGTERM stops the server cleanly: pidfile and socket removed', async (t) => {
  const d = setup(t, {});
  await run(['daemon'], d.env);
  await waitFor('socket', () => existsSync(d.socket));
  const pid = pidOf(d);
  process.kill(pid, 'SIGTERM');
  await waitFor('exit', () => !alive(pid));
  t.notOk(existsSync(d.pidfile), 'pidfile removed');
  t.notOk(existsSync(d.socket), 'socket removed');
  t.match(logOf(d), /kleened stopped/);
});

t.test('the ignore_sigterm fault keeps the server running after SIGTERM', async (t) => {
  const d = setup(t, { faults: { ignore_sigterm: true } });
  await run(['daemon'], d.env);
  await waitFor('socket', () => existsSync(d.socket));
  const pid = pidOf(d);
  process.kill(pid, 'SIGTERM');
  await waitFor('log line', () => logOf(d).includes('SIGTERM ignored'));
  t.ok(alive(pid));
  t.equal((await request(d.socket, 'GET', '/volumes/list')).status, 200);
});

t.test('a bad config: daemon still returns 0, the server exits with a log line and no pidfile', async (t) => {
  const d = setup(t, {}, 'kleene_root: zroot/kleene\nenable_logging: true\n');
  const r = await run(['daemon'], d.env);
  t.equal(r.code, 0);
  await waitFor('error in the log', () => logOf(d).includes('[error]'));
  t.match(logOf(d), /\[error\] invalid configuration file: required key 'api_listening_sockets' missing/);
  await new Promise((res) => setTimeout(res, 100));
  t.notOk(existsSync(d.pidfile));
  t.notOk(existsSync(d.socket));
});

t.test('a missing config is logged the same way', async (t) => {
  const d = setup(t, {});
  const r = await run(['start'], { ...d.env, KLEENED_SIM_CONFIG: `${d.dir}/nope.yaml` });
  t.equal(r.code, 1, 'the foreground server exits 1');
  t.match(logOf(d), /\[error\] could not read configuration file .*nope\.yaml: no such file/);
});

t.test('exit_on_start leaves a stale pidfile; never_listen runs without a socket', async (t) => {
  const crash = setup(t, { faults: { exit_on_start: true } });
  t.equal((await run(['daemon'], crash.env)).code, 0);
  await waitFor('crash log', () => logOf(crash).includes('crashed'));
  await waitFor('pidfile', () => existsSync(crash.pidfile));
  await waitFor('exit', () => !alive(pidOf(crash)));
  t.ok(existsSync(crash.pidfile), 'the pidfile outlives the process');

  const mute = setup(t, { faults: { never_listen: true } });
  await run(['daemon'], mute.env);
  await waitFor('log', () => logOf(mute).includes('not listening'));
  t.ok(alive(pidOf(mute)));
  t.notOk(existsSync(mute.socket));
});

t.test('at start it re-runs the command of an on-startup container whose jail survived', async (t) => {
  const spec: StateSpec = {
    containers: [
      { name: 'web', restart_policy: 'on-startup', running: true, faults: { start_delay_ms: 10 } },
      { name: 'db', restart_policy: 'on-startup', faults: { start_delay_ms: 10 } },
    ],
  };
  const d = setup(t, spec);
  await run(['daemon'], d.env);
  await waitFor('two starts', () => readState(d.statePath).events.length >= 2);
  const s = readState(d.statePath);
  const state = makeState(spec);
  t.same(s.events.map((e) => [e.type, e.container, e.detail?.source]), [
    ['duplicate_start', containerId(state, 'web'), 'autostart'],
    ['start', containerId(state, 'db'), 'autostart'],
  ]);
  t.match(logOf(d), /\[warning\] container [0-9a-f]{12} already running \(jid 1\): running its command again/);
});

t.test('the release script has no ping and cannot stop a running node', async (t) => {
  const d = setup(t, {});
  const ping = await run(['ping'], d.env);
  t.equal(ping.code, 1);
  t.match(ping.stderr, /Unknown command ping\nUsage: kleened COMMAND/);
  const stop = await run(['stop'], d.env);
  t.equal(stop.code, 1);
  t.match(stop.stderr, 'RPC failed with reason :nodedown');
  const version = await run(['version'], d.env);
  t.equal(version.stdout, 'kleened 0.1.1\n');
});

t.test('a second server refuses to start while the first one runs', async (t) => {
  const d = setup(t, {});
  await run(['daemon'], d.env);
  await waitFor('socket', () => existsSync(d.socket));
  const first = pidOf(d);
  const second = await run(['start'], d.env);
  t.equal(second.code, 1);
  t.match(logOf(d), `[error] kleened is already running (pid ${first})`);
  t.equal(pidOf(d), first, 'the pidfile still names the first server');
  t.equal((await request(d.socket, 'GET', '/volumes/list')).status, 200);
});
