// The WebSocket start ends when kleened's Close frame is read, not when the closing handshake
// has gone round both processes; a kleened that never closes its end of the connection cannot
// keep the socket (and so the hook's exit) waiting longer than CLOSE_LINGER_MS.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ApiError } from '../../src/errors.ts';
import { createKleenedClient } from '../../src/kleened/client.ts';
import { CLOSE_LINGER_MS, startExecDetached } from '../../src/kleened/exec-start.ts';

/** A Close frame as a server sends it (unmasked): code and reason. */
function closeFrame(code: number, reason: string): Buffer {
  const body = Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);
  return Buffer.concat([Buffer.from([0x88, body.length]), body]);
}

/** The 101 answer to a WebSocket upgrade with key `key`. */
function switching(key: string): string {
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** A directory of its own, short enough for a unix socket path (tap's fixture paths are not). */
function shortDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-ws-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A kleened that upgrades, answers the first frame with a Close frame (`code`, `reason`) and then
 * neither reads the client's answer nor closes its end: the closing handshake never ends on its
 * side. Records when each connection went away.
 */
async function stubbornKleened(dir: string, code: number, reason: string) {
  const path = join(dir, 'k.sock');
  const closedAt: number[] = [];
  let open = 0;
  const conns = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (sock) => {
    conns.add(sock);
    open++;
    sock.on('close', () => { open--; closedAt.push(performance.now()); conns.delete(sock); });
    sock.on('error', () => {});
    let head = '';
    let upgraded = false;
    sock.on('data', (d) => {
      if (upgraded) {
        // The start frame: answer it, then read nothing more (the client's Close goes unanswered).
        sock.write(closeFrame(code, reason));
        sock.removeAllListeners('data');
        sock.pause();
        return;
      }
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.write(switching(/sec-websocket-key: *(\S+)/i.exec(head)![1]!));
      upgraded = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path, closedAt,
    get open() { return open; },
    close: () => new Promise<void>((resolve) => { for (const c of conns) c.destroy(); server.close(() => resolve()); }),
  };
}

async function openSocket(path: string): Promise<WebSocket> {
  const ws = new WebSocket('ws://localhost/exec/start', { createConnection: () => connect({ path }), perMessageDeflate: false });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return ws;
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([p,
  new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);

t.test('Close 1001 ends the start at once; the unfinished handshake is torn down after CLOSE_LINGER_MS, not ws\'s 30 s', async (t) => {
  const k = await stubbornKleened(shortDir(t), 1001, '');
  t.teardown(k.close);
  const ws = await openSocket(k.path);
  const wsClosed = new Promise<number>((resolve) => ws.once('close', () => resolve(performance.now())));
  // Without the Close frame read early, the start would end only with ws's own 30 s close timer.
  await within(startExecDetached(k.path, 'e1', AbortSignal.timeout(10_000), ws), 3000, 'the start\'s end');
  const resolvedAt = performance.now();
  t.equal(k.open, 1, 'the start ended while kleened still held the connection open');
  const closedAt = await within(wsClosed, 4 * CLOSE_LINGER_MS, 'the socket\'s teardown');
  const lingered = closedAt - resolvedAt;
  t.ok(lingered >= CLOSE_LINGER_MS * 0.9, `torn down no sooner than CLOSE_LINGER_MS (${Math.round(lingered)} ms)`);
  t.ok(lingered < CLOSE_LINGER_MS * 2, `torn down within twice CLOSE_LINGER_MS (${Math.round(lingered)} ms)`);
  t.equal(ws.readyState, WebSocket.CLOSED, 'the client\'s socket is gone: nothing holds the process');
});

t.test('another Close code is an error with kleened\'s reason, read from the frame too', async (t) => {
  const k = await stubbornKleened(shortDir(t), 1011, '{"msg_type":"error","message":"jail: web: ifconfig failed"}');
  t.teardown(k.close);
  const ws = await openSocket(k.path);
  const err = await within(startExecDetached(k.path, 'e1', AbortSignal.timeout(10_000), ws).catch((e: unknown) => e), 3000, 'the start\'s end');
  t.type(err, ApiError);
  t.equal((err as ApiError).code, 'start-failed');
  t.match((err as Error).message, /code 1011: jail: web: ifconfig failed/);
  t.equal(k.open, 1, 'ended before the handshake did');
  ws.terminate();
});

t.test('a start with nothing prepared opens its socket beside its exec/create, not after its answer', async (t) => {
  // This kleened answers the exec/create only once the start's upgrade has arrived: a client that
  // opened the socket after the answer (two round trips before the frame) would wait for ever.
  const path = join(shortDir(t), 'k.sock');
  let answerCreate: (() => void) | undefined;
  let upgradeBeforeAnswer = false;
  const order: string[] = [];
  const server = createHttpServer((req, res) => {
    order.push(`${req.method} ${req.url}`);
    req.resume();
    answerCreate = () => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"id":"0123456789ab"}'); };
  });
  server.on('upgrade', (req, sock: Socket) => {
    order.push(`upgrade ${req.url}`);
    upgradeBeforeAnswer = answerCreate !== undefined;
    sock.write(switching(String(req.headers['sec-websocket-key'])));
    sock.once('data', () => sock.end(closeFrame(1001, '')));
    answerCreate?.();
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  await within(createKleenedClient(path).startContainer('aaaaaaaaaaaa', AbortSignal.timeout(10_000)), 3000, 'the start');
  t.same(order, ['POST /exec/create', 'upgrade /exec/start'], 'one exec/create, one upgrade');
  t.ok(upgradeBeforeAnswer, 'the upgrade came while the exec/create was unanswered');
});
