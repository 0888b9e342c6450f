// One way to bound a promise by an AbortSignal, for the layers that each need it (the executor,
// the stop, the kleened client): a request that ignores its signal must not hold its caller.

/**
 * `p`, or a rejection the moment `signal` aborts (with `reason()`, by default the signal's
 * reason); the listener is taken off again either way.
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal, reason: () => unknown = () => signal.reason): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
