// Live progress and the run record of `restore` and `stop`, fed by the run's events (events.ts):
// each container's line goes to the console and to syslog the moment its outcome is known (one
// logger process for the whole run, lines on its stdin), the notes and the summary line close
// the report, and a JSON record of the run is written under /var/db/kleene-boot/ for
// `kleene-boot report`. Neither a failing logger nor an unwritable record changes the run: each
// is said once on stderr.
import { uptime } from 'node:os';
import type { LogStream } from '../host/logger-stream.ts';
import { buildRecord, type ContainerFacts } from '../record/build.ts';
import type { RecordCommand, RunRecord, StopInfo } from '../record/schema.ts';
import { recordDir } from '../record/store.ts';
import type { Decision, Plan } from '../plan/types.ts';
import { printable, type ContainerResult, type Outcome } from '../model/run.ts';
import { reportLines, resultLine, summaryLine, type Report } from './report.ts';
import { monoMs } from '../host/clock.ts';

/** The plan's decision behind an outcome of a container that was not asked to start. */
const DECISION_OF: Partial<Record<Outcome, Decision>> = {
  'running': 'running', 'blocked': 'blocked', 'blocked-dependency': 'blocked-dependency', 'cycle': 'cycle',
  'kleened-starts': 'kleened-starts', 'started-by-kleened': 'kleened-starts',
};

/** Overrides where records go (tests, the bench): a directory, or `-` for no record at all. */
export const RECORD_DIR_ENV = 'KLEENE_BOOT_RECORD_DIR';

/**
 * The events of a run this listens to (events.ts's RunEvent, read by field so that events it
 * does not know pass by): kleened-up, inventory-done, start-requested, start-sent, start-done, ready,
 * outcome, and stop-requested / stop-done for stop. `at` is ms since the run began.
 */
export interface ProgressEvent {
  type: string;
  at: number;
  id?: string;
  waitedMs?: number;
  wave?: number;
  depends?: readonly string[];
  waitedFor?: readonly string[];
  result?: ContainerResult;
  /** start-sent: starts still making their own exec instance and socket. */
  opening?: number;
  /** note: its line. */
  text?: string;
  /** stop-planned: the schedule. */
  jobs?: number;
  timeoutMs?: number;
  configuredTimeoutMs?: number;
  budgetMs?: number;
  waves?: number;
  depth?: number;
}

export interface ProgressOptions {
  /** monoMs() when the run began (the events' zero). */
  t0: number;
  /** Where lines go: the console, and complaints. */
  deps: { stdout(text: string): void; stderr(text: string): void };
  /** syslog: one logger process taking each line as it comes; when absent, `logOnce` gets every line at the end. */
  logStream?: () => LogStream;
  logOnce: (lines: string[]) => Promise<void>;
  /** kleene_containers_jobs, for the record. */
  jobs: number;
  /** Notes known before the run (configuration): said first. */
  notes: readonly string[];
  /** Print the lines on stdout as they come (false for --json: its one document is the output). */
  console: boolean;
  /** Where the record goes, and how it is written; either undefined = no record. */
  recordDir?: string;
  writeRecord?: (dir: string, rec: RunRecord) => Promise<string>;
}

/** The record directory for a run: $KLEENE_BOOT_RECORD_DIR, else /var/db/kleene-boot under the run's root. */
export function recordDirFor(env: Record<string, string | undefined>, root: string): string | undefined {
  const v = env[RECORD_DIR_ENV];
  if (v === '-') return undefined;
  return v !== undefined && v.startsWith('/') ? v : recordDir(root);
}

/** After this long the syslog stream opens even if nothing has been started yet (a long wait for kleened). */
const LOG_OPEN_LATEST_MS = 1000;

/**
 * The syslog stream, opened once the first starts' frames are out and no start is still making
 * its own exec instance and socket (or a stop has gone out, or after LOG_OPEN_LATEST_MS): the
 * spawn of logger(1) holds the hook's one thread for 2–4 ms, and spawned at the first start
 * request it delayed kleened's answers to the first wave's exec/creates by as much (bench
 * marks); once the frames are out the hook only waits for kleened. Lines written before wait,
 * in order, and go first.
 */
