// The kleened double's API, run in-process on a unix socket in a temp dir.
import t from 'tap';
import type { Test } from 'tap';

// Subtests are independent (own temp dir, own state, own daemon): run them side by side.
t.jobs = 4;
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { startKleened } from './kleened/server.mjs';
import { request, execStart, startContainer } from './kleened/client.ts';
import { containerId, makeState, readRequestLog, readState, simTempDir, waitFor, writeState } from '../helpers/sim-state.ts';
import type { StateSpec } from '../helpers/sim-state.ts';

async function boot(t: Test, spec: StateSpec, opts: { autostart?: boolean } = {}) {
  let removeDir = () => {};
  const dir = simTempDir((fn) => { removeDir = fn; });
  const statePath = join(dir, 'state.json');
  const socket = join(dir, 'kleened.sock');
  const requestLogPath = join(dir, 'requests.log');
  const state = makeState(spec);
  writeState(statePath, state);
  const logs: string[] = [];
  const k = await startKleened({ socket, statePath, requestLogPath, autostart: opts.autostart ?? false, log: (l, m) => logs.push(`[${l}] ${m}`) });
  t.teardown(async () => {
    await k.close();
    removeDir();
  });
  return { k, socket, statePath, requestLogPath, state, logs };
}

const fast = { start_delay_ms: 10 };

t.test('lists running containers by default and all of them only for ?all=true', async (t) => {
  const { socket, state } = await boot(t, { containers: [{ name: 'web', running: true }, { name: 'db' }] });
  const running = await request(socket, 'GET', '/containers/list');
  t.equal(running.status, 200);
  t.same(running.json.map((c: any) => c.name), ['web']);
  t.equal(running.json[0].running, true);
  t.equal(running.json[0].jid, 1);
  const all = await request(socket, 'GET', '/containers/list?all=true');
  t.same(all.json.map((c: any) => [c.name, c.running, c.jid]), [['web', true, 1], ['db', false, null]]);
  t.equal(all.json[1].id, containerId(state, 'db'));
  const allFalse = await request(socket, 'GET', '/containers/list?all=false');
  t.same(allFalse.json.map((c: any) => c.name), ['web']);
});

t.test('answers plain-text 404 for unknown routes and 4xx for requests outside the spec', async (t) => {
  const { socket } = await boot(t, {});
  const unknown = await request(socket, 'GET', '/_ping');
  t.equal(unknown.status, 404);
  t.equal(unknown.text, 'not found');
  t.match(unknown.contentType, 'text/plain');
  const badQuery = await request(socket, 'GET', '/containers/list?all=1');
  t.equal(badQuery.status, 422);
  t.match(badQuery.text, 'query all');
  const unknownKey = await request(socket, 'POST', '/exec/create', { container_id: 'x', command: ['ls'] });
  t.equal(unknownKey.status, 422);
  t.match(unknownKey.text, '/command: unknown key');
  const notJson = await request(socket, 'POST', '/exec/create', '{nope');
  t.equal(notJson.status, 400);
});

t.test('inspect resolves a name or an id prefix and answers 404 {message} otherwise', async (t) => {
  const { socket, state } = await boot(t, { containers: [{ name: 'web', volumes: ['data'], nullfs: [{ source: '/srv', destination: '/srv', read_only: true }] }] });
  const id = containerId(state, 'web');
  const byName = await request(socket, 'GET', '/containers/web/inspect');
  t.equal(byName.status, 200);
  t.equal(byName.json.container.id, id);
  t.same(byName.json.container_mountpoints, [
    { container_id: id, type: 'volume', source: 'data', destination: '/data', read_only: false },
    { container_id: id, type: 'nullfs', source: '/srv', destination: '/srv', read_only: true },
  ]);
  const byPrefix = await request(socket, 'GET', `/containers/${id.slice(0, 4)}/inspect`);
  t.equal(byPrefix.json.container.name, 'web');
  const missing = await request(socket, 'GET', '/containers/nosuch/inspect');
  t.equal(missing.status, 404);
  t.same(missing.json, { message: 'no such container' });
});

