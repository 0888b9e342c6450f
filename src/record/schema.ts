// The record of one `restore` or `stop` run, written under /var/db/kleene-boot/ and read by
// `kleene-boot report`. Plain data, a version field, and one check that turns whatever a file
// holds into a RunRecord or a message naming the field that is wrong. No I/O here.
import type { Decision, Outcome } from '../model/run.ts';

/** What every record says it is, so a stray JSON file is not mistaken for one. */
export const RECORD_FORMAT = 'kleene-boot-run';
/** Bumped whenever a field changes meaning or a required one is added; the reader refuses others. */
export const RECORD_VERSION = 1;

export type RecordCommand = 'restore' | 'stop';

export interface RunInfo {
  command: RecordCommand;
  /** When the run began (ISO 8601, UTC); every other time is in ms from this instant. */
  startedAt: string;
  /** When the host booted (ISO 8601), if known. */
  bootedAt?: string;
  /** Waiting for kleened's API to answer. */
  kleenedWaitMs?: number;
  /** Taking the inventory (container list, jls, zfs, volumes, inspects) and planning. */
  inventoryMs?: number;
  /** The whole run, from its start to its report. */
  totalMs: number;
  /** At most this many at once: starts (kleene_containers_jobs) for restore, stops (kleene_containers_stop_jobs) for stop. */
  jobs: number;
  /** stop only: the schedule it ran under (plan/stop.ts). */
  stop?: StopInfo;
  ok: boolean;
  /** The closing summary line, as on the console. */
  summary: string;
  /** Notes not tied to one container (configuration warnings, kleened down). */
  notes: string[];
}

export interface StopInfo {
  /** Each stop's timeout as it ran, and as configured (kleene_containers_stop_timeout). */
  timeoutMs: number;
  configuredTimeoutMs: number;
  /** What rcshutdown_timeout left for the stops (after kleened's share, the margin, the time already spent). */
  budgetMs: number;
  /** Worst case in stop timeouts one after another, and the longest chain of stops. */
  waves: number;
  depth: number;
}

export interface ContainerRecord {
  /** Absent for an rc.conf entry that named no single container. */
  id?: string;
  name: string;
  /** kleene_containers_list entry, as written. */
  entry: string;
  /** The plan's decision; absent for entries that never reached the plan. */
  decision?: Decision;
  /** Start wave (1-based) of a container the plan started. */
  wave?: number;
  /** Ids of the containers it depends on. */
  depends: string[];
  /** stop only: ids of the containers whose stop it waited for before its own was requested. */
  waitedFor?: string[];
  /** ms from the run's start: the start (stop) request went to kleened. */
  requestedMs?: number;
  /** ms from the run's start: kleened answered the start (stop), or the attempt ended without an answer. */
  doneMs?: number;
  /** ms from the run's start: the ready check passed (restore only). */
  readyMs?: number;
  outcome: Outcome;
  reason?: string;
}

export interface RunRecord {
  format: typeof RECORD_FORMAT;
  version: typeof RECORD_VERSION;
  run: RunInfo;
  /** In start order for restore (plan order), in stop order for stop. */
  containers: ContainerRecord[];
}

/** Why a file is not a record this kleene-boot can read; `kind` for callers, message for people. */
export class RecordFormatError extends Error {
  constructor(readonly kind: 'not-record' | 'older' | 'newer' | 'bad-field', message: string) {
    super(message);
  }
}
RecordFormatError.prototype.name = 'RecordFormatError';

const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['started', 'started-by-kleened', 'kleened-starts', 'running', 'would-start', 'stopped', 'not-running',
  'blocked', 'blocked-dependency', 'cycle', 'failed', 'timed-out', 'unknown', 'ambiguous']);
const DECISIONS: ReadonlySet<string> = new Set<Decision>(['start', 'kleened-starts', 'running', 'blocked', 'blocked-dependency', 'cycle']);

