// Seeing started jails in jls, batched: kleened closes the start WebSocket with 1001
// once `jail -c` is spawned, so a started container counts as up for its dependents only once
// its jail is seen. One jls call answers every container waiting at that moment; a container
// that finishes its start while jls runs is answered by the next call, right after; nothing
// waits, nothing runs.

/** Pause between jls calls while a jail has not appeared yet. */
export const POLL_MS = 100;

/** `seen`, or not seen by the deadline; `error` when jls itself failed (no evidence either way). */
export type JailAnswer = { seen: true } | { seen: false; error?: string };

interface Want {
  deadline: number;
  resolve: (a: JailAnswer) => void;
}

export class JailWatch {
  private readonly wants = new Map<string, Want[]>();
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** jls calls made, for tests and the run record. */
  calls = 0;

  constructor(private readonly listJails: () => Promise<string[]>, private readonly now: () => number = () => performance.now()) {}

  /** Resolves once jail `id` is seen, or with `seen: false` when `deadline` (a now() value) passes first. */
  want(id: string, deadline: number): Promise<JailAnswer> {
    return new Promise((resolve) => {
      (this.wants.get(id) ?? this.wants.set(id, []).get(id)!).push({ deadline, resolve });
      this.kick();
    });
  }

  /** A new want runs jls at once (or right after the one running); polls for old ones wait POLL_MS. */
  private kick(fresh = true): void {
    if (this.running) {
      if (fresh) this.again = true;
      return;
    }
    if (this.wants.size === 0) return;
    if (this.timer) {
      if (!fresh) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    this.again = false;
    this.calls++;
    let seen: Set<string> | undefined;
    let error: string | undefined;
    try {
      seen = new Set(await this.listJails());
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const now = this.now();
    for (const [id, ws] of [...this.wants]) {
      const keep: Want[] = [];
      for (const w of ws) {
        if (seen?.has(id)) w.resolve({ seen: true });
        // A failing jls is no evidence that the jail is missing: say so, do not wait on it.
        else if (error !== undefined) w.resolve({ seen: false, error });
        else if (now >= w.deadline) w.resolve({ seen: false });
        else keep.push(w);
      }
      if (keep.length) this.wants.set(id, keep);
      else this.wants.delete(id);
    }
    this.running = false;
    if (this.wants.size === 0) return;
    if (this.again) {
      this.kick();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick(false);
    }, POLL_MS);
  }
}
