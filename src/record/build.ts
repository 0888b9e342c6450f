// Builds a run's record from what the run knew: its phases, the plan, the results and each
// container's event times. Pure; the hook hands it plain data and writes the text it returns.
import type { PlanItem } from '../plan/types.ts';
import type { ContainerResult } from '../hook/outcome.ts';
import { RECORD_FORMAT, RECORD_VERSION, type ContainerRecord, type RecordCommand, type RunRecord } from './schema.ts';

/** Epoch ms of one container's events, as the executor saw them. */
export interface ContainerTimes {
  requested?: number;
  done?: number;
  ready?: number;
}

export interface RunFacts {
  command: RecordCommand;
  /** Epoch ms when the run began. */
  startedAt: number;
  /** Epoch ms when the host booted, if known. */
  bootedAt?: number;
  kleenedWaitMs?: number;
  inventoryMs?: number;
  /** Epoch ms when the run ended. */
  endedAt: number;
  jobs: number;
  ok: boolean;
  summary: string;
  notes: string[];
  /** The plan's items, when a plan was made. */
  items?: readonly PlanItem[];
  results: readonly ContainerResult[];
  /** Per container id. */
  times: ReadonlyMap<string, ContainerTimes>;
}

/** The record of a run. Times become whole ms from the run's start; events before it count as 0. */
export function buildRecord(f: RunFacts): RunRecord {
  const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : Math.max(0, Math.round(t - f.startedAt)));
  const byId = new Map((f.items ?? []).map((i) => [i.id, i]));
  const containers = f.results.map((r): ContainerRecord => {
    const item = r.id !== undefined ? byId.get(r.id) : undefined;
    const c: ContainerRecord = { name: r.name, entry: r.entry, depends: item ? [...item.depends] : [], outcome: r.outcome };
    if (r.id !== undefined) c.id = r.id;
    if (item) c.decision = item.decision;
    if (item?.wave !== undefined) c.wave = item.wave;
    const t = r.id !== undefined ? f.times.get(r.id) : undefined;
    const requested = rel(t?.requested);
    const done = rel(t?.done);
    const ready = rel(t?.ready);
    if (requested !== undefined) c.requestedMs = requested;
    if (done !== undefined) c.doneMs = done;
    if (ready !== undefined) c.readyMs = ready;
    if (r.reason !== undefined) c.reason = r.reason;
    return c;
  });
  const run: RunRecord['run'] = {
    command: f.command,
    startedAt: new Date(f.startedAt).toISOString(),
    totalMs: Math.max(0, Math.round(f.endedAt - f.startedAt)),
    jobs: Math.max(1, f.jobs),
    ok: f.ok,
    summary: f.summary,
    notes: [...f.notes],
  };
  if (f.bootedAt !== undefined) run.bootedAt = new Date(f.bootedAt).toISOString();
  if (f.kleenedWaitMs !== undefined) run.kleenedWaitMs = Math.max(0, Math.round(f.kleenedWaitMs));
  if (f.inventoryMs !== undefined) run.inventoryMs = Math.max(0, Math.round(f.inventoryMs));
  return { format: RECORD_FORMAT, version: RECORD_VERSION, run, containers };
}

/** The record as JSON text: one line for the run, one per container, so it stays small and greppable. */
export function recordText(rec: RunRecord): string {
  const head = JSON.stringify({ format: rec.format, version: rec.version, run: rec.run });
  const rows = rec.containers.map((c) => JSON.stringify(c));
  return `${head.slice(0, -1)},"containers":[${rows.length ? `\n${rows.join(',\n')}\n` : ''}]}\n`;
}