t.test('a name shared by two containers resolves to the first one', async (t) => {
  const { socket, state } = await boot(t, { containers: [{ name: 'web' }, { name: 'web' }] });
  t.not(state.containers[0]!.id, state.containers[1]!.id);
  const r = await request(socket, 'GET', '/containers/web/inspect');
  t.equal(r.json.container.id, state.containers[0]!.id);
});

t.test('stop removes the jail and answers 404 {message} for every failure', async (t) => {
  const { socket, statePath, state } = await boot(t, { containers: [{ name: 'web', running: true }, { name: 'db' }, { name: 'stuck', running: true, faults: { stop_ignore: true } }] });
  const ok = await request(socket, 'POST', '/containers/web/stop');
  t.equal(ok.status, 200);
  t.same(ok.json, { id: containerId(state, 'web') });
  t.same(readState(statePath).jails.map((j) => j.name), [containerId(state, 'stuck')]);
  const notRunning = await request(socket, 'POST', '/containers/db/stop');
  t.equal(notRunning.status, 404);
  t.same(notRunning.json, { message: 'container not running' });
  const missing = await request(socket, 'POST', '/containers/nosuch/stop');
  t.equal(missing.status, 404);
  const ignored = await request(socket, 'POST', '/containers/stuck/stop');
  t.equal(ignored.status, 200, 'stop_ignore still answers 200');
  t.ok(readState(statePath).jails.some((j) => j.name === containerId(state, 'stuck')), 'but the jail keeps running');
});

t.test('update resets left-out keys to their defaults and keeps keys sent as null', async (t) => {
  const { socket, statePath } = await boot(t, { containers: [{ name: 'a', restart_policy: 'on-startup', cmd: ['/app'] }, { name: 'b', restart_policy: 'on-startup', cmd: ['/app'] }] });
  const partial = await request(socket, 'POST', '/containers/a/update', { persist: true });
  t.equal(partial.status, 201);
  const nulls = await request(socket, 'POST', '/containers/b/update', {
    name: null, cmd: null, env: null, user: null, jail_param: null, mounts: null, public_ports: null,
    restart_policy: null, persist: true, network_driver: 'ipnet',
  });
  t.equal(nulls.status, 201);
  const s = readState(statePath);
  const [a, b] = s.containers;
  t.equal(a!.restart_policy, 'no', 'a left-out restart_policy is reset, as klee container update does');
  t.same(a!.cmd, []);
  t.equal(a!.persist, true);
  t.equal(b!.restart_policy, 'on-startup', 'explicit null keeps the value');
  t.same(b!.cmd, ['/app']);
  t.equal(b!.persist, true);
  const missing = await request(socket, 'POST', '/containers/nosuch/update', {});
  t.equal(missing.status, 404);
  t.same(missing.json, { message: 'no such container' });
});

t.test('update answers 409 and saves nothing when jail -m fails on a running container', async (t) => {
  const { socket, statePath, state } = await boot(t, { containers: [
    { name: 'web', running: true, restart_policy: 'on-startup', faults: { jail_m_fails: 'jail: web: jail_set: Operation not permitted' } },
    { name: 'idle', restart_policy: 'on-startup', faults: { jail_m_fails: true } },
  ] });
  const keep = { name: null, cmd: null, env: null, user: null, jail_param: null, mounts: null, public_ports: null, persist: false, network_driver: 'ipnet' };
  const change = await request(socket, 'POST', '/containers/web/update', { ...keep, restart_policy: 'no' });
  t.equal(change.status, 409);
  t.same(change.json, { message: 'an error ocurred while updating the container: jail: web: jail_set: Operation not permitted' });
  const s = readState(statePath);
  t.equal(s.containers[0]!.restart_policy, 'on-startup', 'nothing saved, restart_policy included');
  t.match(s.events, [{ type: 'update_failed', container: containerId(state, 'web') }]);
  const same = await request(socket, 'POST', '/containers/web/update', { ...keep, restart_policy: 'on-startup' });
  t.equal(same.status, 201, 'nothing changed: jail -m is not run');
  const stopped = await request(socket, 'POST', '/containers/idle/update', { ...keep, restart_policy: 'no' });
  t.equal(stopped.status, 201, 'a container that does not run has no jail to modify');
  t.equal(readState(statePath).containers[1]!.restart_policy, 'no');
});

