// The plain data of a run: one container's outcome and result, shared by the hook (which
// produces them), the run record (a file format) and the report (which reads records). It lives
// in the model so that the record and the report stand on the model alone, not on the hook.

export type Outcome =
  | 'started' | 'started-by-kleened' | 'kleened-starts' | 'running' | 'would-start' | 'stopped' | 'not-running'
  | 'blocked' | 'blocked-dependency' | 'cycle' | 'failed' | 'timed-out' | 'unknown' | 'ambiguous';

/**
 * `kleened-starts`: its restart_policy is on-startup, so kleened starts it itself right after
 * its API comes up (FACTS: the on-startup loop runs after the listeners start); kleene-boot
 * waits for its jail instead of starting it a second time.
 */
export type Decision = 'start' | 'kleened-starts' | 'running' | 'blocked' | 'blocked-dependency' | 'cycle';

export interface ContainerResult {
  /** Absent for an entry that resolved to no single container. */
  id?: string;
  name: string;
  entry: string;
  outcome: Outcome;
  reason?: string;
  /** Milliseconds the start or stop took. */
  ms?: number;
}

/** Outcomes after which the container runs. */
export const RUNS: ReadonlySet<Outcome> = new Set(['started', 'started-by-kleened', 'running']);

const WORDS: Record<Outcome, string> = {
  'started': 'started',
  'started-by-kleened': 'started by kleened',
  'kleened-starts': 'left to kleened',
  'running': 'already running',
  'would-start': 'would start',
  'stopped': 'stopped',
  'not-running': 'not running',
  'blocked': 'blocked',
  'blocked-dependency': 'blocked by dependency',
  'cycle': 'blocked',
  'failed': 'failed',
  'timed-out': 'timed out',
  'unknown': 'unknown',
  'ambiguous': 'ambiguous',
};

/** The words for an outcome in a report line. */
export function outcomeWord(o: Outcome): string {
  return WORDS[o];
}

/** Every distinct outcome word, in report order (for summaries that count them). */
export const OUTCOME_WORDS: readonly string[] = [...new Set(Object.values(WORDS))];

/**
 * Control characters shown as `\xNN`: kleened checks names only on create (its update sets a
 * name unchecked) and messages are kleened's text, so either could hold a newline that would
 * forge a report line on the console or in syslog.
 */
export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
