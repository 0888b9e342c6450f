// Plain data in and out of the planner. Type-only imports: src/plan runs no I/O.
import type { ContainerSettings, ReadyCheck } from '../model/config.ts';
import type { ContainerFacts, MountFacts, VolumeFacts } from '../model/facts.ts';
import type { Decision } from '../model/run.ts';

export type { Decision };

/** A result that an inventory call may have failed to get; the failure is kept as text for the reasons. */
export type Got<T> = { ok: true; value: T } | { ok: false; error: string };

export interface DatasetInfo {
  name: string;
  mounted: boolean;
  mountpoint: string;
}

/**
 * What is known so far while the facts come in (a streaming restore): a source that has not
 * answered yet is undefined. A complete Facts is an Inventory.
 */
export interface Facts {
  containers: ContainerFacts[];
  jails?: Got<string[]>;
  datasets?: Got<DatasetInfo[]>;
  volumes?: Got<VolumeFacts[]>;
  mounts: Record<string, Got<MountFacts[]> | undefined>;
}

/** Everything the planner knows about the host, gathered by the hook in one call per source. */
export interface Inventory {
  /** `GET /containers/list?all=true`. */
  containers: ContainerFacts[];
  /** Names of running jails (`jls`); kleened names a container's jail after its id. */
  jails: Got<string[]>;
  /** `zfs list` filesystems. */
  datasets: Got<DatasetInfo[]>;
  /** `GET /volumes/list`: dataset and the mountpoint kleened recorded, per volume name. */
  volumes: Got<VolumeFacts[]>;
  /** `GET /containers/{id}/inspect` mountpoints, per container id (only those that may be started). */
  mounts: Record<string, Got<MountFacts[]>>;
}

/** Why a container is in the restore set. */
export type Source = 'list' | 'import' | 'depend';

/** A configured container resolved to exactly one kleened container. */
export interface Target {
  id: string;
  name: string;
  /** The entry as written in rc.conf, or the container's name for imported and pulled-in ones. */
  entry: string;
  source: Source;
  /** Position for tie-breaking: list order, then imported, then pulled-in dependencies. */
  order: number;
  settings: ContainerSettings;
  /** Resolved dependency ids. */
  depends: string[];
  /** Dependency entries that are invalid or did not resolve, with the variable and the reason. */
  badDepends: string[];
  /** kleened's restart_policy is on-startup: kleened starts it itself when it starts (FACTS). */
  onStartup: boolean;
  /** The rc.conf variable its dependencies are read from. */
  dependVariable: string;
}

/** An rc.conf entry that names no container, or more than one. */
export interface EntryProblem {
  entry: string;
  variable: string;
  kind: 'unknown' | 'ambiguous';
  message: string;
  hint?: string;
}


export interface PlanItem {
  id: string;
  name: string;
  entry: string;
  source: Source;
  priority: number;
  ready: ReadyCheck;
  depends: string[];
  decision: Decision;
  /** Why it is blocked, in a cycle, or pulled in; names the volume, dependency or cycle. */
  reason?: string;
  /** Start wave (1-based) for `start` items. */
  wave?: number;
}

export interface Budget {
  /** Worst-case seconds for restore: each wave takes ceil(size / jobs) start timeouts. */
  startWorst: number;
  /** Worst-case seconds for stop at the configured timeout: `stopWaves` stop timeouts (plan/stop.ts). */
  stopWorst: number;
  /** Stop timeouts one after another, at most, with `stopJobs` stops at once. */
  stopWaves: number;
  stopJobs: number;
  /** Each stop's timeout after fitting it into the budget (never below the floor). */
  stopTimeoutMs: number;
  /** What rcshutdown_timeout leaves for the stops (after kleened's share and the margin). */
  stopBudgetMs: number;
  rcshutdownTimeout: number;
}

export interface Plan {
  /** Every resolved container, in start order (dependencies first, then priority, list order, id). */
  items: PlanItem[];
  problems: EntryProblem[];
  /** Ids of `start` items per wave. */
  waves: string[][];
  /** Ids in stop order: the exact reverse of the start order. */
  stopOrder: string[];
  budget: Budget;
}
