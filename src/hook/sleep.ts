import { monoMs } from '../host/clock.ts';
/** Waits `ms`, or less when `signal` aborts first; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * An AbortSignal that aborts with a TimeoutError after `ms`. Unlike AbortSignal.timeout its
 * timer keeps the process alive: a start that waits on nothing else must still end in a
 * "timed out" result, not in node exiting early with nothing reported. Call `clear` when done.
 */
export function deadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  return { signal: ac.signal, clear: () => clearTimeout(timer) };
}

/**
 * What a run waits by: the time now (ms, as monoMs()) and a deadline. The hook uses the
 * real one; tests inject a virtual clock to assert a bound from both sides without waiting.
 */
export interface Clock {
  now(): number;
  deadline(ms: number): { signal: AbortSignal; clear: () => void };
}

export const realClock: Clock = { now: () => monoMs(), deadline };