class DeferredLog implements LogStream {
  private real: LogStream | undefined;
  private readonly queued: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private soon = false;
  /** Why the stream could not be opened. */
  error: string | undefined;

  constructor(private readonly openStream: () => LogStream) {
    this.timer = setTimeout(() => this.open(), LOG_OPEN_LATEST_MS);
    this.timer.unref();
  }

  /** Opens it in the next turn of the event loop (once however often asked): after what is going out now. */
  openSoon(): void {
    if (this.soon) return;
    this.soon = true;
    setImmediate(() => this.open());
  }

  open(): void {
    clearTimeout(this.timer);
    if (this.real || this.error !== undefined) return;
    try {
      this.real = this.openStream();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return;
    }
    for (const l of this.queued.splice(0)) this.real.write(l);
  }

  write(line: string): void {
    if (this.real) this.real.write(line);
    else if (this.error === undefined) this.queued.push(line);
  }

  async close(): Promise<void> {
    this.open();
    await this.real?.close();
  }
}

export class RunProgress {
  /** Lines already printed (stdout) and logged (syslog), counted, so the closing report adds only what is new. */
  private readonly printed = new Map<string, number>();
  private readonly logged = new Map<string, number>();
  private readonly facts = new Map<string, ContainerFacts>();
  private readonly log: LogStream | undefined;
  private readonly deferred: DeferredLog | undefined;
  private readonly later: string[] = [];
  private logError: string | undefined;
  private kleenedWaitMs: number | undefined;
  private kleenedUpAt: number | undefined;
  private inventoryMs: number | undefined;
  private stop: StopInfo | undefined;
  /** Epoch ms of the run's start (ctx.t0 on the wall clock). */
  readonly startedAt: number;
  /** At most this many at once: the starts' jobs, or the stops' once the stop is planned. */
  private jobs: number;

  constructor(private readonly command: RecordCommand, private readonly opts: ProgressOptions) {
    this.jobs = opts.jobs;
    this.startedAt = Date.now() - (monoMs() - opts.t0);
    if (opts.logStream) this.log = this.deferred = new DeferredLog(opts.logStream);
    // Without a stream, the lines are kept and logged in one call at the end.
    if (!opts.logStream) this.log = { write: (l) => { this.later.push(l); }, close: async () => { if (this.later.length) await opts.logOnce(this.later); } };
    // Configuration notes are known before anything runs: say them first.
    for (const n of opts.notes) this.line(n);
  }

  /** The event listener to chain into ctx.onEvent. */
  readonly onEvent = (e: ProgressEvent): void => {
    switch (e.type) {
      case 'kleened-up':
        this.kleenedWaitMs = e.waitedMs;
        this.kleenedUpAt = e.at;
        break;
      case 'note':
        if (e.text !== undefined) this.line(e.text);
        break;
      case 'stop-planned':
        this.stop = { timeoutMs: e.timeoutMs ?? 0, configuredTimeoutMs: e.configuredTimeoutMs ?? 0, budgetMs: e.budgetMs ?? 0, waves: e.waves ?? 0, depth: e.depth ?? 0 };
        if (e.jobs !== undefined) this.jobs = e.jobs;
        break;
      case 'inventory-done':
        this.inventoryMs = e.at - (this.kleenedUpAt ?? 0);
        break;
      case 'start-sent':
        if (e.opening === 0) this.deferred?.openSoon();
        break;
      case 'start-requested':
      case 'stop-requested': {
        // A stop: nothing is prepared ahead, the run now waits for kleened: logger(1) may be spawned.
        if (e.type === 'stop-requested') this.deferred?.openSoon();
        if (e.id === undefined) break;
        const f = this.fact(e.id);
        f.requestedMs = e.at;
        if (e.depends !== undefined) f.depends = e.depends;
        if (e.waitedFor !== undefined) f.waitedFor = e.waitedFor;
        if (e.wave !== undefined) f.wave = e.wave;
        break;
      }
      case 'start-done':
      case 'stop-done':
        if (e.id !== undefined) this.fact(e.id).doneMs = e.at;
        break;
      case 'ready':
        if (e.id !== undefined) this.fact(e.id).readyMs = e.at;
        break;
      case 'outcome': {
        if (e.id !== undefined) {
          const f = this.fact(e.id);
          // A start that ended without kleened's answer (failure, timeout) ends at its outcome.
          if (f.requestedMs !== undefined && f.doneMs === undefined) f.doneMs = e.at;
        }
        if (e.result) this.line(resultLine(e.result));
        break;
      }
      default:
        break;
    }
  };