t.test('a stop runs exec.stop first: the jail is gone when, and only when, the stop answers', async (t) => {
  const { socket, statePath, state, requestLogPath } = await boot(t, { containers: [{ name: 'web', running: true, faults: { stop_delay_ms: 150 } }] });
  const id = containerId(state, 'web');
  let answered = false;
  const stop = request(socket, 'POST', '/containers/web/stop').then((r) => { answered = true; return r; });
  // Sampled while exec.stop runs: the jail stays listed for stop_delay_ms.
  const t0 = Date.now();
  let goneAfter: number | undefined;
  while (!answered && goneAfter === undefined) {
    if (readState(statePath).jails.length === 0) goneAfter = Date.now() - t0;
    await new Promise((res) => setTimeout(res, 10));
  }
  if (goneAfter !== undefined) t.ok(goneAfter >= 140, `the jail was listed while exec.stop ran (gone after ${goneAfter} ms)`);
  const r = await stop;
  t.equal(r.status, 200);
  t.same(readState(statePath).jails, [], 'gone when the stop answered');
  const line = readRequestLog(requestLogPath).find((e) => e.path === `/containers/web/stop`)!;
  t.ok(line.ms! >= 140, `the stop took exec.stop's time (${line.ms} ms)`);
  const ev = readState(statePath).events.find((e) => e.type === 'stop')!;
  t.equal(ev.container, id);
  t.ok(Date.parse(String(ev.detail!.requested)) <= Date.parse(ev.time), 'requested before the jail went away');
  const again = await request(socket, 'POST', '/containers/web/stop');
  t.equal(again.status, 404, 'not running any more');
});

t.test('volumes/list returns name, dataset, mountpoint and created', async (t) => {
  const { socket } = await boot(t, { kleene_root: 'tank/k', containers: [{ name: 'web', volumes: ['data'] }], volumes: ['spare'] });
  const r = await request(socket, 'GET', '/volumes/list');
  t.same(r.json.map((v: any) => [v.name, v.dataset, v.mountpoint]), [['data', 'tank/k/volumes/data', '/tank/k/volumes/data'], ['spare', 'tank/k/volumes/spare', '/tank/k/volumes/spare']]);
  t.type(r.json[0].created, 'string');
});

t.test('exec start sends starting, closes 1001 before the jail exists, the jail comes later', async (t) => {
  const { socket, statePath, state, requestLogPath } = await boot(t, { containers: [{ name: 'web', faults: { start_delay_ms: 60, jail_delay_ms: 100 } }] });
  const id = containerId(state, 'web');
  const r = await startContainer(socket, 'web');
  t.equal(r.createStatus, 201);
  t.same(r.messages.map((m) => JSON.parse(m)), [{ msg_type: 'starting', message: '', data: '' }]);
  t.equal(r.close?.code, 1001);
  t.equal(JSON.parse(r.close!.reason).msg_type, 'closing');
  t.ok(r.ms >= 50, `the close waited for the start delay (${r.ms} ms)`);
  // Real kleened answers once `jail -c` is spawned (lib/core/exec.ex): no jail yet.
  t.same(readState(statePath).jails, [], 'no jail yet when the socket closes');
  t.same(readState(statePath).events, [], 'and no start recorded');
  const s = await waitFor('the jail', () => { const x = readState(statePath); return x.jails.length > 0 && x; });
  t.same(s.jails.map((j) => [j.name, j.path]), [[id, `/zroot/kleene/container/${id}`]]);
  t.not(s.jails[0]!.hostname, id, 'the hostname is not the id');
  t.not(s.jails[0]!.hostname, 'web', 'nor the name');
  t.same(s.events.map((e) => e.type), ['start']);
  const log = readRequestLog(requestLogPath);
  t.same(log.filter((e) => e.kind === 'http').map((e) => [e.method, e.path, e.status]), [['POST', '/exec/create', 201], ['GET', '/exec/start', 101]]);
  // the server's own record of the peer's closing handshake may land after the client is done
  t.same(log.filter((e) => e.kind === 'ws').map((e) => e.dir + ':' + (e.close ?? 'frame')).slice(0, 3), ['in:frame', 'out:frame', 'out:1001']);
  t.match(JSON.parse(log.find((e) => e.kind === 'ws' && e.dir === 'in')!.frame!), { exec_id: String, attach: false, start_container: true });
});

