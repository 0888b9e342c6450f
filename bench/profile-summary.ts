// Summarises a V8 CPU profile (`node --cpu-prof`) the way the README's findings quote them:
// self time per function and per source file, largest first. With --until NAME, only the samples
// before the first one whose stack holds a function named NAME (e.g. the hook's first start:
// what the overhead to the first start is made of).
//   node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP] [--until NAME]
import { readFileSync } from 'node:fs';

/** The parts of a .cpuprofile this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine { key: string; ms: number }

/** Self time (ms) per `function (file:line)` and per file, each sorted largest first; with
 * `until`, only over the samples before the first whose stack holds a function of that name
 * (`total` is then the time up to that sample). */
export function summarise(p: CpuProfile, until?: string): { total: number; byFunction: ProfileLine[]; byFile: ProfileLine[]; inclusive: ProfileLine[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let end = p.samples.length;
  let untilMs = NaN;
  if (until !== undefined) {
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const holds = (id: number | undefined): boolean => {
      for (; id !== undefined; id = parent.get(id)) if (byId.get(id)?.callFrame.functionName === until) return true;
      return false;
    };
    let t = 0;
    for (let i = 0; i < p.samples.length; i++) {
      if (holds(p.samples[i])) { end = i; untilMs = t; break; }
      t += (p.timeDeltas[i] ?? 0) / 1000;
    }
  }
  p.samples.slice(0, end).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, ms] of self) {
    const cf = byId.get(id)!.callFrame;
    const short = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules|src|test)\//, '$1/') || '(native)';
    const k = `${cf.functionName || '(anonymous)'} (${short}:${cf.lineNumber + 1})`;
    fn.set(k, (fn.get(k) ?? 0) + ms);
    file.set(short, (file.get(short) ?? 0) + ms);
  }
  // Inclusive time per function: self time of the node and everything below it, counted once
  // per function even when it recurses.
  const incl = new Map<string, number>();
  const keyOf = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    return `${cf.functionName || '(anonymous)'} (${cf.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules|src|test)\//, '$1/') || '(native)'}:${cf.lineNumber + 1})`;
  };
  const walk = (id: number, open: Set<string>): number => {
    const n = byId.get(id)!;
    const k = keyOf(id);
    const fresh = !open.has(k);
    if (fresh) open.add(k);
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += walk(c, open);
    if (fresh) {
      open.delete(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
    return t;
  };
  const root = p.nodes[0];
  if (root) walk(root.id, new Set());
  const sorted = (m: Map<string, number>) => [...m].map(([key, ms]) => ({ key, ms })).sort((a, b) => b.ms - a.ms);
  const total = until !== undefined && Number.isFinite(untilMs) ? untilMs : (p.endTime - p.startTime) / 1000;
  return { total, byFunction: sorted(fn), byFile: sorted(file), inclusive: sorted(incl) };
}

if (process.argv[1] && /profile-summary\.ts$/.test(process.argv[1])) {
  const args = process.argv.slice(2);
  const u = args.indexOf('--until');
  const until = u >= 0 ? args.splice(u, 2)[1] : undefined;
  const [path, topText] = args;
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP] [--until FUNCTION]\n');
    process.exit(2);
  }
  const top = Number(topText ?? 15);
  const s = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, until);
  process.stdout.write(`profile ${path}: ${s.total.toFixed(0)} ms${until ? ` until the first sample in ${until}` : ''}\nself time by file:\n`);
  for (const l of s.byFile.slice(0, top)) process.stdout.write(`  ${l.ms.toFixed(1).padStart(8)} ms  ${l.key}\n`);
  process.stdout.write('total (inclusive) time by function:\n');
  for (const l of s.inclusive.slice(0, top)) process.stdout.write(`  ${l.ms.toFixed(1).padStart(8)} ms  ${l.key}\n`);
  process.stdout.write('self time by function:\n');
  for (const l of s.byFunction.slice(0, top)) process.stdout.write(`  ${l.ms.toFixed(1).padStart(8)} ms  ${l.key}\n`);
}