  private fact(id: string): ContainerFacts {
    let f = this.facts.get(id);
    if (!f) this.facts.set(id, (f = {}));
    return f;
  }

  /** One line, now, to the console (unless --json) and to syslog. */
  private line(text: string): void {
    const l = printable(text);
    if (this.opts.console) {
      this.opts.deps.stdout(`${l}\n`);
      this.printed.set(l, (this.printed.get(l) ?? 0) + 1);
    }
    this.log?.write(l);
    this.logged.set(l, (this.logged.get(l) ?? 0) + 1);
  }

  /**
   * Closes the report: the lines of `report` not said yet (late notes, a result that changed after
   * its line, entries no event named) and the summary, to the console and to syslog; then the
   * record. Resolves when logger has exited; never rejects.
   */
  async end(report: Report & { plan?: Plan }): Promise<void> {
    const all = reportLines(report);
    const rest = (said: Map<string, number>): string[] => {
      const left = new Map(said);
      return all.filter((l) => {
        const n = left.get(l) ?? 0;
        if (n > 0) { left.set(l, n - 1); return false; }
        return true;
      });
    };
    if (this.opts.console) this.opts.deps.stdout(rest(this.printed).join('\n') + '\n');
    for (const l of rest(this.logged)) this.log?.write(l);
    try {
      await this.log?.close();
    } catch (err) {
      this.logError = err instanceof Error ? err.message : String(err);
    }
    this.logError ??= this.deferred?.error;
    if (this.logError !== undefined) this.opts.deps.stderr(`hook: cannot log to syslog: ${this.logError}\n`);
    await this.record(report);
  }

  /** The run failed without a report: end the logger (bounded), say nothing more. Never rejects. */
  async abandon(): Promise<void> {
    try {
      await this.log?.close();
    } catch {
      // The run's own error is what gets reported.
    }
  }

  private async record(report: Report & { plan?: Plan }): Promise<void> {
    const dir = this.opts.recordDir;
    const write = this.opts.writeRecord;
    if (dir === undefined || write === undefined) return;
    for (const i of report.plan?.items ?? []) {
      const f = this.fact(i.id);
      f.decision = i.decision;
      f.depends ??= i.depends;
      if (f.wave === undefined && i.wave !== undefined) f.wave = i.wave;
    }
    // A streaming restore has no whole plan: each container's decision shows in its outcome.
    if (this.command === 'restore') {
      for (const r of report.results) {
        if (r.id === undefined) continue;
        const f = this.fact(r.id);
        f.decision ??= f.requestedMs !== undefined ? 'start' : DECISION_OF[r.outcome];
      }
    }
    let bootedAt: number | undefined;
    try {
      bootedAt = Date.now() - uptime() * 1000;
    } catch {
      bootedAt = undefined;
    }
    const rec = buildRecord({
      command: this.command, startedAt: this.startedAt, bootedAt, kleenedWaitMs: this.kleenedWaitMs, inventoryMs: this.inventoryMs,
      totalMs: monoMs() - this.opts.t0, jobs: this.jobs, ...(this.stop ? { stop: this.stop } : {}), ok: report.ok,
      summary: summaryLine(report.command, report.results, report.ok), notes: report.notes, results: report.results, containers: this.facts,
    });
    try {
      await write(dir, rec);
    } catch (err) {
      this.opts.deps.stderr(`hook: cannot write the record of this ${this.command} under ${dir}: ${err instanceof Error ? err.message : String(err)} (the ${this.command} itself is not affected)\n`);
    }
  }
}
