// kleened's WebSocket start (`GET /exec/start`, openapi.json "ExecStartWebSocket"): the first frame
// is an ExecStartConfig; kleened answers a `starting` message, then, for `attach: false`, closes
// with 1001 once the exec instance runs detached. 1002 = the config frame was refused, 1011 = an
// error; the Close reason (or a text frame) is a WebSocketMessage saying why.
import net from 'node:net';
import type WebSocket from 'ws';
import { ApiError } from '../errors.ts';
import { tcpTarget, type KleenedAddress } from './http.ts';

// The WebSocket client is loaded on the first start only: `check`, `plan`, `stop` and a restore
// with nothing to start never pay for it. esbuild keeps the lazy module in the bundle.
let wsModule: Promise<typeof import('ws')> | undefined;
function loadWs(): Promise<typeof import('ws')> {
  wsModule ??= import('ws');
  return wsModule;
}

/** Loads the WebSocket client now (see KleenedApi.preloadStarts). */
export function preloadWs(): void {
  void loadWs();
}

/** Close code kleened uses for "started detached". */
export const CLOSE_STARTED = 1001;

/** How long a start's socket may take to finish its closing handshake once kleened's Close
 * frame has been read (the start is over by then); past it the socket is torn down, so that a
 * kleened that never closes its end cannot hold the hook's exit for ws's own 30 s. */
export const CLOSE_LINGER_MS = 1000;

/**
 * Calls `onFrame(code, reason)` when kleened's Close frame is read, which is when the start's
 * answer is known. ws emits 'close' only at the end of the closing handshake: after it has sent
 * its own Close frame, kleened has read it and closed the connection, and the end of the stream
 * has come back, a round trip through both processes' event loops (a median of 8 ms per start
 * in the bench, where the next start or a dependent's jls call waited on it). ws has no public
 * event for the frame; its Receiver (`_receiver`, a Writable set once the socket is open)
 * emits 'conclude' with the code and reason (ws 8, lib/receiver.js). Returns false when it is
 * not there (another ws): the 'close' event then ends the start, later.
 */
export function onCloseFrame(ws: WebSocket, onFrame: (code: number, reason: Buffer) => void): boolean {
  const receiver = (ws as unknown as { _receiver?: { on?: unknown } })._receiver;
  if (!receiver || typeof receiver.on !== 'function') return false;
  (receiver as NodeJS.EventEmitter).on('conclude', (code: number, reason: Buffer) => onFrame(code, reason));
  return true;
}

/**
 * A start WebSocket opened ahead of its start: upgraded, nothing sent. kleened's handler waits
 * for the first frame (the ExecStartConfig) and does no work until it comes, closing the
 * connection after 60 s idle (cowboy's idle_timeout in lib/api/exec_start.ex). `take()` hands
 * the socket over once it is open, or nothing when it cannot be (closed by kleened, failed):
 * the start then opens its own.
 */
export class OpenedStartSocket {
  private readonly ws: Promise<WebSocket | undefined>;
  private discarded = false;

  constructor(socket: KleenedAddress) {
    // Opened in the next turn: the starts decided in this one make their exec/create requests
    // first, and node writes a request only after the turn's promise callbacks, where each
    // socket's handshake request cost 0.5-0.7 ms (the sixteenth exec/create of a restore's first
    // turn, jobs 16, went out 11 ms after the first start was decided).
    this.ws = loadWs().then((mod) => new Promise<typeof mod>((next) => setImmediate(next, mod))).then((mod) => new Promise<WebSocket | undefined>((resolve) => {
      if (this.discarded) {
        resolve(undefined);
        return;
      }
      const ws = openStartSocket(socket, (mod.default ?? mod) as unknown as typeof WebSocket);
      // Until the start takes it, an error or a close only means it is not to be used.
      const gone = (): void => { ws.terminate(); resolve(undefined); };
      ws.on('error', gone);
      ws.on('close', gone);
      ws.on('unexpected-response', gone);
      ws.once('open', () => resolve(ws));
    }), () => undefined);
  }