t.test('exec create answers 404 for an unknown container', async (t) => {
  const { socket } = await boot(t, {});
  const r = await request(socket, 'POST', '/exec/create', { container_id: 'nosuch', cmd: [], env: [], user: '', tty: false });
  t.equal(r.status, 404);
  t.type(r.json.message, 'string');
});

t.test('exec start closes 1002 for a first frame outside the spec or a 1002 fault', async (t) => {
  const { socket } = await boot(t, { containers: [{ name: 'bad', faults: { start_result: '1002', ...fast } }] });
  const garbled = await execStart(socket, '{not json');
  t.equal(garbled.close?.code, 1002);
  t.match(JSON.parse(garbled.close!.reason), { msg_type: 'error', message: /invalid json/ });
  const missingKeys = await execStart(socket, { exec_id: 'x' });
  t.equal(missingKeys.close?.code, 1002);
  t.same(missingKeys.messages, [], 'no starting message before a 1002');
  const fault = await startContainer(socket, 'bad');
  t.equal(fault.close?.code, 1002);
  t.same(fault.messages, []);
});

t.test('exec start closes 1011 with the reason when the start fails', async (t) => {
  const { socket, statePath } = await boot(t, { containers: [{ name: 'web', faults: { start_result: '1011', start_error: 'jail: exec.start failed', ...fast } }] });
  const r = await startContainer(socket, 'web');
  t.equal(JSON.parse(r.messages[0]!).msg_type, 'starting');
  t.equal(r.close?.code, 1011);
  t.same(JSON.parse(r.close!.reason), { msg_type: 'error', message: 'jail: exec.start failed', data: '' });
  t.same(readState(statePath).jails, []);
  t.same(readState(statePath).events.map((e) => e.type), ['start_failed']);
});

t.test('no_jail: 1001 as usual, then the jail never appears and only the log says why', async (t) => {
  const { socket, statePath, logs, state } = await boot(t, { containers: [{ name: 'web', faults: { ...fast, jail_delay_ms: 50 } }, { name: 'bad', faults: { start_result: 'no_jail', start_error: 'jail: mount_nullfs failed', ...fast, jail_delay_ms: 10 } }] });
  const bad = await startContainer(socket, 'bad');
  t.equal(bad.close?.code, 1001, 'a failure after the close is never reported on the socket');
  // The failure is recorded after the jail delay; a good start after it proves time has passed.
  const r = await startContainer(socket, 'web');
  t.equal(r.close?.code, 1001);
  const s = await waitFor('both outcomes', () => { const x = readState(statePath); return x.events.length >= 2 && x; });
  t.same(s.jails.map((j) => j.name), [containerId(state, 'web')], 'only web has a jail');
  t.same(s.events.map((e) => e.type).sort(), ['start', 'start_failed']);
  t.match(logs.join('\n'), /\[error\] could not start container \w+: jail: mount_nullfs failed/);
});

t.test('jail_before_close (kind mode, asked for): the jail exists when 1001 arrives', async (t) => {
  const { socket, statePath } = await boot(t, { containers: [{ name: 'web', faults: { ...fast, jail_before_close: true } }] });
  const r = await startContainer(socket, 'web');
  t.equal(r.close?.code, 1001);
  t.equal(readState(statePath).jails.length, 1);
});

t.test('no_starting_message closes a detached start with 1001 and no frame', async (t) => {
  const { socket } = await boot(t, { containers: [{ name: 'web', faults: fast }], faults: { no_starting_message: true } });
  const r = await startContainer(socket, 'web');
  t.same(r.messages, []);
  t.equal(r.close?.code, 1001);
});

