// The kleened double as a program: `kleened daemon` forks and returns at once, the server keeps
// a pidfile, logs, stops cleanly on SIGTERM, and at its start re-runs on-startup containers.
import t from 'tap';
import { until } from '../helpers/wait.ts';
import type { Test } from 'tap';

// Subtests are independent (own temp dir, own state, own daemon): run them side by side.
t.jobs = 4;
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { request } from './kleened/client.ts';
import { KLEENED_BIN, containerId, kleenedConfigYaml, makeState, prepareSimDir, readState, simTempDir } from '../helpers/sim-state.ts';
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

const waitFor = (what: string, cond: () => boolean, ms = 5000): Promise<void> => until(what, cond, ms, 20);

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
  // The socket file appears at bind(), a moment before listen(): a connect in between is refused.
  let list: Awaited<ReturnType<typeof request>> | undefined;
  for (const end = Date.now() + 5000; !list && Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    list = await request(d.socket, 'GET', '/containers/list').catch(() => undefined);
  }
  t.same(list?.json.map((c: any) => c.name), ['web']);
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

t.test('a bad config: daemon still returns 0, the server exits with a log line and a stale pidfile', async (t) => {
  const cfg = kleenedConfigYaml('http:///unused.sock').replace(/^api_listening_sockets:\n.*\n/m, '');
  const d = setup(t, {}, cfg);
  const r = await run(['daemon'], d.env);
  t.equal(r.code, 0);
  await waitFor('error in the log', () => logOf(d).includes('[error]'));
  t.match(logOf(d), /\[error\] invalid configuration file: required key 'api_listening_sockets' missing/);
  // kleened writes its pidfile before it reads config.yaml: the VM halts and leaves it behind.
  t.ok(existsSync(d.pidfile), 'the pidfile was written before the config was read');
  await waitFor('exit', () => !alive(pidOf(d)));
  t.ok(existsSync(d.pidfile), 'and names a dead pid');
  t.notOk(existsSync(d.socket));
});

t.test('no pidfile for a moment after `kleened daemon` returns; pidfile before the API listens', async (t) => {
  const d = setup(t, { faults: { pidfile_delay_ms: 300, listen_delay_ms: 300 } });
  const r = await run(['daemon'], d.env);
  t.equal(r.code, 0);
  t.notOk(existsSync(d.pidfile), 'the VM has not written the pidfile yet');
  await waitFor('pidfile', () => existsSync(d.pidfile));
  t.notOk(existsSync(d.socket), 'the pidfile is there before the API listens');
  await waitFor('socket', () => existsSync(d.socket));
  t.equal((await request(d.socket, 'GET', '/volumes/list')).status, 200);
});

t.test('every api_listening_sockets entry is served, from any YAML layout', async (t) => {
  const d = setup(t, { containers: [{ name: 'web', running: true }] });
  const second = `${d.dir}/second.sock`;
  // flow style, comments and a stale file at the second path (kleened deletes it)
  writeFileSync(d.configPath, [
    '# kleened configuration',
    '{kleene_root: zroot/kleene, pf_config_template_path: /usr/local/etc/kleened/pf.conf.kleene,',
    ' pf_config_path: /etc/pf.conf, enable_logging: true, log_level: debug,',
    ` api_listening_sockets: [{address: "http://${d.socket}"}, {address: 'http://${second}'}, {address: http://127.0.0.1:0}]}`,
    '',
  ].join('\n'));
  writeFileSync(second, 'stale');
  await run(['daemon'], d.env);
  await waitFor('log', () => (logOf(d).match(/listening on/g) ?? []).length === 3 || logOf(d).includes('[error]'));
  t.notMatch(logOf(d), /\[error\]/);
  for (const socket of [d.socket, second]) {
    t.same((await request(socket, 'GET', '/containers/list')).json.map((c: any) => c.name), ['web'], socket);
  }
  t.match(logOf(d), /listening on http:\/\/127\.0\.0\.1:0/);
});

t.test('kleened eval initialize_host: dry run reports, the real run loads, sets and creates', async (t) => {
  const d = setup(t, { datasets: { 'zroot/kleene/image': null, 'zroot/kleene/volumes': null } });
  // kldstat/kldload/sysrc shims keep their files under /var/run and /etc: only on a SimHost;
  // here a PATH of stand-ins records what the double ran.
  const bin = `${d.dir}/bin`;
  mkdirSync(bin);
  writeFileSync(`${bin}/kldstat`, `#!/bin/sh\ngrep -qx "$3" ${d.dir}/loaded 2>/dev/null || [ "$3" = zfs ]\n`, { mode: 0o755 });
  writeFileSync(`${bin}/kldload`, `#!/bin/sh\necho "$1" >> ${d.dir}/loaded\n`, { mode: 0o755 });
  writeFileSync(`${bin}/sysrc`, `#!/bin/sh\ncase "$1" in -n) sed -n "s/^$2=//p" ${d.dir}/rc.conf 2>/dev/null ;; *) echo "$1" >> ${d.dir}/rc.conf ;; esac\n`, { mode: 0o755 });
  writeFileSync(`${d.dir}/rc.conf`, 'zfs_enable=YES\n');
  const env = { ...d.env, PATH: `${bin}:${d.env.PATH}` };
  const dry = await run(['eval', 'Kleened.Core.Config.initialize_host(%{dry_run: true})'], env);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /kernel module zfs: loaded\nkernel module pf: not loaded, would load it\nkernel module pflog: not loaded, would load it\n/);
  t.match(dry.stdout, /rc\.conf zfs_enable: YES\nrc\.conf pf_enable: not YES, would set it\n/);
  t.match(dry.stdout, /dataset zroot\/kleene\/image: missing, would create it/);
  t.notOk(existsSync(`${d.dir}/loaded`), 'the dry run loaded nothing');
  t.notOk(readState(d.statePath).datasets.some((x) => x.name === 'zroot/kleene/image'), 'and created nothing');
  const init = await run(['eval', 'Kleened.Core.Config.initialize_host(%{dry_run: false})'], env);
  t.equal(init.code, 0, init.stderr);
  t.equal(readFileSync(`${d.dir}/loaded`, 'utf8'), 'pf\npflog\n');
  t.equal(readFileSync(`${d.dir}/rc.conf`, 'utf8'), 'zfs_enable=YES\npf_enable=YES\npflog_enable=YES\n');
  t.ok(['zroot/kleene/image', 'zroot/kleene/volumes'].every((n) => readState(d.statePath).datasets.some((x) => x.name === n)));
  const other = await run(['eval', 'IO.puts(1)'], env);
  t.equal(other.code, 1);
  t.match(other.stderr, /UndefinedFunctionError/);
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
  // the API answers while the on-startup loop still runs
  await waitFor('socket', () => existsSync(d.socket));
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
