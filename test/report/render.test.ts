// The timeline SVG parses as XML and renders with rsvg-convert (librsvg2-bin); the plan's DOT
// renders with Graphviz dot. Both tools are installed by scripts/test-deps.sh.
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Plan, PlanItem } from '../../src/plan/types.ts';
import { planDot } from '../../src/report/dot.ts';
import { tickStep, timelineSvg } from '../../src/report/svg.ts';
import { simTempDir } from '../helpers/sim-state.ts';
import { KNOWN, record } from './fixtures.ts';
import { checkWellFormed } from './xml.ts';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(file: string): { w: number; h: number } {
  const b = readFileSync(file);
  if (b.subarray(1, 4).toString() !== 'PNG') throw new Error(`${file} is not a PNG`);
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

async function rsvg(t: Test, svg: string): Promise<{ w: number; h: number }> {
  const dir = simTempDir(t.teardown.bind(t), 'ksvg-');
  writeFileSync(join(dir, 'x.svg'), svg);
  const r = await execa('rsvg-convert', ['-o', join(dir, 'x.png'), join(dir, 'x.svg')], { reject: false });
  t.equal(r.exitCode, 0, `rsvg-convert: ${r.stderr}`);
  return pngSize(join(dir, 'x.png'));
}

t.test('the timeline of a known run', async (t) => {
  const svg = timelineSvg(KNOWN);
  t.equal(checkWellFormed(svg), 'svg');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'standalone SVG a browser shows as it is');
  t.notMatch(svg, /<script|xlink:href|href=|@import|url\(/, 'self-contained: no scripts, links or external resources');
  t.match(svg, '<title>restore: ok: test (2026-11-29 23:00:00 UTC; took 1100 ms, jobs 4)</title>', 'the summary is the title');
  t.match(svg, 'critical chain (outlined): db → api → web');
  // Rows in the order they were asked for: db and cache at 300, worker 360, api 560, web 820, then the others.
  const labels = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end"( font-weight="bold")?>([^<]*)</g)].map((m) => `${m[2]}${m[1] ? '*' : ''}`);
  t.same(labels, ['db*', 'cache', 'worker', 'api*', 'web*', 'front', 'vol'], 'one row per container, chain in bold');
  t.match(svg, /fill="#d1362f"|fill="#2e9d4f"/);
  t.match(svg, />0\.2 s</, 'a time axis in seconds');
  t.match(svg, /vol[\s\S]*blocked: volume data/, 'a blocked container says why');
  const png = await rsvg(t, svg);
  t.ok(png.w > 1000 && png.h > 150, `rendered ${png.w}×${png.h}`);
});

t.test('hostile names and reasons stay text', async (t) => {
  const rec = record([{ name: 'a<b>&"\'', requestedMs: 10, readyMs: 20, reason: 'x</text><script>alert(1)</script>\u0001\ud800' }]);
  const svg = timelineSvg(rec);
  // Mutation tried: xmlText without the '<' replacement: checkWellFormed throws and rsvg-convert fails.
  t.equal(checkWellFormed(svg), 'svg');
  t.notMatch(svg, '<script');
  await rsvg(t, svg);
});

t.test('500 containers: the picture grows in height, not in width', async (t) => {
  const many = record(Array.from({ length: 500 }, (_, i) => ({
    name: `c${i}`, depends: i >= 100 ? [`id-c${i - 100}`] : [], requestedMs: 300 + Math.floor(i / 100) * 210 + (i % 7), readyMs: 300 + Math.floor(i / 100) * 210 + 200 + (i % 7),
  })), { totalMs: 1500 });
  const small = timelineSvg(record([{ name: 'c0', requestedMs: 300, readyMs: 500 }], { totalMs: 1500 }));
  const svg = timelineSvg(many);
  checkWellFormed(svg);
  const size = (s: string) => /width="(\d+)" height="(\d+)"/.exec(s)!.slice(1).map(Number);
  t.equal(size(svg)[0], size(small)[0], 'same width');
  t.ok(size(svg)[1]! > 500 * 14, 'a row of its own for each container');
  t.ok(svg.length < 500 * 700, `about one row of markup per container (${svg.length} bytes)`);
  const png = await rsvg(t, svg);
  t.ok(png.h > 500 * 14);
  t.same([tickStep(1500), tickStep(25_000), tickStep(3)], [200, 5000, 1]);
});

const item = (name: string, over: Partial<PlanItem> = {}): PlanItem => ({
  id: `${name}00000000`.slice(0, 12), name, entry: name, source: 'list', priority: 50, ready: { kind: 'started' }, depends: [], decision: 'start', ...over,
});

t.test('plan --dot: nodes named with their decision, grouped by wave, rendered by dot', async (t) => {
  const db = item('db', { wave: 1 });
  const web = item('web', { wave: 2, depends: [db.id] });
  const old = item('old', { decision: 'running' });
  const vol = item('vol', { decision: 'blocked', reason: 'volume data: dataset "zroot/x" \\ missing' });
  const plan: Plan = { items: [db, old, vol, web], problems: [{ entry: 'ghost', variable: 'kleene_containers_list', kind: 'unknown', message: 'no container named ghost' }],
    waves: [[db.id], [web.id]], stopOrder: [web.id, db.id], budget: { startWorst: 120, stopWorst: 60, stopWaves: 2, stopJobs: 8, stopTimeoutMs: 30_000, stopBudgetMs: 63_000, rcshutdownTimeout: 90 } };
  const dot = planDot(plan);
  t.match(dot, /subgraph cluster_wave_1 \{\n    label="wave 1";[^\n]*\n    "db00000000" \[label="db\\nstart"/);
  t.match(dot, /subgraph cluster_wave_2 \{\n    label="wave 2";[^\n]*\n    "web00000000" \[label="web\\nstart"/);
  t.match(dot, '"old00000000" [label="old\\nalready running"');
  t.match(dot, 'label="vol\\nblocked: volume data: dataset\\n\\"zroot/x\\" \\\\ missing"');
  t.match(dot, '"db00000000" -> "web00000000";');
  const r = await execa('dot', ['-Tsvg'], { input: dot, reject: false });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(checkWellFormed(r.stdout.replace(/<!DOCTYPE[^>]*>/, '')), 'svg');
  for (const s of ['wave 1', 'wave 2', 'not started', 'already running', '&quot;zroot/x&quot; \\ missing', 'ghost']) t.match(r.stdout, s);
  // Mutation tried: dotString without escaping '"': dot fails with a syntax error.
});
