// The benchmark's targets and its tables. Pure: figures in, markdown text out, so
// the smoke test can check a miss is marked without running anything.
import { fmtMiB, fmtMs, fmtRatio, median } from './stats.ts';

/** Restore target: ≤ 1.05 × the bound for its jobs value + 100 ms. */
export function restoreLimitMs(boundMs: number): number {
  return 1.05 * boundMs + 100;
}
/** Hook overhead to the first start ÷ bare node, at 10 and at the largest size. */
export const OVERHEAD_LIMIT = 1.5;
export const RC_SET_LIMIT = 2;
export const GENERATE_LIMIT = 2;
/** kleene-boot end to end ÷ the reference restorer's, every restore row; the aim is 0.95. */
export const REFERENCE_LIMIT = 0.95;
export const RSS_LIMIT_BYTES = 80 * 1048576;

/** Medians of one (containers, jobs) cell of the restore table. */
export interface RestoreCell {
  n: number;
  jobs: number;
  criticalMs: number;
  boundMs: number;
  sequentialMs: number;
  /** makespan of a zero-overhead list schedule in list order among the startable (bench/graph.ts) */
  planOrderMs: number;
  /** same, ordered by longest remaining chain first */
  criticalFirstMs: number;
  scheduleMs: number;
  e2eMs: number;
  /** CPU time of the hook process and of the double, whole run */
  hookCpuMs: number;
  doubleCpuMs: number;
  maxInFlight: number;
  /** every run started every container, exit 0, never more than `jobs` at once */
  correct: boolean;
  runs: number;
  /** hook spawn to the first POST /exec/create */
  overheadMs: number;
  /** the reference restorer (bench/reference-restore.mjs) in the same repetitions, same double */
  refE2eMs: number;
  refScheduleMs: number;
  refOverheadMs: number;
  /** median over repetitions of kleene-boot end to end ÷ the reference's, both from one repetition */
  vsReference: number;
  /** the same for the overhead to the first start */
  overheadVsReference: number;
  /** every reference run started every container within its jobs */
  refCorrect: boolean;
  /** Counts per restore (the same in every repetition unless a run failed; the max is kept):
   * HTTP requests of the hook and the reference (WebSocket upgrades included), kleened's
   * volumes V, the hook's volume and container inspects, its jls calls and its starts. */
  counts?: RestoreCounts;
}

export interface RestoreCounts {
  requests: number;
  refRequests: number;
  volumes: number;
  volumeInspects: number;
  containerInspects: number;
  jlsCalls: number;
  refJlsCalls: number;
  starts: number;
}

/** Requests a restore may make: the reference's, one inspect per volume, and the volume list. */
export const requestLimit = (c: RestoreCounts): number => c.refRequests + c.volumes + 1;

/** ok when the hook's requests are within requestLimit and jls ran at most once per start after the inventory's. */
export function countsVerdict(c: RestoreCounts): Verdict {
  return c.requests <= requestLimit(c) && c.jlsCalls <= 1 + c.starts ? 'ok' : '**MISS**';
}

/** Markdown table of what each restore asked for: exact counts, not times (noise does not move them). */
export function countsTable(cells: readonly RestoreCell[]): string {
  const head = ['containers', 'jobs', 'HTTP requests', 'reference', 'volumes (V)', 'limit (reference + V + 1)',
    'volume inspects', 'container inspects', 'jls calls', 'reference jls', 'starts', ''];
  const rows = cells.filter((c) => c.counts).map((c) => {
    const k = c.counts!;
    return [String(c.n), String(c.jobs), String(k.requests), String(k.refRequests), String(k.volumes), `≤ ${requestLimit(k)}`,
      String(k.volumeInspects), String(k.containerInspects), String(k.jlsCalls), String(k.refJlsCalls), String(k.starts), countsVerdict(k)];
  });
  return table(head, rows);
}

/** Verdict for a figure: `ok`, `**MISS**`, `**FAIL**` (the run itself was wrong) or `—` (no target). */
export type Verdict = 'ok' | '**MISS**' | '**FAIL**' | '—';

export function restoreVerdict(c: RestoreCell): Verdict {
  if (!c.correct) return '**FAIL**';
  return c.scheduleMs <= restoreLimitMs(c.boundMs) ? 'ok' : '**MISS**';
}

/** kleene-boot against the reference restorer: ok when ≤ 1.00; FAIL when either run was wrong. */
export function referenceVerdict(c: RestoreCell): Verdict {
  if (!c.correct || !c.refCorrect) return '**FAIL**';
  return Number.isFinite(c.vsReference) && c.vsReference <= REFERENCE_LIMIT ? 'ok' : '**MISS**';
}

