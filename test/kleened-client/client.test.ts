// The API client against the kleened double over a unix socket: answers parsed, kleened's
// errors carried through, every wait bounded, and every request it sends described by
// kleened's openapi.json (contract).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createKleenedClient, updateBody } from '../../src/kleened/client.ts';
import { CONTAINER_CONFIG_KEYS } from '../../src/kleened/types.ts';
import { waitForApi } from '../../src/kleened/wait-api.ts';
import { ApiError } from '../../src/errors.ts';
import { startKleened, type KleenedHandle } from '../doubles/kleened/server.mjs';
import { containerId, makeState, readRequestLog, readState, waitFor, writeState, type StateSpec } from '../helpers/sim-state.ts';
import { assertInSpec, spec } from '../helpers/openapi.ts';

interface Rig { dir: string; socket: string; statePath: string; requestLog: string; kleened: KleenedHandle }

async function rig(t: { teardown(fn: () => unknown): void }, state: StateSpec): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'kb-client-'));
  const r = { dir, socket: join(dir, 'kleened.sock'), statePath: join(dir, 'state.json'), requestLog: join(dir, 'requests.log') };
  writeState(r.statePath, makeState(state));
  const kleened = await startKleened({ socket: r.socket, statePath: r.statePath, requestLogPath: r.requestLog, autostart: false });
  t.teardown(async () => {
    await kleened.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...r, kleened };
}

const sig = (ms = 3000): AbortSignal => AbortSignal.timeout(ms);

t.test('lists every container, stopped ones too, with ids, names and policies', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', running: true }, { name: 'web', restart_policy: 'on-startup' }] });
  const api = createKleenedClient(r.socket);
  const list = await api.listContainers(sig());
  t.same(list.map((c) => [c.name, c.running, c.restart_policy]), [['db', true, 'no'], ['web', false, 'on-startup']]);
  t.same(readRequestLog(r.requestLog).map((e) => `${e.method} ${e.path} ${JSON.stringify(e.query)}`), ['GET /containers/list {"all":"true"}']);
});

t.test('inspect returns the volume mountpoints; volumes list the recorded dataset and mountpoint', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', volumes: ['data'] }] });
  const api = createKleenedClient(r.socket);
  const id = containerId(readState(r.statePath), 'db');
  const i = await api.inspectContainer(id, sig());
  t.same(i.container_mountpoints, [{ type: 'volume', source: 'data', destination: '/data', read_only: false }]);
  t.same(await api.listVolumes(sig()), [{ name: 'data', dataset: 'zroot/kleene/volumes/data', mountpoint: '/zroot/kleene/volumes/data' }]);
});

t.test('a volume\'s inspect names every container that mounts it; an unknown volume is 404', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', volumes: ['data'] }, { name: 'web', volumes: [{ name: 'data', destination: '/srv', read_only: true }] }, { name: 'api' }] });
  const api = createKleenedClient(r.socket);
  const st = readState(r.statePath);
  const v = await api.inspectVolume('data', sig());
  t.same(v.volume, { name: 'data', dataset: 'zroot/kleene/volumes/data', mountpoint: '/zroot/kleene/volumes/data' });
  t.same(v.mountpoints, [
    { container_id: containerId(st, 'db'), type: 'volume', source: 'data', destination: '/data', read_only: false },
    { container_id: containerId(st, 'web'), type: 'volume', source: 'data', destination: '/srv', read_only: true },
  ]);
  const err = await api.inspectVolume('nope', sig()).catch((e: unknown) => e);
  t.type(err, ApiError);
  t.equal((err as ApiError).status, 404);
  t.match((err as ApiError).message, /GET \/volumes\/nope\/inspect with 404: no such volume/);
  t.same(readRequestLog(r.requestLog).map((e) => `${e.method} ${e.path} ${e.status}`), ['GET /volumes/data/inspect 200', 'GET /volumes/nope/inspect 404'],
    'both requests are in openapi.json (the double answers 422 otherwise)');
});

t.test('inspect of a container that is gone rejects with kleened\'s message and status 404', async (t) => {
  const r = await rig(t, { containers: [] });
  const err = await createKleenedClient(r.socket).inspectContainer('abcdefabcdef', sig()).catch((e: unknown) => e);
  t.type(err, ApiError);
  t.equal((err as ApiError).status, 404);
  t.match((err as ApiError).message, /404: no such container/);
});

