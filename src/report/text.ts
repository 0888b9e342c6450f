// `kleene-boot report` for people and for machines: the run, blame, the critical chain and the
// account of the time, as lines or as one JSON document. Pure.
import type { RunRecord } from '../record/schema.ts';
import { outcomeWord, printable } from '../model/run.ts';
import { accounting, blame, criticalChain, peakInFlight, type Accounting, type BlameEntry, type ChainLink } from './analyze.ts';

export interface Analysis {
  blame: BlameEntry[];
  criticalChain: ChainLink[];
  accounting: Accounting;
}

export function analyze(rec: RunRecord): Analysis {
  const chain = criticalChain(rec);
  return { blame: blame(rec), criticalChain: chain, accounting: accounting(rec, chain) };
}

/** `1234 ms` below 10 s, `12.3 s` above (as the bench prints). */
export function fmtMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `56 min 38 s` from a minute on, else fmtMs. */
export function fmtLong(ms: number): string {
  if (ms < 60_000) return fmtMs(ms);
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} h ` : ''}${m} min ${s % 60} s`;
}

/** systemd-analyze's `1.234s`. */
function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/** The run's heading: command, when, how it ended, how long, and what bounded it. */
export function runHeading(rec: RunRecord): string {
  const r = rec.run;
  const when = r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  const up = r.bootedAt !== undefined ? `, ${fmtLong(Date.parse(r.startedAt) - Date.parse(r.bootedAt))} after boot` : '';
  return printable(`${r.summary} (${when}${up}; took ${fmtMs(r.totalMs)}, ${r.command === 'stop' ? stopBounds(rec) : `jobs ${r.jobs}`})`);
}

/** What bounded a stop: stops at once (and how many ran at once), each stop's timeout and whether it was shortened. */
function stopBounds(rec: RunRecord): string {
  const r = rec.run;
  const peak = peakInFlight(rec);
  const s = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;
  const at = `up to ${r.jobs} stop${r.jobs === 1 ? '' : 's'} at once (${peak} ran at once)`;
  if (r.stop === undefined) return at;
  return r.stop.timeoutMs < r.stop.configuredTimeoutMs
    ? `${at}, each cut at ${s(r.stop.timeoutMs)} (of ${s(r.stop.configuredTimeoutMs)}) to fit rcshutdown_timeout`
    : `${at}, each within ${s(r.stop.timeoutMs)}`;
}

function who(x: { id?: string; name: string }): string {
  return printable(x.id !== undefined ? `${x.name} (${x.id})` : x.name);
}

/** The whole report as lines. */
export function reportText(rec: RunRecord, file: string, a: Analysis = analyze(rec)): string[] {
  const verb = rec.run.command === 'stop' ? 'stop' : 'start';
  const out = [`record: ${printable(file)}`, runHeading(rec)];
  for (const n of rec.run.notes) out.push(`  ${printable(n)}`);
  out.push('', `blame (${verb} request to ${verb === 'start' ? 'ready' : 'stopped'}, slowest first):`);
  if (a.blame.length === 0) out.push(`  nothing was ${verb === 'start' ? 'started' : 'stopped'}`);
  const w = Math.max(0, ...a.blame.map((b) => fmtMs(b.ms).length));
  for (const b of a.blame) out.push(`  ${fmtMs(b.ms).padStart(w)}  ${who(b)}${b.outcome === (verb === 'start' ? 'started' : 'stopped') ? '' : `: ${outcomeWord(b.outcome)}`}`);
  out.push('', verb === 'stop'
    ? 'critical chain (@ when it was stopped, + its own stop, waited: since it could have been asked to stop, its dependents stopped):'
    : 'critical chain (@ when it was up, + its own time, waited: since it could have been asked for):');
  if (a.criticalChain.length === 0) out.push('  none: nothing was acted on');
  const chain = [...a.criticalChain].reverse();
  chain.forEach((l, k) => {
    const lead = k === 0 ? '  ' : `  ${'  '.repeat(k - 1)}└─`;
    const jobs = l.jobsWaitMs > 0 ? `, ${secs(l.jobsWaitMs)} of it at the ${verb === 'stop' ? 'stop ' : ''}jobs limit` : '';
    const how = l.outcome === 'started' || l.outcome === 'stopped' ? '' : ` ${outcomeWord(l.outcome)}`;
    out.push(`${lead}${who(l)}${how} @${secs(l.atMs)} +${secs(l.ownMs)} waited ${secs(l.waitedMs)}${jobs}`);
  });
  out.push('', ...accountingLines(rec, a.accounting));
  return out;
}

/** "where the time went": parts that add up to the run's total. */
export function accountingLines(rec: RunRecord, t: Accounting): string[] {
  const rows: [string, number, string][] = [
    ["waiting for kleened's API", t.kleenedWaitMs, ''],
    [t.links > 0 ? 'inventory and plan' : 'inventory, plan and the rest', t.beforeChainMs,
      rec.run.inventoryMs !== undefined && t.links > 0 ? `(inventory took ${fmtMs(rec.run.inventoryMs)} in all)` : ''],
  ];
  if (t.links > 0) {
    const stop = rec.run.command === 'stop';
    rows.push([`critical chain, ${stop ? 'stopping' : 'starting'}`, t.chainOwnMs, `(${t.links} container${t.links === 1 ? '' : 's'})`]);
    const hook = t.chainWaitMs - t.chainJobsWaitMs;
    rows.push(['critical chain, waiting', t.chainWaitMs, t.chainWaitMs > 0
      ? stop
        ? `(${fmtMs(t.chainJobsWaitMs)} at the limit of ${rec.run.jobs} stop${rec.run.jobs === 1 ? '' : 's'} at once, ${fmtMs(hook)} between one stop ending and the next asked for)`
        : `(${fmtMs(t.chainJobsWaitMs)} at the jobs limit of ${rec.run.jobs}, ${fmtMs(hook)} between one link up and the next asked for)` : '']);
    rows.push([stop ? 'after the last stop' : 'after the last was up', t.afterMs, stop ? '(checking the jails are gone, the report)' : '(confirming jails, the report)']);
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => fmtMs(r[1]).length));
  return [`where the time went (${fmtMs(t.totalMs)}):`, ...rows.map(([k, ms, note]) => `  ${k.padEnd(w)}  ${fmtMs(ms).padStart(v)}${note ? `  ${note}` : ''}`)];
}

/** The report as one JSON document. */
export function reportJson(rec: RunRecord, file: string, a: Analysis = analyze(rec)): string {
  return JSON.stringify({ record: file, run: rec.run, blame: a.blame, criticalChain: a.criticalChain, accounting: a.accounting }, null, 2);
}