/** Checks parsed JSON against the schema; returns it typed or throws RecordFormatError naming the field. */
export function checkRecord(doc: unknown): RunRecord {
  if (!isObject(doc) || doc.format !== RECORD_FORMAT) {
    throw new RecordFormatError('not-record', `not a kleene-boot run record (no "format": "${RECORD_FORMAT}")`);
  }
  const v = doc.version;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RecordFormatError('bad-field', '"version" is not a whole number');
  if (v < RECORD_VERSION) {
    throw new RecordFormatError('older', `written by an older kleene-boot (record version ${v}; this one reads version ${RECORD_VERSION})`);
  }
  if (v > RECORD_VERSION) {
    throw new RecordFormatError('newer', `written by a newer kleene-boot (record version ${v}; this one reads version ${RECORD_VERSION})`);
  }
  const run = doc.run;
  if (!isObject(run)) throw bad('run', 'an object');
  if (run.command !== 'restore' && run.command !== 'stop') throw bad('run.command', '"restore" or "stop"');
  if (typeof run.startedAt !== 'string' || Number.isNaN(Date.parse(run.startedAt))) throw bad('run.startedAt', 'an ISO 8601 time');
  if (run.bootedAt !== undefined && (typeof run.bootedAt !== 'string' || Number.isNaN(Date.parse(run.bootedAt)))) throw bad('run.bootedAt', 'an ISO 8601 time');
  for (const k of ['kleenedWaitMs', 'inventoryMs'] as const) if (run[k] !== undefined && !isMs(run[k])) throw bad(`run.${k}`, 'milliseconds (a number ≥ 0)');
  if (!isMs(run.totalMs)) throw bad('run.totalMs', 'milliseconds (a number ≥ 0)');
  if (typeof run.jobs !== 'number' || !Number.isInteger(run.jobs) || run.jobs < 1) throw bad('run.jobs', 'a whole number ≥ 1');
  if (run.stop !== undefined) {
    if (!isObject(run.stop)) throw bad('run.stop', 'an object');
    for (const k of ['timeoutMs', 'configuredTimeoutMs', 'waves', 'depth'] as const) if (!isMs(run.stop[k])) throw bad(`run.stop.${k}`, 'a number ≥ 0');
    if (typeof run.stop.budgetMs !== 'number' || !Number.isFinite(run.stop.budgetMs)) throw bad('run.stop.budgetMs', 'a number');
  }
  if (typeof run.ok !== 'boolean') throw bad('run.ok', 'true or false');
  if (typeof run.summary !== 'string') throw bad('run.summary', 'a string');
  if (!Array.isArray(run.notes) || !run.notes.every((n) => typeof n === 'string')) throw bad('run.notes', 'a list of strings');
  if (!Array.isArray(doc.containers)) throw bad('containers', 'a list');
  doc.containers.forEach((c, i) => {
    const at = `containers[${i}]`;
    if (!isObject(c)) throw bad(at, 'an object');
    if (c.id !== undefined && typeof c.id !== 'string') throw bad(`${at}.id`, 'a string');
    if (typeof c.name !== 'string') throw bad(`${at}.name`, 'a string');
    if (typeof c.entry !== 'string') throw bad(`${at}.entry`, 'a string');
    if (c.decision !== undefined && !DECISIONS.has(c.decision as string)) throw bad(`${at}.decision`, [...DECISIONS].join(', '));
    if (c.wave !== undefined && (typeof c.wave !== 'number' || !Number.isInteger(c.wave) || c.wave < 1)) throw bad(`${at}.wave`, 'a whole number ≥ 1');
    if (!Array.isArray(c.depends) || !c.depends.every((d) => typeof d === 'string')) throw bad(`${at}.depends`, 'a list of ids');
    if (c.waitedFor !== undefined && (!Array.isArray(c.waitedFor) || !c.waitedFor.every((d) => typeof d === 'string'))) throw bad(`${at}.waitedFor`, 'a list of ids');
    for (const k of ['requestedMs', 'doneMs', 'readyMs'] as const) if (c[k] !== undefined && !isMs(c[k])) throw bad(`${at}.${k}`, 'milliseconds (a number ≥ 0)');
    if (!OUTCOMES.has(c.outcome as string)) throw bad(`${at}.outcome`, [...OUTCOMES].join(', '));
    if (c.reason !== undefined && typeof c.reason !== 'string') throw bad(`${at}.reason`, 'a string');
  });
  return doc as unknown as RunRecord;
}

function bad(field: string, valid: string): RecordFormatError {
  return new RecordFormatError('bad-field', `"${field}" is missing or invalid (expected ${valid})`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isMs(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}