t.test('starts a container through exec create and the WebSocket, resolving on close 1001', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10 } }] });
  const id = containerId(readState(r.statePath), 'web');
  let sentCalls = 0;
  let framesWhenSent = -1;
  await createKleenedClient(r.socket).startContainer(id, sig(), undefined, () => {
    sentCalls++;
    framesWhenSent = readRequestLog(r.requestLog).filter((e) => e.kind === 'ws' && e.dir === 'out' && e.close === 1001).length;
  });
  t.equal(sentCalls, 1, 'told once that the start frame is out');
  t.equal(framesWhenSent, 0, 'before kleened closed the start');
  // kleened answers 1001 once `jail -c` is spawned: the jail exists a moment later.
  await waitFor('the jail', () => readState(r.statePath).jails.some((j) => j.name === id));
  t.pass('the jail runs');
  const log = readRequestLog(r.requestLog);
  const create = log.find((e) => e.path === '/exec/create')!;
  t.same(create.body, { container_id: id, cmd: [], env: [], user: '', tty: false });
  const first = log.find((e) => e.kind === 'ws' && e.dir === 'in' && e.frame)!;
  const frame = JSON.parse(first.frame!) as Record<string, unknown>;
  t.match(frame.exec_id, /^[0-9a-f]{12}$/, 'the exec id kleened returned');
  t.same({ ...frame, exec_id: 'X' }, { exec_id: 'X', attach: false, start_container: true }, 'detached, starting the container');
  t.ok(log.some((e) => e.kind === 'ws' && e.close === 1001), 'kleened closed with 1001');
});

t.test('a start kleened refuses rejects with kleened\'s message', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10, start_result: '1011', start_error: 'jail: web: ifconfig failed' } }] });
  const id = containerId(readState(r.statePath), 'web');
  const err = await createKleenedClient(r.socket).startContainer(id, sig()).catch((e: unknown) => e);
  t.type(err, ApiError);
  t.match((err as Error).message, /code 1011: jail: web: ifconfig failed/);
});

t.test('a start that never closes its WebSocket ends when the signal aborts', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10, start_result: 'hang' } }] });
  const id = containerId(readState(r.statePath), 'web');
  const t0 = Date.now();
  const err = await createKleenedClient(r.socket).startContainer(id, AbortSignal.timeout(300)).catch((e: unknown) => e);
  t.type(err, ApiError);
  t.equal((err as ApiError).code, 'start-timeout');
  t.ok(Date.now() - t0 < 1500, `ended in ${Date.now() - t0} ms`);
});

t.test('stop answers are checked: a stopped jail resolves, a missing container rejects', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', running: true }] });
  const id = containerId(readState(r.statePath), 'web');
  const api = createKleenedClient(r.socket);
  await api.stopContainer(id, sig());
  t.notOk(readState(r.statePath).jails.some((j) => j.name === id));
  await t.rejects(api.stopContainer(id, sig()), /404: container not running/);
});

t.test('setting the restart policy sends every other ContainerConfig field as null and keeps them', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', restart_policy: 'on-startup', cmd: ['/usr/local/bin/app'], jail_param: ['allow.raw_sockets=true'] }] });
  const id = containerId(readState(r.statePath), 'web');
  const api = createKleenedClient(r.socket);
  const summary = (await api.listContainers(sig()))[0]!;
  await api.setRestartPolicy(summary, 'no', sig());
  const c = readState(r.statePath).containers[0]!;
  t.equal(c.restart_policy, 'no');
  t.same(c.cmd, ['/usr/local/bin/app'], 'cmd kept');
  t.same(c.jail_param, ['allow.raw_sockets=true'], 'jail_param kept');
  const body = readRequestLog(r.requestLog).find((e) => e.path?.endsWith('/update'))!.body as Record<string, unknown>;
  t.same(Object.keys(body).sort(), Object.keys(spec().components.schemas.ContainerConfig.properties).sort(), 'every field is sent');
  // network_driver may not be null in the spec: it carries the current value.
  t.same(Object.entries(body).filter(([, v]) => v !== null).sort(), [['network_driver', 'ipnet'], ['restart_policy', 'no']]);
});