t.test('an exec instance starts once; start_container false needs a running container', async (t) => {
  const { socket } = await boot(t, { containers: [{ name: 'web', faults: fast }] });
  const created = await request(socket, 'POST', '/exec/create', { container_id: 'web', cmd: [], env: [], user: '', tty: false });
  const noStart = await execStart(socket, { exec_id: created.json.id, attach: false, start_container: false });
  t.equal(noStart.close?.code, 1011);
  t.match(noStart.close!.reason, "cannot start container when 'start_container' is false.");
  const first = await execStart(socket, { exec_id: created.json.id, attach: false, start_container: true });
  t.equal(first.close?.code, 1001);
  const again = await execStart(socket, { exec_id: created.json.id, attach: false, start_container: true });
  t.equal(again.close?.code, 1011);
  t.match(again.close!.reason, 'executable already started');
  const unknown = await execStart(socket, { exec_id: 'feedfeedfeed', attach: false, start_container: true });
  t.match(unknown.close!.reason, "could not find a execution instance matching 'feedfeedfeed'");
});

t.test('a hanging start sends starting and never closes', async (t) => {
  const { socket, statePath } = await boot(t, { containers: [{ name: 'web', faults: { start_result: 'hang', ...fast } }] });
  const r = await startContainer(socket, 'web', 300);
  t.equal(r.close, undefined);
  t.equal(JSON.parse(r.messages[0]!).msg_type, 'starting');
  t.same(readState(statePath).jails, []);
});

t.test('a container deleted while starting closes 1011', async (t) => {
  const { socket, statePath, requestLogPath } = await boot(t, { containers: [{ name: 'web', faults: { start_delay_ms: 300 } }, { name: 'gone', faults: { start_result: 'deleted', ...fast } }] });
  const pending = startContainer(socket, 'web');
  // delete once the double has said `starting`, i.e. while it waits out the start delay
  while (!readRequestLog(requestLogPath).some((e) => e.kind === 'ws' && e.dir === 'out')) await new Promise((res) => setTimeout(res, 10));
  const s0 = readState(statePath);
  s0.containers = s0.containers.filter((c) => c.name !== 'web');
  writeState(statePath, s0);
  const r = await pending;
  t.equal(r.close?.code, 1011);
  t.match(r.close!.reason, 'no such container');
  const g = await startContainer(socket, 'gone');
  t.equal(g.close?.code, 1011);
  t.same(readState(statePath).containers, [], 'the deleted fault removes the container');
  t.same(readState(statePath).jails, []);
});

t.test('starting a container whose jail runs records a duplicate start', async (t) => {
  const { socket, statePath, state } = await boot(t, { containers: [{ name: 'web', running: true, faults: fast }] });
  const r = await startContainer(socket, 'web');
  t.equal(r.close?.code, 1001);
  const s = await waitFor('the duplicate start', () => { const x = readState(statePath); return x.events.length > 0 && x; });
  t.equal(s.jails.length, 1, 'no second jail');
  t.match(s.events, [{ type: 'duplicate_start', container: containerId(state, 'web'), detail: { source: 'api', jid: 1 } }]);
});

t.test('counts the most starts in flight at once', async (t) => {
  // names outside [0-9a-f]: a name like 'c' would also match an id starting with c
  const { socket, statePath } = await boot(t, { containers: ['one', 'two', 'six'].map((name) => ({ name, faults: { start_delay_ms: 80 } })) });
  // A start is in flight from the request until its jail exists.
  await Promise.all(['one', 'two'].map((n) => startContainer(socket, n)));
  await waitFor('one and two up', () => readState(statePath).jails.length === 2);
  await startContainer(socket, 'six');
  const s = await waitFor('six up', () => { const x = readState(statePath); return x.jails.length === 3 && x; });
  t.equal(s.stats.max_starts_in_flight, 2);
  t.equal(s.stats.starts_in_flight, 0);
  t.equal(s.stats.starts_total, 3);
  // Requests open to kleened: two at once, each until its answer, none left.
  t.equal(s.stats.max_start_requests_open, 2);
  t.equal(s.stats.start_requests_open, 0);
});

