// The `tcp:HOST:PORT` ready check: one connect attempt; the caller retries within its budget.
import net from 'node:net';

/** Resolves true when a TCP connection to host:port opens (it is closed at once), false when refused or failing; bounded by `signal`. */
export function probeTcp(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