  /** The open socket, now the caller's (waiting for its upgrade if need be); undefined when it cannot be used. */
  async take(): Promise<WebSocket | undefined> {
    const ws = await this.ws;
    if (!ws || this.discarded || ws.readyState !== ws.OPEN) {
      ws?.terminate();
      return undefined;
    }
    this.discarded = true;
    ws.removeAllListeners('error');
    ws.removeAllListeners('close');
    ws.removeAllListeners('unexpected-response');
    return ws;
  }

  /** Closes it unused. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    void this.ws.then((ws) => ws?.terminate());
  }
}

function openStartSocket(socket: KleenedAddress, WebSocketClass: typeof WebSocket): WebSocket {
  const tcp = tcpTarget(socket);
  // The URL's host is a placeholder: createConnection dials the unix socket itself, so a socket
  // path with ':' or spaces (which ws+unix: URLs cannot carry) still works.
  return new WebSocketClass('ws://localhost/exec/start', {
    createConnection: () => (tcp ? net.connect({ host: tcp.host, port: tcp.port }) : net.connect({ path: socket })),
    perMessageDeflate: false,
  });
}

/**
 * Starts exec instance `execId` detached over kleened's socket; resolves on Close 1001, rejects
 * with kleened's message otherwise or when `signal` aborts (the socket is then torn down).
 * `opened`: a socket opened ahead (OpenedStartSocket.take()), used instead of a new one.
 * `sent`: called once the start frame is out.
 */
export async function startExecDetached(socket: KleenedAddress, execId: string, signal: AbortSignal, opened?: WebSocket,
  sent?: () => void): Promise<void> {
  const mod = await loadWs();
  const WebSocketClass = (mod.default ?? mod) as unknown as typeof WebSocket;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      opened?.terminate();
      reject(new ApiError('start-timeout', 'cancelled before the WebSocket start'));
      return;
    }
    const ws = opened ?? openStartSocket(socket, WebSocketClass);
    let lastMessage = '';
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => {
      ws.terminate();
      finish(new ApiError('start-timeout', `kleened did not close the start WebSocket in time${lastMessage ? ` (last message: ${lastMessage})` : ''}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });

    // kleened's answer: the Close frame (read early, see onCloseFrame) or, failing that, the
    // 'close' event; whichever comes first decides, the other finds the start settled.
    const closed = (code: number, reason: Buffer): void => {
      if (code === CLOSE_STARTED) {
        finish();
        return;
      }
      const why = messageText(reason.toString()) || lastMessage || 'no reason given';
      finish(new ApiError('start-failed', `kleened closed the start with code ${code}: ${why}`));
    };
    let linger: NodeJS.Timeout | undefined;
    const early = (code: number, reason: Buffer): void => {
      closed(code, reason);
      linger ??= setTimeout(() => ws.terminate(), CLOSE_LINGER_MS);
    };
    const send = (): void => {
      onCloseFrame(ws, early);
      ws.send(JSON.stringify({ exec_id: execId, attach: false, start_container: true }));
      sent?.();
    };
    if (opened) send();
    else ws.on('open', send);
    ws.on('message', (data: WebSocket.RawData) => {
      const text = messageText(data.toString());
      if (text) lastMessage = text;
    });
    ws.on('unexpected-response', (_req, res) => {
      finish(new ApiError('start-refused', `kleened refused the WebSocket start: HTTP ${res.statusCode}`, res.statusCode));
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      finish(new ApiError('api-unreachable', `WebSocket start failed: ${err.code ?? err.message}`, undefined, undefined, undefined, { cause: err }));
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (linger) clearTimeout(linger);
      closed(code, reason);
    });
  });
}

/** The human part of a WebSocketMessage (`message`, else `data`), or the raw text when it is not one. */
export function messageText(raw: string): string {
  const text = raw.trim();
  if (text === '') return '';
  try {
    const v = JSON.parse(text) as { message?: unknown; data?: unknown; msg_type?: unknown };
    if (v && typeof v === 'object') {
      if (typeof v.message === 'string' && v.message !== '') return v.message;
      if (typeof v.data === 'string' && v.data !== '') return v.data;
      if (typeof v.msg_type === 'string') return v.msg_type;
    }
  } catch { /* raw output */ }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
