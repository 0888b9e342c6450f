// Seeing started jails in jls, batched: kleened closes the start WebSocket with 1001 once
// `jail -c` is spawned, so a started container counts as up for its dependents only once its
// jail is seen. One jls call answers every container waiting at that moment.
//
// Latency: a want that something needs now (an urgent one: a dependent waits for it) starts a
// jls call at once, in the same turn of the event loop as the other 1001s of that turn, even
// while an older call is still running: a call that began before the 1001 cannot be the one
// that says "not there yet", so waiting for it and then for another would cost up to two jls
// round trips. Once the jail exists, it is confirmed within one jls round trip after the 1001.
// A want that nothing needs yet (a container no one waits on) starts no call of its own: any
// call answers it, the run asks for one when it has nothing else to do (flush), and a slow poll
// bounds its wait. Cost: at most one jls call per batch of 1001s of one event-loop turn, plus
// one poll per POLL_MS while a jail that is needed has not appeared yet.
import { monoMs } from '../host/clock.ts';

/** Pause between jls calls while a needed jail has not appeared yet. */
export const POLL_MS = 100;
/** Longest a want that nothing needs waits for a jls call (none urgent, the run still busy). */
export const LAZY_POLL_MS = 500;

/** `seen`, or not seen by the deadline; `error` when jls itself failed (no evidence either way). */
export type JailAnswer = { seen: true } | { seen: false; error?: string };

interface Want {
  deadline: number;
  urgent: boolean;
  /** Calls begun before this want arrived; only a later call can say its jail is missing. */
  after: number;
  resolve: (a: JailAnswer) => void;
}

export class JailWatch {
  private readonly wants = new Map<string, Want[]>();
  private begun = 0;
  private inFlight = 0;
  private kickQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerUrgent = false;
  /** jls calls made, for tests and the run record. */
  calls = 0;

  constructor(private readonly listJails: () => Promise<string[]>, private readonly now: () => number = () => monoMs()) {}

  /**
   * Resolves once jail `id` is seen, or with `seen: false` when `deadline` (a now() value)
   * passes first. `urgent`: something waits on it now, so a jls call starts at once.
   */
  want(id: string, deadline: number, urgent = true): Promise<JailAnswer> {
    return new Promise((resolve) => {
      (this.wants.get(id) ?? this.wants.set(id, []).get(id)!).push({ deadline, urgent, after: this.begun, resolve });
      if (urgent) this.queueCall();
      else this.arm(false);
    });
  }

  /** Every want pending now becomes urgent (the run has nothing else to wait for). */
  flush(): void {
    let any = false;
    for (const ws of this.wants.values()) for (const w of ws) if (!w.urgent) { w.urgent = true; any = true; }
    if (any) this.queueCall();
  }

  /** One call for every urgent want of this event-loop turn. */
  private queueCall(): void {
    if (this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      // Only wants that no call begun after them can answer need a new one.
      let needed = false;
      for (const ws of this.wants.values()) for (const w of ws) if (w.urgent && w.after === this.begun) needed = true;
      if (needed) void this.call();
    });
  }

  /** Sets the poll timer: POLL_MS while an urgent want waits, LAZY_POLL_MS for the others. */
  private arm(urgent: boolean): void {
    if (this.timer && (this.timerUrgent || !urgent)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerUrgent = urgent;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.wants.size > 0) void this.call();
    }, urgent ? POLL_MS : LAZY_POLL_MS);
  }

  private async call(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const seq = ++this.begun;
    this.inFlight++;
    this.calls++;
    let seen: Set<string> | undefined;
    let error: string | undefined;
    try {
      seen = new Set(await this.listJails());
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.inFlight--;
    const now = this.now();
    for (const [id, ws] of [...this.wants]) {
      const keep: Want[] = [];
      for (const w of ws) {
        if (seen?.has(id)) w.resolve({ seen: true });
        // A call begun before the want (before the 1001) is no evidence that the jail is missing.
        else if (w.after >= seq) keep.push(w);
        // A failing jls is no evidence that the jail is missing: say so, do not wait on it.
        else if (error !== undefined) w.resolve({ seen: false, error });
        else if (now >= w.deadline) w.resolve({ seen: false });
        else keep.push(w);
      }
      if (keep.length) this.wants.set(id, keep);
      else this.wants.delete(id);
    }
    if (this.wants.size === 0 || this.inFlight > 0) return;
    let urgent = false;
    for (const ws of this.wants.values()) for (const w of ws) if (w.urgent) urgent = true;
    this.arm(urgent);
  }
}
