// Is kleened there? The hook's first question, answered fast: when kleened's pidfile
// names no live process and the API does not answer at once, kleened is not running and waiting
// cannot help: the run ends at once, saying how to start it and where its log is. Only while
// kleened's process is alive (starting, or hung) does the hook wait, bounded by
// kleene_containers_wait_timeout. The answer that ends the wait is the container list the run
// needs anyway (GET /containers/list?all=true): it is not asked twice.
import { chooseAddress, type AddressChoice } from '../kleened/address.ts';
import type { ContainerSummary } from '../kleened/types.ts';
import type { KleenedProcess } from '../host/pidfile.ts';
import { hostPath, since, type HookContext } from './context.ts';
import { sleep } from './sleep.ts';
import { monoMs } from '../host/clock.ts';

/** One try at the API when no kleened process is alive: a unix socket nobody listens on refuses at once. */
export const DOWN_TRY_MS = 400;
/**
 * How long "no pidfile" may mean "kleened is starting": `kleened daemon` returns before the Erlang
 * VM has written /var/run/kleened.pid (FACTS, kleened's start order), so a restore run right after
 * it finds neither pidfile nor socket for a moment. A pidfile naming a dead pid (a crash) gets no
 * grace. Fail fast stays under a second and a half; a starting kleened is then waited for.
 */
export const NO_PIDFILE_GRACE_MS = 1000;
/** The longest single try while kleened's process is alive (a hung socket cannot eat the whole wait). */
const ALIVE_TRY_MS = 2000;

/** kleened cannot be used for this run; `message` is the reason every container gets. */
export class KleenedUnavailable extends Error {
  /** The cause is a file of this host that exists but cannot be read: an error, never just "down". */
  unreadable = false;
}
KleenedUnavailable.prototype.name = 'KleenedUnavailable';

/** The address of kleened's API for this run: kleened_socket, else config.yaml (under the context's root). */
export async function resolveAddress(ctx: HookContext): Promise<AddressChoice> {
  // Messages name the host's path (/usr/local/etc/kleened/config.yaml); the read is under the root.
  const choice = await chooseAddress(ctx.kleenedSocket, ctx.files.config, (p) => ctx.deps.readText(hostPath(ctx, p)));
  if (choice.fatal) {
    const e = new KleenedUnavailable(choice.problem!);
    e.unreadable = choice.unreadable ?? false;
    throw e;
  }
  if (choice.problem) ctx.notes.push(`warning: ${choice.problem}`);
  return choice.address.startsWith('/') ? { ...choice, address: hostPath(ctx, choice.address) } : choice;
}

function processText(p: KleenedProcess, pidfile: string): string {
  switch (p.state) {
    case 'no-pidfile': return `no pidfile ${pidfile}`;
    case 'dead': return `${pidfile} names pid ${p.pid}, which is gone`;
    case 'unreadable': return `${pidfile} unreadable: ${p.error}`;
    default: return `pid ${p.pid}`;
  }
}

/**
 * Waits for kleened's API and resolves to its container list. Rejects with KleenedUnavailable at
 * once when no kleened process is alive and the API does not answer, after `timeoutMs` while one
 * is alive, and at once when the API answers with an error (it is up, and broken).
 */
export async function awaitKleened(ctx: HookContext, address: string, timeoutMs: number): Promise<ContainerSummary[]> {
  const { deps, files } = ctx;
  const t0 = monoMs();
  const pidfile = hostPath(ctx, files.pidfile);
  const api = deps.api(address);
  const fix = `start it with \`service kleened start\`; its log is ${files.log}`;
  let delay = 50;
  let last = 'no answer';
  let proc = deps.kleenedProcess(pidfile);
  // Something accepted the connection and did not answer in time: a process listens there
  // (a kleened whose pidfile is missing, busy), so it is waited for as a live one, bounded.
  let listening = false;
  for (;;) {
    const alive = proc.state === 'alive' || listening;
    const left = timeoutMs - (monoMs() - t0);
    // AbortSignal.timeout takes whole milliseconds only.
    const budget = Math.max(1, Math.ceil(Math.min(left, alive ? ALIVE_TRY_MS : DOWN_TRY_MS)));
    try {
      const list = await api.listContainers(AbortSignal.timeout(budget));
      ctx.onEvent({ type: 'kleened-up', at: since(ctx), waitedMs: Math.round(monoMs() - t0), address });
      return list;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // An HTTP answer (an error status, or a body that is not a container list): kleened is up
      // and broken; waiting will not change its answer.
      if (e.code === 'api-status' || e.code === 'api-garbage' || e.code === 'api-not-found') throw new KleenedUnavailable(e.message ?? String(err));
      last = e.message ?? String(err);
      if (e.code === 'api-timeout') listening = true;
    }
    proc = deps.kleenedProcess(pidfile);
    const starting = proc.state === 'no-pidfile' && monoMs() - t0 < Math.min(NO_PIDFILE_GRACE_MS, timeoutMs);
    if (proc.state !== 'alive' && !listening && !starting) {
      throw new KleenedUnavailable(`kleened is not running (${processText(proc, pidfile)}; ${last}): ${fix}`);
    }
    const now = monoMs() - t0;
    if (now >= timeoutMs) {
      const who = proc.state === 'alive' ? `kleened runs as ${processText(proc, pidfile)}` : `something listens there; ${processText(proc, pidfile)}`;
      throw new KleenedUnavailable(`kleened's API at ${address} did not answer within ${Math.round(timeoutMs / 100) / 10} s (${who}): ${last}; see ${files.log}`);
    }
    await sleep(Math.min(delay, timeoutMs - now));
    delay = Math.min(delay * 2, 250);
  }
}
