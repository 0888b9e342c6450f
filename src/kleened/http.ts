// HTTP/1.1 over kleened's unix socket (node:http with socketPath). One request per call, bounded by
// the caller's AbortSignal; the body is read whole (kleened's answers are small JSON documents).
import http from 'node:http';
import { ApiError } from '../errors.ts';

export interface HttpAnswer {
  status: number;
  /** Raw body text: kleened answers JSON, except for unknown routes (plain-text `not found`). */
  text: string;
}

/** Sends one request to kleened on `socket`; rejects with ApiError on transport errors or abort, never on an HTTP status. */
export function requestKleened(
  socket: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(method, path, signal));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({
      socketPath: socket,
      method,
      path,
      headers: {
        host: 'localhost',
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
      // No keep-alive pool: each boot-time call stands alone and must not hold the process open.
      agent: false,
    });
    const onAbort = (): void => {
      req.destroy(abortError(method, path, signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      if (err instanceof ApiError) reject(err);
      else reject(new ApiError('api-unreachable', `cannot reach kleened at ${socket}: ${err.code ?? err.message}`,
        undefined, { command: `${method} ${path}` }, undefined, { cause: err }));
    });
    req.on('response', (res) => {
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
