// The bench's reference restorer: the naive parallel restorer kleene-boot is measured
// against, never shipped. It reads the hook's rc.conf variables (kleene_containers_list, _jobs,
// _<name>_depend, _start_timeout, kleened_socket), lists kleened's containers once, then starts
// every listed container that does not run, longest chain of dependents first, at most `jobs` at
// once, each with POST /exec/create and the WebSocket /exec/start, as soon as its listed
// dependencies have started. It does less than kleene-boot on purpose: no wait for the API, no
// jls, no zfs, no volume checks, no inspect, no check that a jail really runs after Close 1001,
// no report to syslog. Prints `name: started` or `name: failed (why)` per container; exits 1
// when any failed.
//   kleened_socket=/var/run/kleened.sock kleene_containers_list='db web' node bench/reference-restore.mjs
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';

const env = process.env;
const socket = env.kleened_socket || '/var/run/kleened.sock';
const jobs = Math.max(1, Number(env.kleene_containers_jobs) || 4);
const timeoutMs = (Number(env.kleene_containers_start_timeout) || 60) * 1000;
const list = (env.kleene_containers_list ?? '').split(/\s+/).filter(Boolean);
const varPart = (name) => name.replace(/[^A-Za-z0-9_]/g, '_');
const deps = new Map(list.map((name) => [name,
  (env[`kleene_containers_${varPart(name)}_depend`] ?? '').split(/\s+/).filter((d) => d && d !== name && list.includes(d))]));

const agent = new http.Agent({ keepAlive: true, socketPath: socket });

/** One JSON request to kleened; resolves with [status, parsed body]. */
function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ agent, socketPath: socket, method, path, headers: payload === undefined ? {}
      : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        try { resolve([res.statusCode, JSON.parse(text)]); } catch { resolve([res.statusCode, text]); }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** exec/create then the WebSocket start; resolves on Close 1001, rejects otherwise. */
async function start(id) {
  const [status, v] = await request('POST', '/exec/create', { container_id: id, cmd: [], env: [], user: '', tty: false });
  if (status !== 201 || typeof v?.id !== 'string') throw new Error(`exec/create answered ${status}: ${v?.message ?? v}`);
  await new Promise((resolve, reject) => {
    const ws = new WebSocket('ws://localhost/exec/start', { createConnection: () => net.connect({ path: socket }), perMessageDeflate: false });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('start timed out')); }, timeoutMs);
    let last = '';
    ws.on('open', () => ws.send(JSON.stringify({ exec_id: v.id, attach: false, start_container: true })));
    ws.on('message', (d) => { last = d.toString(); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (code === 1001) resolve();
      else reject(new Error(`closed with ${code}: ${reason.toString() || last}`));
    });
  });
}

/** Length of the longest chain of dependents below each container (itself counted). */
function heights() {
  const dependents = new Map(list.map((n) => [n, []]));
  for (const [n, ds] of deps) for (const d of ds) dependents.get(d).push(n);
  const h = new Map();
  const visiting = new Set();
  const height = (n) => {
    if (h.has(n)) return h.get(n);
    if (visiting.has(n)) return 0; // a cycle: its members never become ready, reported below
    visiting.add(n);
    const v = 1 + Math.max(0, ...dependents.get(n).map(height));
    visiting.delete(n);
    h.set(n, v);
    return v;
  };
  for (const n of list) height(n);
  return { h, dependents };
}

async function main() {
  let containers;
  try {
    const [status, v] = await request('GET', '/containers/list?all=true');
    if (status !== 200 || !Array.isArray(v)) throw new Error(`containers/list answered ${status}`);
    containers = v;
  } catch (e) {
    for (const n of list) process.stdout.write(`${n}: failed (kleened: ${e.message})\n`);
    return 1;
  }
  const byKey = new Map();
  for (const c of containers) { byKey.set(c.id, c); byKey.set(c.name, c); }
  const { h, dependents } = heights();
  const order = new Map(list.map((n, i) => [n, i]));
  const unmet = new Map(list.map((n) => [n, deps.get(n).length]));
  const ready = list.filter((n) => unmet.get(n) === 0);
  const done = new Set();
  let failed = 0;
  let running = 0;

  await new Promise((finish) => {
    const settle = (name, ok, why) => {
      done.add(name);
      process.stdout.write(ok ? `${name}: ${why ?? 'started'}\n` : `${name}: failed (${why})\n`);
      if (!ok) {
        failed++;
        for (const d of dependents.get(name)) if (!done.has(d)) settle(d, false, `dependency ${name} failed`);
        return;
      }
      for (const d of dependents.get(name)) if (unmet.set(d, unmet.get(d) - 1).get(d) === 0 && !done.has(d)) ready.push(d);
    };
    const pump = () => {
      ready.sort((a, b) => h.get(b) - h.get(a) || order.get(a) - order.get(b));
      while (running < jobs && ready.length > 0) {
        const name = ready.shift();
        if (done.has(name)) continue;
        const c = byKey.get(name);
        if (!c) { settle(name, false, 'no such container'); continue; }
        if (c.running) { settle(name, true, 'already running'); continue; }
        running++;
        start(c.id).then(() => settle(name, true), (e) => settle(name, false, e.message)).finally(() => {
          running--;
          pump();
        });
      }
      if (running === 0 && ready.length === 0) {
        for (const n of list) if (!done.has(n)) settle(n, false, 'dependency cycle');
        finish();
      }
    };
    pump();
  });
  agent.destroy();
  return failed > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`reference-restore: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
