// The host-wide lock of restore, stop and adopt, decided: given what the lock file holds now,
// who asks and how long it has waited, what to do next. Two restores at once would ask kleened
// to start every container twice, and kleened runs the command of a running container again
// (FACTS); so whoever holds the lock goes alone, the rest wait, bounded. Pure: the adapter
// (src/hook/lock.ts) reads the file, checks the holder's pid, and does what this says.

/** Who holds the lock, as its file says. */
export interface LockHolder {
  pid: number;
  /** The holder's verb: restore, stop or adopt. */
  command: string;
}

/** What the lock file held when it was read; `alive` = kill(pid, 0) found the process. */
export type LockSeen =
  | { kind: 'free' }
  | { kind: 'held'; holder: LockHolder; alive: boolean }
  /** A file with no pid in it: nobody can be waited for. */
  | { kind: 'garbled' };

/** Who asks for the lock, and on what terms. */
export interface LockWant {
  pid: number;
  command: string;
  /**
   * stop: a restore that holds the lock is ended first (SIGTERM, once), as rc.d's stop ends a
   * background restore, so that it starts nothing while the containers are being stopped.
   */
  preempt: boolean;
  /** How long to wait for a live holder, in ms. */
  waitMs: number;
  /**
   * After waitMs: `refuse` does nothing (restore, adopt: nothing started twice), `proceed` goes
   * on without the lock (stop: shutdown must go on; a stop starts nothing).
   */
  onTimeout: 'refuse' | 'proceed';
}

/** The wait so far. */
export interface LockProgress {
  elapsedMs: number;
  /** The holder pid whose wait line was already said. */
  announced?: number;
  /** The holder pid already sent SIGTERM. */
  signalled?: number;
}

export type LockStep =
  /** Nobody holds it: create it (atomically; another may win, then decide again). */
  | { do: 'create' }
  /** Its holder is gone: take it over and say so. */
  | { do: 'take-over'; line: string }
  /** A restore holds it and a stop asks: SIGTERM the restore, say so, then wait. */
  | { do: 'signal'; pid: number; line: string }
  /** A live holder: poll again (saying `line` first when given). */
  | { do: 'wait'; pid: number; line?: string }
  | { do: 'refuse'; reason: string }
  | { do: 'proceed'; line: string };

const secs = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** The next step of taking the lock at `path`. Never does anything itself. */
export function decideLock(seen: LockSeen, want: LockWant, p: LockProgress, path: string): LockStep {
  if (seen.kind === 'free') return { do: 'create' };
  if (seen.kind === 'garbled') return { do: 'take-over', line: `took over ${path}: it named no holder` };
  const { holder, alive } = seen;
  const who = `pid ${holder.pid} (${holder.command})`;
  // Our own pid in it is a leftover (a pid reused since, as after a reboot with a staged root):
  // this process never waits for itself.
  if (holder.pid === want.pid) return { do: 'take-over', line: `took over ${path}: it named this process (pid ${want.pid}), left from an earlier run` };
  if (!alive) return { do: 'take-over', line: `took over ${path} from ${who}, which is gone` };
  if (p.elapsedMs >= want.waitMs) {
    const still = `${who} still holds ${path} after ${secs(want.waitMs)}`;
    return want.onTimeout === 'proceed'
      ? { do: 'proceed', line: `warning: ${still}; going on without it` }
      : { do: 'refuse', reason: still };
  }
  if (want.preempt && holder.command === 'restore' && p.signalled !== holder.pid) {
    return { do: 'signal', pid: holder.pid,
      line: `ending the restore in progress first (pid ${holder.pid}): SIGTERM, then waiting up to ${secs(want.waitMs)} for it to release ${path}` };
  }
  if (p.announced === holder.pid || p.signalled === holder.pid) return { do: 'wait', pid: holder.pid };
  return { do: 'wait', pid: holder.pid, line: `waiting up to ${secs(want.waitMs)} for ${who} to finish: it holds ${path}` };
}

/** The lock file's text: the pid, then the verb, one a line. */
export function lockText(h: LockHolder): string {
  return `${h.pid}\n${h.command}\n`;
}

/** Reads lockText's format; `garbled` when the first line is not a pid. */
export function parseLockText(text: string): { kind: 'held'; holder: LockHolder } | { kind: 'garbled' } {
  const [first, second] = text.split('\n');
  const m = /^\s*([0-9]{1,10})\s*$/.exec(first ?? '');
  const pid = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(pid) || pid < 1) return { kind: 'garbled' };
  const command = (second ?? '').trim().replace(/[^A-Za-z0-9_.-]/g, '') || 'unknown';
  return { kind: 'held', holder: { pid, command } };
}