t.test('updateBody covers exactly the ContainerConfig fields of the spec', async (t) => {
  t.same([...CONTAINER_CONFIG_KEYS].sort(), Object.keys(spec().components.schemas.ContainerConfig.properties).sort());
  t.same(updateBody({ persist: true }).persist, true);
});

t.test('answers that are not JSON or are 500 reject with a clear error', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web' }] });
  const api = createKleenedClient(r.socket);
  const s = readState(r.statePath);
  writeState(r.statePath, { ...s, faults: { api_garbage: 'hello <html>' } });
  await t.rejects(api.listContainers(sig()), { code: 'api-garbage', message: /not JSON: hello <html>/ });
  writeState(r.statePath, { ...s, faults: { api_500: true } });
  await t.rejects(api.listContainers(sig()), { code: 'api-status', message: /500: server error/ });
});

t.test('a missing socket rejects at once with the path', async (t) => {
  const api = createKleenedClient('/nonexistent/kleened.sock');
  await t.rejects(api.listContainers(sig()), { code: 'api-unreachable', message: /\/nonexistent\/kleened.sock: ENOENT/ });
});

t.test('waitForApi returns as soon as the API answers and gives up after its timeout', async (t) => {
  const r = await rig(t, { containers: [] });
  const t0 = Date.now();
  await waitForApi(r.socket, 2000);
  t.ok(Date.now() - t0 < 500);
  const t1 = Date.now();
  await t.rejects(waitForApi(join(r.dir, 'nothing.sock'), 400), { code: 'api-wait-timeout', message: /did not answer within 0.4 s: .*ENOENT/ });
  const took = Date.now() - t1;
  t.ok(took >= 350 && took < 1500, `gave up after ${took} ms`);
});

t.test('a socket that accepts and never answers cannot hold waitForApi past its timeout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-silent-'));
  const socket = join(dir, 'silent.sock');
  const held: Socket[] = [];
  const server = createServer((s) => { held.push(s); });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(async () => {
    for (const s of held) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const t0 = Date.now();
  await t.rejects(waitForApi(socket, 500), { code: 'api-wait-timeout', message: /did not answer within 0.5 s: kleened did not answer GET \/containers\/list in time/ });
  t.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
});

t.test('contract: every request the client sends exists in openapi.json with that method and shape', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', volumes: ['data'], running: true }, { name: 'web', restart_policy: 'on-startup', faults: { start_delay_ms: 5 } }] });
  const api = createKleenedClient(r.socket);
  const s = readState(r.statePath);
  const db = containerId(s, 'db');
  const web = containerId(s, 'web');
  await api.listContainers(sig());
  await api.inspectContainer(db, sig());
  await api.listVolumes(sig());
  await api.startContainer(web, sig());
  await api.stopContainer(db, sig());
  await api.setRestartPolicy({ id: web, network_driver: 'ipnet' }, 'no', sig());
  await waitForApi(r.socket, 1000);
  const log = readRequestLog(r.requestLog);
  const http = log.filter((e) => e.kind === 'http');
  t.same(http.map((e) => `${e.method} ${e.path}`), [
    'GET /containers/list', `GET /containers/${db}/inspect`, 'GET /volumes/list', 'POST /exec/create', 'GET /exec/start',
    `POST /containers/${db}/stop`, `POST /containers/${web}/update`, 'GET /containers/list',
  ]);
  for (const e of http) {
    const q = new URLSearchParams(e.query ?? {}).toString();
    const path = `${e.path}${q ? `?${q}` : ''}`;
    // The WebSocket's shape is its first frame (openapi.json documents it as the request body).
    const body = e.upgrade ? JSON.parse(log.find((w) => w.kind === 'ws' && w.conn === e.conn && w.dir === 'in' && w.frame)!.frame!) : e.body;
    t.doesNotThrow(() => assertInSpec(e.method!, path, body), `${e.method} ${path}`);
    t.ok(e.status! < 400, `${e.method} ${path} answered ${e.status}`);
  }
});

