// Where a critical-path-bound restore loses time: runs one restore (hook and reference) and
// prints, for every dependency link, the time from the last dependency's Close 1001 to the
// dependent's start frame, as the double logged them, and the first frame after the first
// exec/create. Diagnosis only (the bench's tables are in bench/run.ts).
//   node --import tsx bench/links.ts [N] [JOBS] [RUNS]
import { layeredGraph } from './graph.ts';
import { runRestore } from './sim.ts';
import { median } from './stats.ts';

const n = Number(process.argv[2] ?? 50);
const jobs = Number(process.argv[3] ?? 16);
const runs = Number(process.argv[4] ?? 3);
const graph = layeredGraph({ n });

for (const restorer of ['hook', 'reference'] as const) {
  const links: number[] = [];
  const toJls: number[] = [];
  const jlsRun: number[] = [];
  const afterJls: number[] = [];
  const firsts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await runRestore({ graph, jobs, delayMs: 200, restorer });
    const nameOfId = new Map<string, string>();
    const frameAt = new Map<string, number>();
    const connOf = new Map<number, string>();
    for (const e of run.log) {
      if (e.kind === 'ws' && e.dir === 'in' && e.container_id !== undefined && e.conn !== undefined) {
        connOf.set(e.conn, e.container_id);
        frameAt.set(e.container_id, e.t_ms);
      }
    }
    const closeAt = new Map<string, number>();
    for (const e of run.log) if (e.kind === 'ws' && e.dir === 'out' && e.close === 1001 && e.conn !== undefined) closeAt.set(connOf.get(e.conn)!, e.t_ms);
    // container ids are the names' ids in the double: map by the create bodies' order is not needed, names are ids' names
    for (const e of run.log) {
      const body = e.body as { container_id?: string } | undefined;
      if (e.path === '/exec/create' && body?.container_id) nameOfId.set(body.container_id, body.container_id);
    }
    const idByName = new Map<string, string>();
    for (const [name, t] of Object.entries(run.timeline)) void t, idByName.set(name, name);
    // The double's ids: its state names containers; the log carries ids. Match via timeline createMs.
    const createAt = new Map<string, number>();
    for (const e of run.log) {
      const body = e.body as { container_id?: string } | undefined;
      if (e.path === '/exec/create' && body?.container_id && !createAt.has(body.container_id)) createAt.set(body.container_id, e.t_ms);
    }
    const idOf = new Map<string, string>();
    for (const [name, tl] of Object.entries(run.timeline)) {
      for (const [id, t] of createAt) if (t === tl.createMs && !idOf.has(name) && ![...idOf.values()].includes(id)) { idOf.set(name, id); break; }
    }
    for (const node of graph) {
      if (node.depends.length === 0) continue;
      const id = idOf.get(node.name);
      const deps = node.depends.map((d) => closeAt.get(idOf.get(d) ?? '') ?? NaN);
      const f = id ? frameAt.get(id) : undefined;
      if (f !== undefined && deps.every((x) => !Number.isNaN(x))) {
        const c = Math.max(...deps);
        links.push(f - c);
        // The jls call that confirmed the last dependency: the first to begin after its 1001.
        const call = run.jlsIntervals.filter(([s]) => s >= c).sort((a, b) => a[0] - b[0])[0];
        if (call && call[1] <= f) {
          toJls.push(call[0] - c);
          jlsRun.push(call[1] - call[0]);
          afterJls.push(f - call[1]);
        }
      }
    }
    const firstCreate = Math.min(...createAt.values());
    firsts.push(Math.min(...frameAt.values()) - firstCreate);
    process.stderr.write(`${restorer} run ${r + 1}: restore ${run.scheduleMs} ms, end to end ${run.e2eMs.toFixed(0)} ms, overhead ${run.overheadMs} ms\n`);
  }
  links.sort((a, b) => a - b);
  const q = (p: number) => links[Math.min(links.length - 1, Math.floor(p * links.length))]!;
  if (toJls.length > 0) console.log(`  of which: 1001 → next jls begins ${median(toJls)} ms, jls runs ${median(jlsRun)} ms, jls ends → frame ${median(afterJls)} ms (medians of ${toJls.length})`);
  console.log(`${restorer}: ${links.length} links; 1001 → dependent's frame: median ${median(links)} ms, p10 ${q(0.1)}, p90 ${q(0.9)}, max ${q(1)}; first create → first frame ${median(firsts)} ms`);
}
