// Builds a run's record from what the run knew: its phases, the results and, per container, its
// decision, wave, dependencies and event times. Pure; the hook hands it plain data.
import type { ContainerResult, Decision } from '../model/run.ts';
import { RECORD_FORMAT, RECORD_VERSION, type ContainerRecord, type RecordCommand, type RunRecord, type StopInfo } from './schema.ts';

/** What the run learnt about one container (times in ms from the run's start). */
export interface ContainerFacts {
  decision?: Decision;
  wave?: number;
  depends?: readonly string[];
  /** stop: the stops it waited for. */
  waitedFor?: readonly string[];
  requestedMs?: number;
  doneMs?: number;
  readyMs?: number;
}

export interface RunFacts {
  command: RecordCommand;
  /** Epoch ms when the run began. */
  startedAt: number;
  /** Epoch ms when the host booted, if known. */
  bootedAt?: number;
  kleenedWaitMs?: number;
  inventoryMs?: number;
  totalMs: number;
  jobs: number;
  /** stop: the schedule it ran under. */
  stop?: StopInfo;
  ok: boolean;
  summary: string;
  notes: string[];
  results: readonly ContainerResult[];
  /** Per container id. */
  containers: ReadonlyMap<string, ContainerFacts>;
}

/** The record of a run; times become whole, non-negative ms. */
export function buildRecord(f: RunFacts): RunRecord {
  const ms = (t: number | undefined): number | undefined => (t === undefined ? undefined : Math.max(0, Math.round(t)));
  const containers = f.results.map((r): ContainerRecord => {
    const k = r.id !== undefined ? f.containers.get(r.id) : undefined;
    const c: ContainerRecord = { name: r.name, entry: r.entry, depends: [...(k?.depends ?? [])], outcome: r.outcome };
    if (r.id !== undefined) c.id = r.id;
    if (k?.decision !== undefined) c.decision = k.decision;
    if (k?.wave !== undefined) c.wave = k.wave;
    if (k?.waitedFor !== undefined) c.waitedFor = [...k.waitedFor];
    const requested = ms(k?.requestedMs);
    const done = ms(k?.doneMs);
    const ready = ms(k?.readyMs);
    if (requested !== undefined) c.requestedMs = requested;
    if (done !== undefined) c.doneMs = done;
    if (ready !== undefined) c.readyMs = ready;
    if (r.reason !== undefined) c.reason = r.reason;
    return c;
  });
  const run: RunRecord['run'] = {
    command: f.command,
    startedAt: new Date(f.startedAt).toISOString(),
    totalMs: ms(f.totalMs)!,
    jobs: Math.max(1, f.jobs),
    ok: f.ok,
    summary: f.summary,
    notes: [...f.notes],
  };
  if (f.stop !== undefined) run.stop = { ...f.stop, budgetMs: Math.round(f.stop.budgetMs) };
  if (f.bootedAt !== undefined) run.bootedAt = new Date(f.bootedAt).toISOString();
  if (f.kleenedWaitMs !== undefined) run.kleenedWaitMs = ms(f.kleenedWaitMs)!;
  if (f.inventoryMs !== undefined) run.inventoryMs = ms(f.inventoryMs)!;
  return { format: RECORD_FORMAT, version: RECORD_VERSION, run, containers };
}

/** The record as JSON text: one line for the run, one per container, so it stays small and greppable. */
export function recordText(rec: RunRecord): string {
  const head = JSON.stringify({ format: rec.format, version: rec.version, run: rec.run });
  const rows = rec.containers.map((c) => JSON.stringify(c));
  return `${head.slice(0, -1)},"containers":[${rows.length ? `\n${rows.join(',\n')}\n` : ''}]}\n`;
}
