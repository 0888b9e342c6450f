// The host-wide lock file of restore, stop and adopt (/var/run/kleene-boot.lock under the root):
// the adapter that does what src/plan/lock.ts decides. The file is created whole and atomically
// (written to a temp file, then link(2)ed into place, which fails when the name exists), so a
// reader never sees half a lock; a holder that is gone (kill(pid, 0) fails with ESRCH) is taken
// over through rename(2), which only one of two takers can win. Released on return, on exit, and
// on SIGTERM/SIGINT through the run's own end (onTerminate below).
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { underRoot } from '../fs/root.ts';
import { decideLock, lockText, parseLockText, type LockHolder, type LockSeen, type LockWant } from '../plan/lock.ts';
import { sleep } from './sleep.ts';
import { monoMs } from '../host/clock.ts';

/** The lock on a host. */
export const LOCK_FILE = '/var/run/kleene-boot.lock';
/** Overrides the lock file's path (tests and the bench run outside a simulated host). */
export const LOCK_ENV = 'KLEENE_BOOT_LOCK';
/** How often a waiter looks at the lock again. */
export const LOCK_POLL_MS = 100;

/** The lock file for a run: $KLEENE_BOOT_LOCK when absolute, else /var/run/kleene-boot.lock under the root. */
export function lockPathFor(env: Record<string, string | undefined>, root: string): string {
  const v = env[LOCK_ENV];
  return v !== undefined && v.startsWith('/') ? v : underRoot(root, LOCK_FILE);
}

export interface HeldLock {
  path: string;
  /** Removes the lock file if it still names this process; idempotent, synchronous. */
  release(): void;
}

export type LockResult =
  /** Taken; `waitedFor`: the live holder it waited for first, if any. */
  | { held: HeldLock; waitedFor?: LockHolder }
  /** Not taken, nothing done: why (the holder, the bound). */
  | { refused: string }
  /** stop only: not taken after its bound; it goes on without it. */
  | { proceeded: true };

export interface AcquireOptions extends LockWant {
  path: string;
  /**
   * Lines about the lock: `live` ones (waiting, ending a restore) matter while it waits; the
   * others (a take-over, going on without it) are for the run's report.
   */
  say(line: string, live: boolean): void;
  /** Aborts the wait (SIGTERM while waiting): refused, nothing done. */
  signal?: AbortSignal;
}

/** Takes the lock, waiting as decideLock says; never throws for a held lock (refused instead), throws when the file cannot be written. */
export async function acquireLock(o: AcquireOptions): Promise<LockResult> {
  const me = { pid: o.pid, command: o.command };
  const t0 = monoMs();
  let announced: number | undefined;
  let signalled: number | undefined;
  let waitedFor: LockHolder | undefined;
  const taken = (): LockResult => ({ held: holdLock(o.path, o.pid), ...(waitedFor ? { waitedFor } : {}) });
  for (;;) {
    if (o.signal?.aborted) return { refused: `ended by ${String(o.signal.reason ?? 'a signal')} while waiting for ${o.path}` };
    if (tryCreate(o.path, lockText(me))) return taken();
    const seen = readLock(o.path);
    if (seen.kind === 'held' && seen.alive && seen.holder.pid !== o.pid) waitedFor ??= seen.holder;
    const step = decideLock(seen, o, { elapsedMs: monoMs() - t0, announced, signalled }, o.path);
    switch (step.do) {
      case 'create':
        continue;
      case 'take-over':
        if (takeOver(o.path, seen, lockText(me))) {
          o.say(step.line, false);
          return taken();
        }
        continue;
      case 'signal':
        o.say(step.line, true);
        signalled = step.pid;
        try { process.kill(step.pid, 'SIGTERM'); } catch { /* gone meanwhile: taken over next round */ }
        continue;
      case 'wait':
        if (step.line) o.say(step.line, true);
        announced = step.pid;
        await sleep(LOCK_POLL_MS, o.signal);
        continue;
      case 'refuse':
        return { refused: step.reason };
      case 'proceed':
        o.say(step.line, false);
        return { proceeded: true };
    }
  }
}

/** What the lock file holds now, and whether its holder runs. */
export function readLock(path: string): LockSeen {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'free' };
    throw err;
  }
  const p = parseLockText(text);
  if (p.kind === 'garbled') return p;
  return { kind: 'held', holder: p.holder, alive: pidAlive(p.holder.pid) };
}

/** kill(pid, 0): EPERM means it exists (someone else's); only ESRCH means it is gone. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file holding `text`, whole, unless it exists; true when this call created it. */
function tryCreate(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
  } catch (err) {
    // A staged root without var/run: make it, as the host has one.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(path, err);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text, { mode: 0o644 });
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(path, err);
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}

/**
 * Replaces a stale lock with ours. rename(2) moves the stale file aside, so of two takers only
 * one gets it; the file moved is checked to be the stale one seen (a taker that lost may have
 * moved the winner's fresh lock: it puts it back and waits). True when ours is in place.
 */
function takeOver(path: string, seen: LockSeen, text: string): boolean {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw lockError(path, err);
  }
  let moved = '';
  try { moved = readFileSync(aside, 'utf8'); } catch { /* read as garbled below */ }
  const same = seen.kind === 'garbled' ? parseLockText(moved).kind === 'garbled'
    : seen.kind === 'held' && lockText(seen.holder) === lockText(parseHolder(moved) ?? { pid: 0, command: '' });
  if (!same) {
    try { linkSync(aside, path); } catch { /* someone created one meanwhile: theirs stands */ }
    try { unlinkSync(aside); } catch { /* gone */ }
    return false;
  }
  try { unlinkSync(aside); } catch { /* gone */ }
  return tryCreate(path, text);
}

function parseHolder(text: string): { pid: number; command: string } | undefined {
  const p = parseLockText(text);
  return p.kind === 'held' ? p.holder : undefined;
}

function holdLock(path: string, pid: number): HeldLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    // Only our own lock: a stop that went on without it must not remove the restore's.
    const p = (() => { try { return parseHolder(readFileSync(path, 'utf8')); } catch { return undefined; } })();
    if (p?.pid === pid) {
      try { unlinkSync(path); } catch { /* gone */ }
    }
  };
  // An exit that skips the caller's finally (process.exit on a second signal) still releases it.
  process.on('exit', release);
  return { path, release };
}

function lockError(path: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  return new Error(`cannot write the lock file ${path}: ${e.code ?? e.message}`, { cause: err });
}

/** How long, after the first SIGTERM or SIGINT, a run may take to end before the process exits anyway. */
export const TERM_EXIT_MS = 10_000;

/**
 * Routes SIGTERM and SIGINT to `onSignal` (the run ends itself: nothing more started, its report
 * and record written, the lock released) instead of killing the process at once. Bounded: TERM_EXIT_MS
 * after the first signal, or at a second one, the process exits (the lock is released on exit).
 * Returns the function that puts the default handling back.
 */
export function onTerminate(onSignal: (signal: NodeJS.Signals) => void): () => void {
  let first: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    const code = 128 + (sig === 'SIGINT' ? 2 : 15);
    if (first !== undefined) process.exit(code);
    first = sig;
    // unref: a run that ends in time exits normally.
    setTimeout(() => process.exit(code), TERM_EXIT_MS).unref();
    onSignal(sig);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.removeListener('SIGTERM', handler);
    process.removeListener('SIGINT', handler);
  };
}
