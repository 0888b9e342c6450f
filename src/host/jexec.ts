// jexec(8): runs an `exec:` ready check inside a container's jail. sh -c because the check is a
// command line the administrator wrote in rc.conf (kleene_containers_<name>_ready).
import { runTool } from './run.ts';

/** Runs `jexec JAIL /bin/sh -c COMMAND`; resolves with its exit status (rejects when it cannot run, times out or is cancelled). */
export async function execInJail(jexec: string, jail: string, command: string, opts: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<number> {
  const r = await runTool(jexec, [jail, '/bin/sh', '-c', command], opts);
  return r.exitCode;
}
