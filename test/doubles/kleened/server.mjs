// The kleened double's API server: kleened's HTTP API (openapi.json) on a unix socket, backed by
// the shared sim state (state.mjs) so the jls/zfs/jexec shims see the same jails.
// Behaviour follows kleened 0.1.1 (see /work/shared/kleened/FACTS.md and lib/api/*.ex):
// - lookups take a name OR an id prefix, first match wins (names are not unique);
// - `GET /containers/list` lists all only for the literal `?all=true`;
// - stop answers 404 {"message"} for every failure;
// - update resets every key the body leaves out to its ContainerConfig default (explicit null =
//   unchanged), which is how `klee container update` loses restart_policy;
// - exec start is a WebSocket: first frame ExecStartConfig, a `starting` message, Close 1001 once
//   a detached start is done; 1002 for a bad first frame, 1011 for an error;
// - at its own start it starts every on-startup container one after another and, when the jail
//   already runs, runs the command again (recorded as a `duplicate_start` event).
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { appendFileSync, mkdirSync, unlinkSync, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { WebSocketServer } from 'ws';
import { checkRequest, loadSpec } from './openapi.mjs';
import {
  DEFAULT_JAIL_DELAY_MS, DEFAULT_START_DELAY_MS, DEFAULT_STOP_DELAY_MS, delayMs, findContainer, jailHostname, jailOf, jailPath, mutateState, pushEvent,
  randomId, readState, statePathFromEnv,
} from './state.mjs';

const DETACHED_OK = 'succesfully started execution instance in detached mode'; // sic, kleened's text

/** A WebSocketMessage (kleened's protocol frame) as JSON text. */
function wsMessage(msgType, message = '', data = '') {
  return JSON.stringify({ msg_type: msgType, message, data });
}

/** Close reasons are limited to 123 bytes (RFC 6455 control frames), in cowboy as in `ws`:
 * shorten the message field of a WebSocketMessage until the JSON fits. */
function closeReason(text) {
  if (Buffer.byteLength(text) <= 123) return text;
  const obj = JSON.parse(text);
  while (Buffer.byteLength(JSON.stringify(obj)) > 123 && obj.message.length > 0) obj.message = obj.message.slice(0, -1);
  return JSON.stringify(obj);
}

// The double's one abort signal lives as long as the double: a sleep that ends takes its
// listener off it again (else every start and stop of a run left one behind, and node warned of
// a leak once eleven were there).
const sleep = (ms, signal) => new Promise((resolve) => {
  if (signal?.aborted) return resolve();
  const onAbort = () => { clearTimeout(t); resolve(); };
  const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** ContainerConfig keys with their defaults; keys without a default (name) stay unchanged
 * when left out, as kleened's cast leaves them nil. `image` is ignored by update. */
function configDefaults() {
  const props = loadSpec().components.schemas.ContainerConfig.properties;
  return Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
}

/** ContainerSummary for the list endpoint. */
function summary(state, c) {
  const jail = jailOf(state, c.id);
  const [imageName, imageTag] = String(c.image).split(':');
  return {
    id: c.id, name: c.name, image_id: c.image_id, image_name: imageName, image_tag: imageTag ?? 'latest',
    cmd: c.cmd, env: c.env, user: c.user, jail_param: c.jail_param, network_driver: c.network_driver,
    public_ports: c.public_ports, restart_policy: c.restart_policy, persist: c.persist,
    created: c.created, dataset: c.dataset, running: Boolean(jail), jid: jail ? jail.jid : null,
  };
}

function containerView(state, c) {
  const jail = jailOf(state, c.id);
  return {
    id: c.id, name: c.name, image_id: c.image_id, cmd: c.cmd, env: c.env, user: c.user,
    jail_param: c.jail_param, network_driver: c.network_driver, public_ports: c.public_ports,
    restart_policy: c.restart_policy, persist: c.persist, created: c.created, dataset: c.dataset,
    running: Boolean(jail),
  };
}

/**
 * Starts the double in this process. Resolves once it listens (or at once under the
 * `never_listen` fault). Never throws for container faults: those become API answers.
 * @param {object} opts
 * @param {string} [opts.socket] unix socket path to listen on
 * @param {{host?: string, port: number}} [opts.tcp] TCP address instead of a socket
 * @param {string} [opts.statePath] sim state file (default env KLEENE_SIM_STATE)
 * @param {string} [opts.requestLogPath] JSON-lines request log (default: none)
 * @param {(level: string, msg: string) => void} [opts.log] daemon log sink
 * @param {boolean | Promise<unknown>} [opts.autostart] start on-startup containers like kleened does
 *   (default true); a promise: once it resolves (a test holding kleened's on-startup loop until its
 *   client has looked, however slow the machine)
 */
export async function startKleened(opts = {}) {
  const statePath = opts.statePath ?? statePathFromEnv();
  const log = opts.log ?? (() => {});
  const requestLogPath = opts.requestLogPath;
  const execs = new Map();
  const abort = new AbortController();
  // Every start, stop and delay in progress waits on it at once: 64 starts at jobs 64 are no leak.
  setMaxListeners(0, abort.signal);
  const sockets = new Set();
  let seq = 0;
  let conn = 0;

  let closed = false;
  const record = (entry) => {
    // after close() the test may already have removed the log's directory: do not recreate it
    if (!requestLogPath || closed) return;
    const line = JSON.stringify({ time: new Date().toISOString(), t_ms: Date.now(), seq: ++seq, ...entry });
    try {
      mkdirSync(dirname(requestLogPath), { recursive: true });
      appendFileSync(requestLogPath, line + '\n');
    } catch (e) {
      log('error', `cannot write request log ${requestLogPath}: ${e.message}`);
    }
  };

  const faults = () => readState(statePath).faults ?? {};

  /** Mount check kleened does at start: a volume that cannot be nullfs-mounted only warns. */
  function mountWarnings(state, c) {
    const warnings = [];
    for (const m of c.mounts ?? []) {
      if (m.type !== 'volume') continue;
      const vol = state.volumes.find((v) => v.name === m.source);
      if (!vol) { warnings.push(`volume '${m.source}' not found, not mounted at ${m.destination}`); continue; }
      const ds = state.datasets.find((d) => d.name === vol.dataset);
      if (!ds || ds.mounted !== 'yes') warnings.push(`could not mount volume '${m.source}' (${vol.dataset} is not mounted) at ${m.destination}: starting the jail anyway`);
    }
    return warnings;
  }

  /** Background `jail -c` runs and stops in progress, awaited by close(). */
  const pending = new Set();
  const track = (p) => { pending.add(p); p.finally(() => pending.delete(p)); return p; };

  /**
   * Starts container `id` (already resolved) the way kleened's Exec.start does. Resolves when
   * kleened answers (the moment the WebSocket closes): after `start_delay_ms` (kleened's work
   * until `jail -c` is spawned) with
   * - `spawned`: `jail -c` runs on; the jail appears `jail_delay_ms` later (or never, under
   *   `start_result: 'no_jail'`): kleened already answered, a later failure is only logged;
   * - `started`: the jail already exists (only under the kind `jail_before_close` fault);
   * - `duplicate`: the jail ran already, the command ran again inside it;
   * - `error` (1011) / `aborted` (the double closed).
   * Under `hang` it resolves only when the double closes.
   */
  async function startContainer(id, source) {
    let c = findContainer(readState(statePath), id);
    if (!c) return { result: 'error', message: `no such container ${id}` };
    const f = c.faults ?? {};
    const g = faults();
    const kind = Boolean(f.jail_before_close ?? g.jail_before_close);
    // close_before_jail + 1011 was the old spelling of "the jail never appears".
    const jailFails = f.start_result === 'no_jail' || (f.start_result === '1011' && f.close_before_jail === true);
    mutateState(statePath, (s) => {
      s.stats.starts_total++;
      s.stats.starts_in_flight++;
      s.stats.max_starts_in_flight = Math.max(s.stats.max_starts_in_flight, s.stats.starts_in_flight);
    });
    let counted = true;
    const done = (r) => {
      if (counted && !closed) mutateState(statePath, (s) => { s.stats.starts_in_flight = Math.max(0, s.stats.starts_in_flight - 1); });
      counted = false;
      return r;
    };
    try {
      await sleep(delayMs(f.start_delay_ms, DEFAULT_START_DELAY_MS), abort.signal);
      if (abort.signal.aborted) return done({ result: 'aborted', message: 'kleened stopped' });
      if (f.start_result === 'hang') {
        log('info', `starting container ${id}: hangs (sim fault)`);
        await sleep(2 ** 31 - 1, abort.signal);
        return done({ result: 'aborted', message: 'kleened stopped' });
      }
      const r = mutateState(statePath, (s) => {
        c = findContainer(s, id);
        if (f.start_result === 'deleted' && c) {
          s.containers = s.containers.filter((x) => x.id !== id);
          s.jails = s.jails.filter((j) => j.name !== id);
          c = undefined;
        }
        if (!c || c.id !== id) {
          pushEvent(s, 'start_failed', id, { source, reason: 'container removed while starting' });
          return { result: 'error', message: `no such container ${id}` };
        }
        if (f.start_result === '1011' && !jailFails) {
          const message = f.start_error ?? `jail: ${id}: failed to start`;
          pushEvent(s, 'start_failed', id, { source, reason: message });
          log('error', `could not start container ${id}: ${message}`);
          return { result: 'error', message };
        }
        const running = jailOf(s, id);
        if (running) {
          // kleened does not check: it jexec's the container's command into the live jail.
          pushEvent(s, 'duplicate_start', id, { source, jid: running.jid, cmd: c.cmd });
          log('warning', `container ${id} already running (jid ${running.jid}): running its command again`);
          return { result: 'duplicate', jid: running.jid };
        }
        for (const w of mountWarnings(s, c)) {
          pushEvent(s, 'mount_warning', id, { source, message: w });
          log('warning', w);
        }
        if (!kind) return { result: 'spawned' };
        return { result: 'started', jid: createJail(s, c, source) };
      });
      if (r.result !== 'spawned') return done(r);
      log('info', `starting container ${id} (${c.name}): jail -c spawned`);
      // `jail -c` runs on after kleened answered; its outcome only reaches the log.
      track((async () => {
        await sleep(delayMs(f.jail_delay_ms, DEFAULT_JAIL_DELAY_MS), abort.signal);
        if (abort.signal.aborted) return done(undefined);
        mutateState(statePath, (s) => {
          const now = findContainer(s, id);
          if (!now || now.id !== id) {
            pushEvent(s, 'start_failed', id, { source, reason: 'container removed while starting' });
          } else if (jailFails) {
            const message = f.start_error ?? `jail: ${id}: failed to create jail`;
            pushEvent(s, 'start_failed', id, { source, reason: message, after_close: true });
            log('error', `could not start container ${id}: ${message}`);
          } else if (jailOf(s, id)) {
            // Two starts raced before the first jail existed: the command runs twice.
            const running = jailOf(s, id);
            pushEvent(s, 'duplicate_start', id, { source, jid: running.jid, cmd: now.cmd, while_starting: true });
            log('warning', `container ${id} was started twice (jid ${running.jid})`);
          } else {
            createJail(s, now, source);
          }
        });
        done(undefined);
      })());
      return r;
    } catch (e) {
      return done({ result: 'error', message: String(e.message ?? e) });
    }
  }

  /** Creates the jail of container `c` in state `s` (jail name = id) and records the start. */
  function createJail(s, c, source) {
    const jid = s.next_jid++;
    s.jails.push({ name: c.id, jid, path: jailPath(s, c.id), hostname: jailHostname(c), ipv4: '' });
    pushEvent(s, 'start', c.id, { source, jid });
    log('info', `started container ${c.id} (${c.name}) as jail ${jid}`);
    return jid;
  }

  /** Stops in progress, by container id: a second stop request waits for the first. */
  const stopping = new Map();

  /** kleened's container stop: `jail -r` runs exec.stop (/bin/sh /etc/rc.shutdown in the jail)
   * for `stop_delay_ms`, then the jail is removed and only then the request answers. */
  async function stopContainer(idOrName) {
    const state = readState(statePath);
    const c = findContainer(state, idOrName);
    if (!c) return { status: 404, message: 'no such container' };
    if (stopping.has(c.id)) return stopping.get(c.id);
    if (!jailOf(state, c.id)) return { status: 404, message: 'container not running' };
    if (c.faults?.stop_ignore) {
      mutateState(statePath, (s) => { pushEvent(s, 'stop_ignored', c.id); });
      return { status: 200, id: c.id };
    }
    const requested = new Date().toISOString();
    // A jail whose exec.stop never ends: kleened's stop request never answers (until kleened stops).
    if (c.faults?.stop_hang) {
      mutateState(statePath, (s) => { pushEvent(s, 'stop_hung', c.id, { requested }); });
      log('info', `stopping container ${c.id} (${c.name}): its exec.stop does not end`);
    }
    const p = track((async () => {
      await sleep(c.faults?.stop_hang ? 2 ** 31 - 1 : delayMs(c.faults?.stop_delay_ms, DEFAULT_STOP_DELAY_MS), abort.signal);
      if (abort.signal.aborted) return { status: 500, message: 'kleened stopped' };
      return mutateState(statePath, (s) => {
        s.jails = s.jails.filter((j) => j.name !== c.id);
        pushEvent(s, 'stop', c.id, { requested });
        log('info', `stopped container ${c.id} (${c.name})`);
        return { status: 200, id: c.id };
      });
    })().finally(() => stopping.delete(c.id)));
    stopping.set(c.id, p);
    return p;
  }

  // ---- HTTP ----
  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return status;
  };
  const text = (res, status, body, type = 'text/plain') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return status;
  };

  async function handle(req, res, url, body) {
    const f = faults();
    if (f.api_500) return json(res, 500, { message: 'server error' });
    if (f.api_garbage) return text(res, 200, typeof f.api_garbage === 'string' ? f.api_garbage : '<<garbage \u0000 not json', 'application/json');
    const query = url.search;
    const { operation, problems } = checkRequest(req.method, url.pathname + query, body);
    if (!operation) return text(res, 404, 'not found');
    if (operation.template === '/exec/start') return text(res, 400, 'websocket upgrade required');
    if (problems.length) {
      // OpenApiSpex CastAndValidate with json_render_error_v2 answers 422 {"errors": [...]}.
      return json(res, 422, { errors: problems.map((p) => ({ title: 'Invalid value', detail: p })) });
    }
    const key = `${operation.method} ${operation.template}`;
    const state = readState(statePath);
    const p = operation.params;
    switch (key) {
      case 'GET /containers/list': {
        if (f.slow_list_ms) await sleep(f.slow_list_ms, abort.signal);
        const s = readState(statePath);
        const all = url.searchParams.get('all') === 'true';
        return json(res, 200, s.containers.filter((c) => all || jailOf(s, c.id)).map((c) => summary(s, c)));
      }
      case 'GET /containers/{container_id}/inspect': {
        const c = findContainer(state, p.container_id);
        if (!c) return json(res, 404, { message: 'no such container' });
        return json(res, 200, {
          container: containerView(state, c),
          container_endpoints: [],
          container_mountpoints: (c.mounts ?? []).map((m) => ({ container_id: c.id, type: m.type, source: m.source, destination: m.destination, read_only: Boolean(m.read_only) })),
        });
      }
      case 'POST /containers/{container_id}/stop': {
        const r = await stopContainer(p.container_id);
        return r.status === 200 ? json(res, 200, { id: r.id }) : json(res, r.status, { message: r.message });
      }
      case 'POST /containers/{container_id}/update': {
        const defaults = configDefaults();
        const r = mutateState(statePath, (s) => {
          const c = findContainer(s, p.container_id);
          if (!c) return { status: 404, message: 'no such container' };
          if (c.faults?.update_409) return { status: 409, message: typeof c.faults.update_409 === 'string' ? c.faults.update_409 : 'error processing update' };
          const before = { restart_policy: c.restart_policy };
          const next = structuredClone(c);
          for (const k of Object.keys(loadSpec().components.schemas.ContainerConfig.properties)) {
            if (k === 'image') continue; // "The image property is ignored."
            if (k in body) { if (body[k] !== null) next[k] = body[k]; } else if (k in defaults) next[k] = structuredClone(defaults[k]);
          }
          // lib/core/container.ex update_: when anything changed and the jail runs, kleened
          // runs `jail -m name=<id> <jail_param...>`; if that fails it answers 409 and saves
          // nothing, restart_policy included.
          const jail = jailOf(s, c.id);
          if (jail && c.faults?.jail_m_fails && JSON.stringify(next) !== JSON.stringify(c)) {
            const why = typeof c.faults.jail_m_fails === 'string' ? c.faults.jail_m_fails : `jail: ${c.id}: jail_set: Operation not permitted`;
            pushEvent(s, 'update_failed', c.id, { body, reason: why });
            log('error', `/usr/sbin/jail -m name=${c.id} failed: ${why}`);
            return { status: 409, message: `an error ocurred while updating the container: ${why}` };
          }
          Object.assign(c, next);
          pushEvent(s, 'update', c.id, { body, before, after: { restart_policy: c.restart_policy } });
          return { status: 201, id: c.id };
        });
        return r.status === 201 ? json(res, 201, { id: r.id }) : json(res, r.status, { message: r.message });
      }
      case 'DELETE /containers/{container_id}': {
        const r = mutateState(statePath, (s) => {
          const c = findContainer(s, p.container_id);
          if (!c) return undefined;
          s.containers = s.containers.filter((x) => x.id !== c.id);
          s.jails = s.jails.filter((j) => j.name !== c.id);
          pushEvent(s, 'remove', c.id);
          return c.id;
        });
        return r ? json(res, 200, { id: r }) : json(res, 404, { message: 'no such container' });
      }
      case 'GET /volumes/list':
        return json(res, 200, state.volumes.map((v) => ({ name: v.name, dataset: v.dataset, mountpoint: v.mountpoint, created: v.created })));
      case 'GET /volumes/{volume_name}/inspect': {
        // kleened looks a volume up by its exact name (no prefix match, unlike containers) and
        // lists every container's mount of it from its metadata, whether the container runs or not.
        const v = state.volumes.find((x) => x.name === p.volume_name);
        if (!v) return json(res, 404, { message: 'no such volume' });
        if (v.faults?.inspect_error) return json(res, 500, { message: typeof v.faults.inspect_error === 'string' ? v.faults.inspect_error : 'server error' });
        const mountpoints = [];
        for (const c of state.containers) {
          for (const m of c.mounts ?? []) {
            if (m.type === 'volume' && m.source === v.name) mountpoints.push({ container_id: c.id, type: m.type, source: m.source, destination: m.destination, read_only: Boolean(m.read_only) });
          }
        }
        return json(res, 200, { volume: { name: v.name, dataset: v.dataset, mountpoint: v.mountpoint, created: v.created }, mountpoints });
      }
      case 'POST /exec/create': {
        const c = findContainer(state, body.container_id);
        if (!c) return json(res, 404, { message: 'container not found' });
        const id = randomId();
        execs.set(id, { id, container_id: c.id, cmd: body.cmd ?? [], env: body.env ?? [], user: body.user ?? '', tty: body.tty ?? false });
        // kleened keeps every exec instance (a GenServer in its ExecPool) until it is started
        // and its process ends, or it is stopped: one created and never started stays until
        // kleened restarts. execs_unused counts them, so that tests can say none was left.
        mutateState(statePath, (st) => { st.stats.execs_unused++; });
        // The instance exists from here on, whether or not the client waits for the answer.
        if (f.exec_create_delay_ms) await sleep(f.exec_create_delay_ms, abort.signal);
        return json(res, 201, { id });
      }
      case 'POST /exec/{exec_id}/stop': {
        // lib/core/exec.ex: an instance that never started is removed ("execution instance not
        // running, removing it anyway"); a started one stops its process (here: nothing runs
        // inside a simulated jail) or, with stop_container, its container.
        const exec = execs.get(p.exec_id);
        if (!exec) return json(res, 404, { message: `could not find a execution instance matching '${p.exec_id}'` });
        execs.delete(p.exec_id);
        mutateState(statePath, (st) => {
          if (!exec.started) st.stats.execs_unused = Math.max(0, st.stats.execs_unused - 1);
          st.stats.execs_destroyed++;
        });
        if (exec.started && url.searchParams.get('stop_container') === 'true') {
          const r = await stopContainer(exec.container_id);
          if (r.status !== 200) return json(res, r.status, { message: r.message });
        }
        return json(res, 200, { id: p.exec_id });
      }
      default:
        return json(res, 501, { message: `${key} is not implemented by the kleened double` });
    }
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://kleened');
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      let status;
      if (raw.length > 0) {
        try { body = JSON.parse(raw); } catch {
          // Plug.Parsers rejects a body it cannot decode before any route code runs.
          status = json(res, 400, { message: 'invalid JSON body' });
        }
      }
      if (status === undefined) {
        try { status = await handle(req, res, url, body); } catch (e) {
          log('error', `request ${req.method} ${req.url} crashed: ${e.stack ?? e}`);
          status = res.headersSent ? res.statusCode : json(res, 500, { message: 'server error' });
        }
      }
      record({ kind: 'http', method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: body ?? (raw.length ? raw : undefined), status, ms: Date.now() - started });
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  // ---- WebSocket /exec/start ----
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://kleened');
    const f = faults();
    if (url.pathname !== '/exec/start' || f.api_500) {
      const status = f.api_500 ? 500 : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Internal Server Error'}\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot found`);
      record({ kind: 'http', method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), status, upgrade: true });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = ++conn;
      record({ kind: 'http', method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 101, upgrade: true, conn: id });
      serveExecStart(ws, id);
    });
  });

  function serveExecStart(ws, id) {
    let handshaking = true;
    const send = (frame) => { record({ kind: 'ws', path: '/exec/start', conn: id, dir: 'out', frame }); ws.send(frame); };
    const close = (code, reason) => {
      const r = closeReason(reason);
      record({ kind: 'ws', path: '/exec/start', conn: id, dir: 'out', close: code, reason: r });
      ws.close(code, r);
    };
    ws.on('close', (code, reason) => record({ kind: 'ws', path: '/exec/start', conn: id, dir: 'in', close: code, reason: reason.toString() }));
    // kleened's handler drops a connection idle for its idle_timeout (60 s), without a Close frame.
    const idleMs = faults().start_socket_idle_ms;
    const idle = typeof idleMs === 'number' ? setTimeout(() => {
      record({ kind: 'ws', path: '/exec/start', conn: id, dir: 'out', dropped: 'idle' });
      ws.terminate();
    }, idleMs) : undefined;
    ws.on('close', () => clearTimeout(idle));
    ws.on('message', async (data, isBinary) => {
      clearTimeout(idle);
      const frame = data.toString();
      // The container a start frame is for (its exec instance's), so that a log reader can tell
      // the start (this frame) from the exec/create that may have come well before it.
      let startOf;
      if (handshaking && !isBinary) try { startOf = execs.get(JSON.parse(frame).exec_id)?.container_id; } catch { /* refused below */ }
      record({ kind: 'ws', path: '/exec/start', conn: id, dir: 'in', frame, ...(startOf ? { container_id: startOf } : {}) });
      if (!handshaking || isBinary) return; // kleened forwards later frames to the process
      handshaking = false;
      let cfg;
      try { cfg = JSON.parse(frame); } catch (e) {
        return close(1002, wsMessage('error', `invalid json: ${e.message}`));
      }
      const { problems } = checkRequest('GET', '/exec/start', cfg);
      if (problems.length) return close(1002, wsMessage('error', `invalid parameters: ${problems.join('; ')}`));
      const exec = execs.get(cfg.exec_id);
      if (!exec) return close(1011, wsMessage('error', `could not find a execution instance matching '${cfg.exec_id}'`));
      if (exec.started) return close(1011, wsMessage('error', 'executable already started'));
      const c = findContainer(readState(statePath), exec.container_id);
      if (!c || c.id !== exec.container_id) return close(1011, wsMessage('error', 'container not found'));
      if (c.faults?.start_result === '1002') return close(1002, wsMessage('error', c.faults.start_error ?? 'invalid parameters: jail configuration rejected'));
      // kleened jexec's into a running container whatever start_container says (lib/core/exec.ex).
      if (!cfg.start_container && !jailOf(readState(statePath), c.id)) {
        return close(1011, wsMessage('error', "cannot start container when 'start_container' is false."));
      }
      exec.started = true;
      mutateState(statePath, (st) => { st.stats.execs_unused = Math.max(0, st.stats.execs_unused - 1); });
      // kleened's exec_start.ex closes a detached start with 1001 and no starting message; the
      // spec and FACTS describe a starting message first. Default: the spec; the switch: the code.
      if (cfg.attach || !faults().no_starting_message) send(wsMessage('starting'));
      // What kleene_containers_jobs bounds: start requests open to kleened, from the start frame
      // to kleened's answer (the jail's own creation may run on after it: starts_in_flight).
      mutateState(statePath, (st) => {
        st.stats.start_requests_open++;
        st.stats.max_start_requests_open = Math.max(st.stats.max_start_requests_open, st.stats.start_requests_open);
      });
      let outcome;
      try {
        outcome = await startContainer(c.id, 'api');
      } finally {
        if (!closed) mutateState(statePath, (st) => { st.stats.start_requests_open = Math.max(0, st.stats.start_requests_open - 1); });
      }
      if (ws.readyState !== ws.OPEN) return;
      switch (outcome.result) {
        case 'spawned':
        case 'started':
        case 'duplicate':
          // Exec.start returns once `jail -c` is spawned: 1001 before the jail exists, and a
          // later failure of `jail -c` never reaches the client.
          if (cfg.attach) return; // attached: output would follow; the double sends none
          return close(1001, wsMessage('closing', DETACHED_OK));
        case 'aborted':
          return close(1001, wsMessage('closing', outcome.message));
        default:
          return close(1011, wsMessage('error', outcome.message));
      }
    });
  }

  // ---- lifecycle ----
  // Starts interrupted by an earlier kill are not in flight any more.
  mutateState(statePath, (s) => { s.stats.starts_in_flight = 0; s.stats.start_requests_open = 0; });
  // Every address of config.yaml's api_listening_sockets is served, each by its own listener
  // handing connections to the one HTTP server (requests and WebSocket upgrades alike).
  const listeners = [];
  const targets = opts.listeners ?? [opts.tcp ? { tcp: opts.tcp } : { socket: opts.socket }];
  const startFaults = faults();
  if (!startFaults.never_listen) {
    const wait = delayMs(startFaults.listen_delay_ms, opts.listenDelayMs ?? 0);
    if (wait > 0) {
      log('info', `starting the API listeners in ${wait} ms`);
      await sleep(wait, abort.signal);
    }
    try {
      for (const target of targets) listeners.push(await listen(target));
    } catch (e) {
      for (const l of listeners) l.close();
      throw e;
    }
  } else {
    log('info', 'not listening (sim fault never_listen)');
  }

  /** Listens on one address: {socket} (unix), {tcp: {host, port}}, either with {tls: {cert, key}}. */
  async function listen(target) {
    const accept = (sock) => server.emit('connection', sock);
    const l = target.tls ? createTlsServer({ cert: target.tls.cert, key: target.tls.key }, accept) : createNetServer(accept);
    const where = target.tcp ? `${target.tcp.host ?? '127.0.0.1'}:${target.tcp.port}` : target.socket;
    await new Promise((resolve, reject) => {
      l.once('error', reject);
      if (target.tcp) l.listen(target.tcp.port, target.tcp.host ?? '127.0.0.1', resolve);
      else {
        // sun_path holds 104 bytes on FreeBSD, 108 on Linux; Node reports a too-long path as
        // EADDRINUSE, which sends people looking for a second daemon.
        if (Buffer.byteLength(target.socket) > 103) {
          reject(new Error(`unix socket path too long (${Buffer.byteLength(target.socket)} bytes, max 103): ${target.socket}`));
          return;
        }
        mkdirSync(dirname(target.socket), { recursive: true });
        // kleened deletes a leftover file or socket at the path; a directory there is an error.
        if (existsSync(target.socket)) {
          if (statSync(target.socket).isDirectory()) { reject(new Error(`${target.socket} is a directory`)); return; }
          unlinkSync(target.socket);
        }
        l.listen(target.socket, resolve);
      }
    });
    log('info', `listening on ${target.tls ? 'https' : 'http'}://${target.tcp ? where : where}`);
    return l;
  }

  async function autostartAll() {
    const s = readState(statePath);
    for (const c of s.containers.filter((x) => x.restart_policy === 'on-startup')) {
      if (abort.signal.aborted) return;
      log('info', `starting on-startup container ${c.id} (${c.name})`);
      const r = await startContainer(c.id, 'autostart');
      if (r.result === 'error') log('error', `could not start on-startup container ${c.id}: ${r.message}`);
    }
  }
  const autostartDone = opts.autostart === false ? Promise.resolve()
    : (opts.autostart instanceof Promise ? opts.autostart.then(autostartAll) : autostartAll()).catch((e) => log('error', `autostart failed: ${e.message}`));

  return {
    server,
    /** the listeners, one per address, in config order */
    listeners,
    autostartDone,
    /** Stops listening, drops open connections and pending starts. */
    async close() {
      closed = true;
      abort.abort();
      for (const ws of wss.clients) ws.terminate();
      const closing = Promise.all(listeners.map((l) => new Promise((resolve) => {
        if (!l.listening) return resolve();
        l.close(() => resolve());
      })));
      // close() waits for every connection to end: a client's idle keep-alive connection would
      // hold it for the client's whole keep-alive time, so the open ones are dropped now.
      for (const s of sockets) s.destroy();
      await closing;
      for (const target of targets) {
        if (target.socket && existsSync(target.socket)) { try { unlinkSync(target.socket); } catch { /* gone */ } }
      }
      await autostartDone;
      await Promise.allSettled([...pending]);
    },
  };
}
