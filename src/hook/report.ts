// The run's report: one line per container and a summary, the same lines on stdout and in
// syslog, or one JSON document for machines.
import { OUTCOME_WORDS, outcomeWord, printable, type ContainerResult } from '../model/run.ts';

/** `NAME (ID): outcome[: reason]` for one container, on one line whatever the name or reason hold. */
export function resultLine(r: ContainerResult): string {
  const who = r.id ? `${r.name} (${r.id})` : r.entry;
  return printable(`${who}: ${outcomeWord(r.outcome)}${r.reason ? `: ${r.reason}` : ''}`);
}

/** `N started, M already running, …` counting only outcomes that occur, in a fixed order. */
export function summaryLine(verb: string, results: ContainerResult[], ok: boolean): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(outcomeWord(r.outcome), (counts.get(outcomeWord(r.outcome)) ?? 0) + 1);
  const parts = OUTCOME_WORDS.filter((w) => counts.has(w)).map((w) => `${counts.get(w)} ${w}`);
  const n = results.length;
  return `${verb}: ${ok ? 'ok' : 'FAILED'}: ${n} container${n === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export interface Report {
  command: string;
  ok: boolean;
  results: ContainerResult[];
  /** Warnings and errors not tied to one container (configuration, budgets, kleened down). */
  notes: string[];
}

/** The lines of a report: notes, one per container, then the summary. */
export function reportLines(rep: Report): string[] {
  return [...rep.notes.map(printable), ...rep.results.map(resultLine), summaryLine(rep.command, rep.results, rep.ok)];
}

/** The report as JSON for `--json`, with `extra` keys (the plan, for `plan`). */
export function reportJson(rep: Report, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ command: rep.command, ok: rep.ok, notes: rep.notes, containers: rep.results, ...extra }, null, 2);
}
