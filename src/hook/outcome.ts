// One container's result at the end of a run, shared by restore, stop, check and plan.

export type Outcome =
  | 'started' | 'started-by-kleened' | 'kleened-starts' | 'running' | 'would-start' | 'stopped' | 'not-running'
  | 'blocked' | 'blocked-dependency' | 'cycle' | 'failed' | 'timed-out' | 'unknown' | 'ambiguous';

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
