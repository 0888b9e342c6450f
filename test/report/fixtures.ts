// Hand-made run records with known answers, for the report tests. Not a test file itself.
import { RECORD_FORMAT, RECORD_VERSION, type ContainerRecord, type RunRecord } from '../../src/record/schema.ts';

type C = Partial<ContainerRecord> & { name: string };

export function record(containers: C[], run: Partial<RunRecord['run']> = {}): RunRecord {
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    run: { command: 'restore', startedAt: '2026-11-29T23:00:00.000Z', totalMs: 1100, jobs: 4, ok: true,
      summary: 'restore: ok: test', notes: [], kleenedWaitMs: 100, inventoryMs: 200, ...run },
    containers: containers.map((c) => ({ id: `id-${c.name}`, entry: c.name, depends: [], outcome: 'started', decision: 'start', ...c })),
  };
}

/**
 * db and cache are roots; api waits for both; web waits for api; worker waits for cache; front
 * already runs. db is up last of api's dependencies, so the chain is db → api → web.
 *   kleened 100 + inventory 200 + db 250 + wait 10 + api 240 + wait 20 + web 180 + after 100 = 1100
 */
export const KNOWN = record([
  { name: 'db', wave: 1, requestedMs: 300, doneMs: 500, readyMs: 550 },
  { name: 'cache', wave: 1, requestedMs: 300, doneMs: 350, readyMs: 350 },
  { name: 'worker', wave: 2, depends: ['id-cache'], requestedMs: 360, doneMs: 400, readyMs: 400 },
  { name: 'api', wave: 2, depends: ['id-db', 'id-cache'], requestedMs: 560, doneMs: 800 },
  { name: 'web', wave: 3, depends: ['id-api'], requestedMs: 820, doneMs: 1000 },
  { name: 'front', decision: 'running', outcome: 'running' },
  { name: 'vol', decision: 'blocked', outcome: 'blocked', reason: 'volume data: dataset zroot/kleene/volumes/data does not exist' },
]);

/**
 * jobs 2: a and b start at 300, c at 400 when a is up; x waits for a but is asked for only at
 * 600, when b ends: its 200 ms wait was all at the jobs limit.
 */
export const JOBS = record([
  { name: 'a', requestedMs: 300, doneMs: 400 },
  { name: 'b', requestedMs: 300, doneMs: 600 },
  { name: 'c', requestedMs: 400, doneMs: 650 },
  { name: 'x', depends: ['id-a'], requestedMs: 600, doneMs: 700 },
], { jobs: 2, totalMs: 720 });