t.test('a prepared start: its exec instance and socket are made ahead, and the start sends only the frame on them', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10 } }] });
  const id = containerId(readState(r.statePath), 'web');
  const api = createKleenedClient(r.socket);
  const p = api.prepareStart!(id);
  await waitFor('the exec instance and the upgrade', () => {
    const log = readRequestLog(r.requestLog);
    return log.some((e) => e.path === '/exec/create') && log.some((e) => e.path === '/exec/start' && e.status === 101);
  });
  t.equal(readState(r.statePath).stats.starts_total, 0, 'nothing started yet');
  await api.startContainer(id, sig(), p);
  const log = readRequestLog(r.requestLog);
  t.equal(log.filter((e) => e.path === '/exec/create').length, 1, 'no second exec instance');
  t.equal(log.filter((e) => e.kind === 'http' && e.path === '/exec/start').length, 1, 'no second socket');
  t.ok(log.some((e) => e.kind === 'ws' && e.close === 1001), 'started');
  t.equal(readState(r.statePath).stats.execs_unused, 0);
  t.equal(await p.discard().then(() => readRequestLog(r.requestLog).some((e) => /\/stop$/.test(e.path ?? ''))), false, 'discarding a used one does nothing');
});

t.test('a prepared start discarded while kleened has not answered its exec/create yet still destroys the instance', async (t) => {
  // Mutation: cutting the exec/create short on discard (aborting its request) leaves the
  // instance kleened already made: execs_unused stays 1.
  const r = await rig(t, { containers: [{ name: 'web' }], faults: { exec_create_delay_ms: 300 } });
  const id = containerId(readState(r.statePath), 'web');
  const p = createKleenedClient(r.socket).prepareStart!(id);
  await waitFor('the exec instance made, its answer not sent yet', () => readState(r.statePath).stats.execs_unused === 1);
  await p.discard();
  await waitFor('the instance destroyed', () => readState(r.statePath).stats.execs_unused === 0, { timeoutMs: 5000 });
  t.equal(readState(r.statePath).stats.execs_destroyed, 1);
});

t.test('a prepared start cancelled before its frame gives up its exec instance: none is left in kleened', async (t) => {
  // The start is cancelled while kleened has not answered the prepared exec/create yet. Mutation:
  // the start's catch not giving the prepared start up (client.ts) leaves execs_unused at 1.
  const r = await rig(t, { containers: [{ name: 'web' }], faults: { exec_create_delay_ms: 300 } });
  const id = containerId(readState(r.statePath), 'web');
  const api = createKleenedClient(r.socket);
  const p = api.prepareStart!(id);
  const err = await api.startContainer(id, AbortSignal.timeout(50), p).catch((e: unknown) => e);
  t.match(err, { code: 'start-timeout' }, 'the start says it was cancelled');
  await waitFor('the instance destroyed', () => readState(r.statePath).stats.execs_destroyed === 1, { timeoutMs: 5000 });
  t.equal(readState(r.statePath).stats.execs_unused, 0, 'none left in kleened');
  t.equal(readState(r.statePath).stats.starts_total, 0, 'and nothing started');
});

t.test('a discarded prepared start closes its socket and destroys its exec instance', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web' }] });
  const id = containerId(readState(r.statePath), 'web');
  const api = createKleenedClient(r.socket);
  const p = api.prepareStart!(id);
  await waitFor('the exec instance', () => readState(r.statePath).stats.execs_unused === 1);
  await p.discard();
  // The double logs a request once it has answered it: the entry may come a moment after.
  const isStop = (e: { kind: string; path?: string }) => e.kind === 'http' && /^\/exec\/[0-9a-f]+\/stop$/.test(e.path ?? '');
  await waitFor('the exec stop in the log', () => readRequestLog(r.requestLog).some(isStop));
  const stop = readRequestLog(r.requestLog).find(isStop);
  t.same(stop && { status: stop.status, query: stop.query }, { status: 200, query: { force_stop: 'false', stop_container: 'false' } });
  assertInSpec('POST', stop!.path! + '?force_stop=false&stop_container=false', undefined);
  t.equal(readState(r.statePath).stats.execs_unused, 0, 'none left in kleened');
  t.equal(readState(r.statePath).stats.starts_total, 0, 'and nothing started');
  await waitFor('the socket closed', () => readRequestLog(r.requestLog).some((e) => e.kind === 'ws' && e.dir === 'in' && e.close !== undefined));
  t.pass('the socket was closed');
});
