// Ready checks (kleene_containers_<name>_ready): `started` is met by the start itself;
// `tcp:` and `exec:` are retried until they pass or the container's start budget runs out.
import type { ReadyCheck } from '../model/config.ts';
import type { HookDeps } from './deps.ts';
import { sleep } from './sleep.ts';

const RETRY_MS = 200;

/** Resolves once `check` passes for the container whose jail is `jail`; rejects when `signal` aborts first, naming the last failure. */
export async function waitReady(check: ReadyCheck, jail: string, jexec: string, deps: Pick<HookDeps, 'execInJail' | 'probeTcp'>,
  signal: AbortSignal): Promise<void> {
  if (check.kind === 'started') return;
  let last = 'not checked yet';
  while (!signal.aborted) {
    if (check.kind === 'tcp') {
      if (await deps.probeTcp(check.host, check.port, signal)) return;
      last = `tcp:${check.host}:${check.port} refused or unreachable`;
    } else {
      try {
        const code = await deps.execInJail(jexec, jail, check.command, { timeoutMs: 10_000, signal });
        if (code === 0) return;
        last = `exec:${check.command} exited ${code}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
    }
    await sleep(RETRY_MS, signal);
  }
  throw new NotReadyError(`not ready: ${last}`);
}

export class NotReadyError extends Error {}
NotReadyError.prototype.name = 'NotReadyError';
