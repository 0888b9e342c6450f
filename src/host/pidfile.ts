// kleened's pidfile (/var/run/kleened.pid, FACTS): kleened writes its own pid there first thing
// and removes it on a clean stop; a crash leaves it naming a dead pid. Whether that process is
// alive decides whether waiting for the API can help. One read, one kill(pid, 0).
import { readFileSync } from 'node:fs';

export type KleenedProcess =
  | { state: 'alive'; pid: number }
  | { state: 'dead'; pid: number }
  | { state: 'no-pidfile' }
  | { state: 'unreadable'; error: string };

/** Reads `path` and checks whether the pid it names runs; never throws. */
export function checkPidfile(path: string): KleenedProcess {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'no-pidfile' };
    return { state: 'unreadable', error: code ?? String(err) };
  }
  const m = /^\s*([0-9]+)/.exec(text);
  if (!m) return { state: 'unreadable', error: 'it holds no pid' };
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid < 1) return { state: 'unreadable', error: 'it holds no pid' };
  try {
    process.kill(pid, 0);
    return { state: 'alive', pid };
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; only ESRCH means it is gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? { state: 'alive', pid } : { state: 'dead', pid };
  }
}
