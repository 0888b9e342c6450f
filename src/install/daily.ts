// `kleene-boot daily`, the report periodic(8) puts in the daily mail: listed containers that are
// not running now, what the last restore (boot) failed to start and why, and doctor's problems.
// A few lines, or nothing at all when everything is as configured. Reads only: one container
// list from kleened, bounded by the caller's timeout; never starts or stops anything.
import { splitList } from '../model/config.ts';
import { parseYesNo } from '../model/knobs.ts';
import type { ContainerSummary } from '../kleened/types.ts';
import { formatError } from '../errors.ts';
import { readLatestRecord, recordDir } from '../record/store.ts';
import type { RunRecord } from '../record/schema.ts';
import type { Outcome } from '../model/run.ts';
import { diagnose, type DoctorFacts } from './doctor.ts';
import { gatherFacts, type ContainerLister } from './doctor-facts.ts';
import { resolveRoot } from './paths.ts';

export interface DailyFacts {
  doctor: DoctorFacts;
  /** The newest restore record; absent before the first restore; a reason when unreadable. */
  record?: { ok: true; record: RunRecord } | { ok: false; reason: string };
}

export interface DailyDeps {
  /** Bound of kleened's answer to the one container list, in ms. */
  timeoutMs: number;
  listContainers?: ContainerLister;
}

/** Gathers doctor's facts (one container list, bounded by timeoutMs) and the newest restore record. */
export async function gatherDaily(rawRoot: string, deps: DailyDeps): Promise<DailyFacts> {
  const root = await resolveRoot(rawRoot);
  const doctor = await gatherFacts(root, { apiTimeoutMs: deps.timeoutMs, listContainers: deps.listContainers });
  let record: DailyFacts['record'];
  try {
    record = { ok: true, record: (await readLatestRecord(recordDir(root), 'restore')).record };
  } catch (e) {
    if ((e as { code?: string }).code !== 'no-record') record = { ok: false, reason: formatError(e).replace(/^kleene-boot: /, '').replace(/\n\s*/g, '; ') };
  }
  return { doctor, record };
}

/** Outcomes of a restore that left a listed container down. */
const LEFT_DOWN: ReadonlySet<Outcome> = new Set(['failed', 'timed-out', 'blocked', 'blocked-dependency', 'cycle', 'unknown', 'ambiguous']);

const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
const label = (c: { name: string; id?: string }) => (c.id ? `${c.name} (${c.id.slice(0, 12)})` : c.name);

/** The report's lines; none when everything is as configured. Pure. */
export function dailyLines(f: DailyFacts): string[] {
  const out: string[] = [];
  const d = f.doctor;
  const rc = 'error' in d.rc ? undefined : d.rc;
  const on = (v: string | undefined) => v !== undefined && parseYesNo(v) === true;
  const restoring = on(rc?.kleene_containers.get('kleene_containers_enable'));
  const kleenedOn = on(rc?.kleened.get('kleened_enable'));

  if (!d.containers.ok) {
    if (restoring || kleenedOn) out.push(`${d.containers.reason}: listed containers not checked`);
  } else if (restoring && rc) {
    const list = d.containers.list;
    const matches = (e: string) => list.filter((c: ContainerSummary) => e === c.name || e === c.id || (e.length >= 12 && c.id.startsWith(e)));
    for (const entry of splitList(rc.kleene_containers.get('kleene_containers_list') ?? '')) {
      const m = matches(entry);
      if (m.length === 0) out.push(`${entry}: in kleene_containers_list, unknown to kleened`);
      else if (!m.some((c) => c.running === true)) out.push(`${label(m[0]!)}: not running (listed in kleene_containers_list)`);
    }
  }

  if (f.record && !f.record.ok) out.push(`last restore: ${f.record.reason}`);
  if (f.record?.ok) {
    const r = f.record.record;
    const down = r.containers.filter((c) => LEFT_DOWN.has(c.outcome));
    if (!r.run.ok || down.length > 0) {
      out.push(`last restore, ${utc(r.run.startedAt)}: ${r.run.summary}`);
      for (const c of down) out.push(`  ${label(c)}: ${c.outcome.replace('-', ' ')}${c.reason ? `: ${c.reason}` : ''}`);
    }
  }

  for (const p of diagnose(d).filter((x) => x.severity === 'problem')) {
    out.push(`doctor: ${p.message}`);
    if (p.fix) out.push(`  fix: ${p.fix}`);
  }
  return out;
}
