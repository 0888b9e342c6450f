// Waiting for kleened's API: kleened has no ping endpoint (FACTS), and `kleened daemon` returns
// before the socket answers, so we poll the cheapest read, `GET /containers/list`, until it
// answers 200 or the time is up.
import { ApiError } from '../errors.ts';
import { errorText, requestKleened } from './http.ts';

/** Resolves once `GET /containers/list` on `socket` answers 200; rejects with ApiError `api-wait-timeout` after `timeoutMs`, naming the last error. */
export async function waitForApi(socket: string, timeoutMs: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let last = 'no answer';
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) break;
    // Each try gets at most what is left (and 2 s), so a socket that accepts and never answers
    // cannot eat the whole budget in one go.
    const attempt = AbortSignal.timeout(Math.max(1, Math.min(left, 2000)));
    try {
      const answer = await requestKleened(socket, 'GET', '/containers/list', undefined,
        opts.signal ? AbortSignal.any([attempt, opts.signal]) : attempt);
      if (answer.status === 200) return;
      last = `HTTP ${answer.status}: ${errorText(answer)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    const pause = Math.min(delay, deadline - Date.now());
    if (pause <= 0) break;
    await new Promise((r) => setTimeout(r, pause));
    delay = Math.min(delay * 2, 500);
  }
  const secs = Math.round(timeoutMs / 100) / 10;
  throw new ApiError('api-wait-timeout', `kleened's API at ${socket} did not answer within ${secs} s: ${last}`);
}