/** Markdown table of the restore cells against their targets, one row per (containers, jobs). */
export function restoreTable(cells: readonly RestoreCell[]): string {
  const head = ['containers', 'jobs', 'critical path', 'bound', 'restore', '÷ critical path', '÷ bound',
    'target (1.05×bound+100 ms)', '', 'end to end', 'reference end to end', 'kleene-boot ÷ reference',
    `target (≤ ${REFERENCE_LIMIT.toFixed(2)})`, '', 'sequential (kleened)'];
  const rows = cells.map((c) => [
    String(c.n), String(c.jobs), fmtMs(c.criticalMs), fmtMs(c.boundMs), fmtMs(c.scheduleMs),
    fmtRatio(c.scheduleMs / c.criticalMs), fmtRatio(c.scheduleMs / c.boundMs), `≤ ${fmtMs(restoreLimitMs(c.boundMs))}`,
    restoreVerdict(c), fmtMs(c.e2eMs), fmtMs(c.refE2eMs), fmtRatio(c.vsReference), `≤ ${fmtRatio(REFERENCE_LIMIT)}`,
    referenceVerdict(c), fmtMs(c.sequentialMs),
  ]);
  return table(head, rows);
}

/** Markdown table of what explains the restore figures: the ideal schedules, CPU, concurrency. */
export function restoreDiagnosisTable(cells: readonly RestoreCell[]): string {
  const head = ['containers', 'jobs', 'list-order ideal', 'critical-first ideal', 'restore − critical-first ideal',
    'reference restore', 'reference ÷ bound', 'overhead', 'reference overhead', 'overhead ÷ reference', 'hook CPU',
    'double CPU', 'max in flight'];
  const rows = cells.map((c) => [
    String(c.n), String(c.jobs), fmtMs(c.planOrderMs), fmtMs(c.criticalFirstMs), fmtMs(c.scheduleMs - c.criticalFirstMs),
    fmtMs(c.refScheduleMs), fmtRatio(c.refScheduleMs / c.boundMs), fmtMs(c.overheadMs), fmtMs(c.refOverheadMs),
    fmtRatio(c.overheadVsReference), fmtMs(c.hookCpuMs), fmtMs(c.doubleCpuMs), String(c.maxInFlight),
  ]);
  return table(head, rows);
}

/** One row of the other figures. */
export interface FigureRow {
  figure: string;
  value: string;
  target: string;
  verdict: Verdict;
  note?: string;
}

/** Markdown table of figure rows. */
export function figureTable(rows: readonly FigureRow[]): string {
  return table(['figure', 'measured', 'target', '', 'note'], rows.map((r) => [r.figure, r.value, r.target, r.verdict, r.note ?? '']));
}

/** A ratio against a limit: ok when ≤. */
export function ratioRow(figure: string, ratio: number, limit: number | undefined, note?: string): FigureRow {
  const row: FigureRow = {
    figure, value: fmtRatio(ratio), target: limit === undefined ? '—' : `≤ ${fmtRatio(limit)}`,
    verdict: limit === undefined ? '—' : Number.isFinite(ratio) && ratio <= limit ? 'ok' : '**MISS**',
  };
  if (note !== undefined) row.note = note;
  return row;
}

/** Probe counts at two sizes: ok when the count does not grow with the number of containers. */
export function probeRow(figure: string, small: readonly number[], large: readonly number[], sizes: [number, number]): FigureRow {
  const a = median(small);
  const b = median(large);
  const constant = small.every((x) => x === small[0]) && large.every((x) => x === large[0]) && a === b;
  return { figure, value: `${fmtCount(a)} at ${sizes[0]}, ${fmtCount(b)} at ${sizes[1]}`, target: 'same at every size',
    verdict: constant ? 'ok' : '**MISS**' };
}

function fmtCount(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

export function rssRow(peaks: readonly number[], n: number): FigureRow {
  const m = median(peaks);
  return { figure: `peak RSS of hook.js restore, ${n} containers`, value: fmtMiB(m), target: `≤ ${fmtMiB(RSS_LIMIT_BYTES)}`,
    verdict: Number.isFinite(m) && m <= RSS_LIMIT_BYTES ? 'ok' : '**MISS**', note: `max of ${peaks.length} runs ${fmtMiB(Math.max(...peaks))}` };
}

/** A markdown table with a header row. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}