t.test('a start request is open until kleened answers; the jail may be created after it', async (t) => {
  // one's jail takes 1.5 s after the answer: two's start surely comes while it is being created,
  // however loaded the machine.
  const { socket, statePath } = await boot(t, { containers: [{ name: 'one', faults: { start_delay_ms: 50, jail_delay_ms: 1500 } }, { name: 'two', faults: { start_delay_ms: 50, jail_delay_ms: 400 } }] });
  // One after another: the second request begins after the first was answered, while the first
  // jail is still being created.
  await startContainer(socket, 'one');
  await startContainer(socket, 'two');
  const s = await waitFor('both up', () => { const x = readState(statePath); return x.jails.length === 2 && x; });
  t.equal(s.stats.max_start_requests_open, 1, 'one request open at a time');
  t.equal(s.stats.max_starts_in_flight, 2, 'two jails were being created at once');
});

t.test('a volume whose dataset is not mounted only warns and the jail starts anyway', async (t) => {
  const { socket, statePath, logs } = await boot(t, {
    containers: [{ name: 'web', volumes: ['data'], faults: fast }],
    datasets: { 'zroot/kleene/volumes/data': { mounted: 'no' } },
  });
  const r = await startContainer(socket, 'web');
  t.equal(r.close?.code, 1001);
  const s = await waitFor('the jail', () => { const x = readState(statePath); return x.jails.length > 0 && x; });
  t.same(s.events.map((e) => e.type), ['mount_warning', 'start']);
  t.equal(s.jails.length, 1);
  t.match(logs.join('\n'), /\[warning\] could not mount volume 'data'/);
});

t.test('global faults: api_500, api_garbage and slow_list_ms', async (t) => {
  const { socket, statePath } = await boot(t, { containers: [{ name: 'web' }] });
  const set = (faults: object) => { const s = readState(statePath); s.faults = faults; writeState(statePath, s); };
  set({ api_500: true });
  const e = await request(socket, 'GET', '/containers/list');
  t.equal(e.status, 500);
  t.same(e.json, { message: 'server error' });
  set({ api_garbage: true });
  const g = await request(socket, 'GET', '/containers/list');
  t.equal(g.status, 200);
  t.equal(g.json, undefined, 'the body is not JSON');
  set({ slow_list_ms: 150 });
  const t0 = Date.now();
  const slow = await request(socket, 'GET', '/containers/list?all=true');
  t.equal(slow.status, 200);
  t.ok(Date.now() - t0 >= 140, 'the list waited');
});

t.test('at its start it starts on-startup containers one after another and re-runs running ones', async (t) => {
  const { k, statePath, state } = await boot(t, {
    containers: [
      { name: 'web', restart_policy: 'on-startup', running: true, faults: fast },
      { name: 'db', restart_policy: 'on-startup', faults: fast },
      { name: 'manual', faults: fast },
    ],
  }, { autostart: true });
  await k.autostartDone;
  const s = await waitFor('db up', () => { const x = readState(statePath); return x.jails.length === 2 && x; });
  t.same(s.events.map((e) => [e.type, e.container]), [['duplicate_start', containerId(state, 'web')], ['start', containerId(state, 'db')]]);
  t.same(s.jails.map((j) => j.name).sort(), [containerId(state, 'web'), containerId(state, 'db')].sort());
});

t.test('serves several addresses at once, https with the configured key and certificate', async (t) => {
  const dir = simTempDir((fn) => t.teardown(fn));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=kleened'], { encoding: 'utf8' });
  if (!t.equal(gen.status, 0, `openssl makes a test certificate ${gen.stderr ?? ''}`)) return;
  const statePath = join(dir, 'state.json');
  writeState(statePath, makeState({ containers: [{ name: 'web', running: true }] }));
  const plain = join(dir, 'plain.sock');
  const secure = join(dir, 'tls.sock');
  const k = await startKleened({ statePath, autostart: false, listeners: [{ socket: plain }, { socket: secure, tls: { cert: readFileSync(cert), key: readFileSync(key) } }] });
  t.teardown(() => k.close());
  t.same((await request(plain, 'GET', '/containers/list')).json.map((c: any) => c.name), ['web']);
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ socketPath: secure, path: '/containers/list', ca: readFileSync(cert), servername: 'kleened', checkServerIdentity: () => undefined }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  t.same(JSON.parse(body).map((c: any) => c.name), ['web'], 'the same API over TLS');
  t.equal((await request(secure, 'GET', '/containers/list', undefined, 2000).catch((e: Error) => ({ status: e.message }))).status === 200, false, 'plain HTTP is refused on the TLS address');
});
