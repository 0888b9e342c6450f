// HTTP/1.1 to kleened: over its unix socket (an address that is a path) or a plain TCP listener
// (`http://host:port`, from config.yaml). One keep-alive connection pool per address, so a
// restore's list, inspects and exec/create reuse connections instead of opening one each
// (a connection per request cost a connect per container); closeKleenedConnections() ends them so they never hold the process open. Each call
// is bounded by the caller's AbortSignal; the body is read whole (kleened answers small JSON).
import http from 'node:http';
import { ApiError } from '../errors.ts';

export interface HttpAnswer {
  status: number;
  /** Raw body text: kleened answers JSON, except for unknown routes (plain-text `not found`). */
  text: string;
}

/** Where kleened's API is: a unix socket path, or `http://HOST:PORT`. */
export type KleenedAddress = string;

/** The TCP host and port of an `http://HOST:PORT` address, or undefined for a unix socket path. */
export function tcpTarget(address: KleenedAddress): { host: string; port: number } | undefined {
  const m = /^http:\/\/(\[[^\]]+\]|[^/:]+):([0-9]{1,5})\/?$/.exec(address);
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

const agents = new Map<string, http.Agent>();

function agentFor(address: KleenedAddress): http.Agent {
  let a = agents.get(address);
  if (!a) {
    a = new http.Agent({ keepAlive: true, maxSockets: 32 });
    agents.set(address, a);
  }
  return a;
}

/** Closes every pooled connection to kleened (at the end of a run). */
export function closeKleenedConnections(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/** Sends one request to kleened at `address`; rejects with ApiError on transport errors or abort, never on an HTTP status. */
export function requestKleened(
  address: KleenedAddress,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal: AbortSignal,
  opts: { fresh?: boolean } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(method, path, signal));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const tcp = tcpTarget(address);
    // servername is tls's option, which node's http agent reads too (see below).
    const options: http.RequestOptions & { servername: string } = {
      // servername '' (no TLS here): node's agent otherwise derives one from the Host header
      // through isIP(), whose IPv6 pattern cost the first request 4 ms (bench profile).
      ...(tcp ? { host: tcp.host, port: tcp.port } : { socketPath: address }),
      servername: '',
      method,
      path,
      headers: {
        host: 'localhost',
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
      // Polls while kleened comes up use a fresh connection each: a pooled one may be a dead
      // connection to the kleened that was there before.
      agent: opts.fresh ? false : agentFor(address),
    };
    const req = http.request(options);
    const onAbort = (): void => {
      req.destroy(abortError(method, path, signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let answered = false;
    req.on('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      // A pooled connection that kleened closed as idle just as this request went out on it (its
      // keep-alive timeout; cowboy's is 60 s): the request never reached kleened. Node's own
      // advice is to send it again; once, on a connection of its own. Seen in the bench as a
      // container of 500 failing with ECONNRESET.
      if (req.reusedSocket && !answered && !opts.fresh && !signal.aborted && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        resolve(requestKleened(address, method, path, body, signal, { fresh: true }));
        return;
      }
      if (err instanceof ApiError) reject(err);
      else reject(new ApiError('api-unreachable', `cannot reach kleened at ${address}: ${err.code ?? err.message}`,
        undefined, { command: `${method} ${path}` }, undefined, { cause: err }));
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => { /* reported through req's error */ });
      res.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(payload);
  });
}

function abortError(method: string, path: string, signal: AbortSignal): ApiError {
  const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
  return new ApiError(timedOut ? 'api-timeout' : 'api-aborted',
    timedOut ? `kleened did not answer ${method} ${path} in time` : `${method} ${path} was cancelled`,
    undefined, { command: `${method} ${path}` });
}

/** kleened's error text from an answer body: `{"message": …}` when it is JSON, else the text itself (trimmed, short). */
export function errorText(answer: HttpAnswer): string {
  try {
    const v = JSON.parse(answer.text) as unknown;
    if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
      return (v as { message: string }).message;
    }
  } catch { /* not JSON */ }
  const t = answer.text.trim().replace(/\s+/g, ' ');
  return t === '' ? `HTTP ${answer.status}` : t.slice(0, 200);
}
