// Progress of a hook run, as events: the one interface through which a caller (live progress
// lines, a per-run JSON record) learns the moments of a run. `at` is milliseconds since the run
// began (HookContext.t0). Events come in order for one container; containers interleave.
import type { ContainerResult } from '../model/run.ts';

export type RunEvent =
  /** kleened's API answered (its container list is the first fact); waitedMs = time spent waiting. */
  | { type: 'kleened-up'; at: number; waitedMs: number; address: string }
  /** kleened did not answer: the run ends with every container failed for `reason`. */
  | { type: 'kleened-down'; at: number; reason: string }
  /** Every fact the plan needs is in (jls, zfs, volumes, the inspects). */
  | { type: 'inventory-done'; at: number }
  /** kleene-boot asked kleened to start the container (POST /exec/create). */
  | { type: 'start-requested'; id: string; name: string; at: number; wave?: number; depends: string[] }
  /** The start's frame is out to kleened; `opening`: starts still making their own exec instance and socket. */
  | { type: 'start-sent'; id: string; at: number; opening: number }
  /** kleened closed the start with 1001 (the jail is being created). */
  | { type: 'start-done'; id: string; at: number }
  /** The container's jail was seen in jls (started by kleene-boot, or by kleened for on-startup ones). */
  | { type: 'jail-seen'; id: string; at: number }
  /** Its ready check passed: from now on it counts as up for its dependents. */
  | { type: 'ready'; id: string; at: number }
  /** A line for the console and syslog before the run's results (the stop's budget). */
  | { type: 'note'; at: number; text: string }
  /** stop: the schedule (plan/stop.ts): stops at once, each one's timeout, the budget it fits (ms). */
  | { type: 'stop-planned'; at: number; jobs: number; timeoutMs: number; configuredTimeoutMs: number; budgetMs: number; waves: number; depth: number }
  /** stop: kleene-boot asked kleened to stop the container (after the stops of `waitedFor`), and kleened answered (or the stop failed). */
  | { type: 'stop-requested'; id: string; name: string; at: number; depends: string[]; waitedFor: string[] }
  | { type: 'stop-done'; id: string; at: number }
  /** The container's final result for this run. */
  | { type: 'outcome'; id?: string; name: string; at: number; result: ContainerResult }
  /** The run is over. */
  | { type: 'run-done'; at: number; ok: boolean };
