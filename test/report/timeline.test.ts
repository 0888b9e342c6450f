// The timeline SVG tells the truth: its title fits the picture (checked on the pixels
// rsvg-convert draws), every colour and band drawn has a legend entry, a container that did not
// come up says what happened to it, and a stop record reads as a stop.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../../src/record/schema.ts';
import { timelineSvg } from '../../src/report/svg.ts';
import { runHeading } from '../../src/report/text.ts';
import { simTempDir } from '../helpers/sim-state.ts';
import { KNOWN, record } from './fixtures.ts';
import { darkColumns, readPng, type Png } from './png.ts';
import { checkWellFormed } from './xml.ts';

async function render(t: Test, svg: string): Promise<Png> {
  checkWellFormed(svg);
  const dir = simTempDir(t.teardown.bind(t), 'ktl-');
  writeFileSync(join(dir, 'x.svg'), svg);
  const r = await execa('rsvg-convert', ['-o', join(dir, 'x.png'), join(dir, 'x.svg')], { reject: false });
  t.equal(r.exitCode, 0, `rsvg-convert: ${r.stderr}`);
  return readPng(join(dir, 'x.png'));
}

const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** A stop of a chain web -> api -> db and others, one hung (timed out), one not running. */
const STOP: RunRecord = record([
  { name: 'web', depends: ['id-api'], waitedFor: [], requestedMs: 120, doneMs: 520, outcome: 'stopped' },
  { name: 'c1', waitedFor: [], requestedMs: 120, doneMs: 400, outcome: 'stopped' },
  { name: 'hung', waitedFor: [], requestedMs: 121, doneMs: 2121, outcome: 'timed-out', reason: 'kleened did not stop it within 2 s' },
  { name: 'api', depends: ['id-db'], waitedFor: ['id-web'], requestedMs: 521, doneMs: 900, outcome: 'stopped' },
  { name: 'db', waitedFor: ['id-api'], requestedMs: 901, doneMs: 1300, outcome: 'stopped' },
  { name: 'idle', outcome: 'not-running' },
], { command: 'stop', totalMs: 2200, jobs: 3, kleenedWaitMs: 40, inventoryMs: 60, summary: 'stop: failed: 6 containers: 4 stopped, 1 timed out, 1 not running',
  stop: { timeoutMs: 2000, configuredTimeoutMs: 30_000, budgetMs: 21_000, waves: 3, depth: 3 } });

const FAILS = record([
  { name: 'db', requestedMs: 300, doneMs: 528, outcome: 'failed', reason: 'kleened answered 1011: no such image' },
  { name: 'web', depends: ['id-db'], outcome: 'blocked-dependency', decision: 'blocked-dependency', reason: 'dependency db (id-db) failed' },
  { name: 'slow', requestedMs: 300, doneMs: 900, outcome: 'timed-out', reason: 'not ready within 3 s (tcp:10.0.0.2:80)' },
  { name: 'auto', requestedMs: 300, readyMs: 700, outcome: 'started-by-kleened' },
  { name: 'old', outcome: 'running', decision: 'running' },
], { totalMs: 1000 });

t.test('the title fits the picture at every width the tests use', async (t) => {
  const long = record([{ name: 'a', requestedMs: 300, readyMs: 500 }], {
    summary: `restore: failed: 523 containers: ${Array.from({ length: 12 }, (_, k) => `${k + 1} something else`).join(', ')}`,
    bootedAt: '2026-11-29T21:47:00.000Z',
  });
  const wide = record(Array.from({ length: 60 }, (_, i) => ({ name: `container-with-a-long-name-${i}`, requestedMs: 300 + i * 5, readyMs: 600 + i * 5 })));
  for (const [name, rec] of [['a known restore', KNOWN], ['a stop', STOP], ['a summary longer than any width', long], ['wide labels', wide]] as const) {
    const svg = timelineSvg(rec);
    const lines = [...svg.matchAll(/<text class="title" x="[\d.]+" y="([\d.]+)"[^>]*>([^<]*)</g)];
    t.equal(lines.map((m) => unescape(m[2]!)).join(' '), runHeading(rec), `${name}: the whole summary is in the title, "took … ms" and all`);
    const png = await render(t, svg);
    const lastY = Math.max(...lines.map((m) => Number(m[1])));
    const cols = darkColumns(png, 0, lastY + 5);
    if (!t.ok(cols, `${name}: the title is drawn`) || !cols) continue;
    // Text cut at the picture's edge would reach its last column.
    t.ok(cols[1] < png.w - 6, `${name}: the title ends at x=${cols[1]}, inside the ${png.w} px picture`);
  }
});

t.test('every colour and band in the picture has a legend entry', async (t) => {
  for (const [name, rec] of [['a known restore', KNOWN], ['a restore with failures', FAILS], ['a stop', STOP]] as const) {
    const svg = timelineSvg(rec);
    const [before, legend, after] = [svg.slice(0, svg.indexOf('<g class="legend">')), svg.slice(svg.indexOf('<g class="legend">'), svg.indexOf('</g>')), svg.slice(svg.indexOf('</g>'))];
    t.ok(legend.length > 0, `${name}: a legend`);
    const drawn = new Set<string>();
    // Bars, bands and the outcome text of rows not acted on; the wait line and the end of the run.
    for (const m of after.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"(?! fill-opacity)/g)) drawn.add(m[1]!);
    for (const m of after.matchAll(/<text [^>]*fill="(#[0-9a-f]{6})"/g)) if (m[1] !== '#555') drawn.add(m[1]!);
    for (const m of after.matchAll(/<line [^>]*stroke="(#[0-9a-f]{6})"/g)) if (m[1] !== '#e3e3e3') drawn.add(m[1]!);
    t.notOk(/fill="#[0-9a-f]{6}"/.test(before.replace(/<rect width="\d+" height="\d+" fill="#ffffff"\/>/, '').replace(/fill="#333"/g, '')), `${name}: nothing coloured outside the legend and the chart`);
    for (const colour of drawn) t.match(legend, `"${colour}"`, `${name}: ${colour} has a legend entry`);
    for (const band of after.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"><title>(waiting for kleened's API|inventory and plan)/g)) {
      t.match(legend, new RegExp(`fill="${band[1]}"[^\\n]*\\n<text [^>]*>${band[2]!.replace("'", '&apos;')}<`), `${name}: the ${band[2]} band is named`);
    }
    t.match(legend, /stroke="#000"[^\n]*\n<text [^>]*>critical chain</, `${name}: the outline of the chain is named`);
    await render(t, svg);
  }
});

t.test('a container that did not come up says what happened to it', async (t) => {
  const svg = unescape(timelineSvg(FAILS));
  t.match(svg, /<title>db \(id-db\): failed: kleened answered 1011: no such image; waited 0 ms, asked at 0\.300 s, failed at 0\.528 s \(228 ms\)<\/title>/);
  t.notMatch(svg, /db \(id-db\): failed[^<]*up at/, 'a failed start is never "up"');
  t.match(svg, /slow \(id-slow\): timed out: [^<]*timed out at 0\.900 s/);
  t.match(svg, /auto \(id-auto\): started by kleened; [^<]*up at 0\.700 s/);
  t.match(svg, /<title>web \(id-web\): blocked by dependency: dependency db \(id-db\) failed; never asked to start<\/title>/);
  t.match(svg, /<title>old \(id-old\): already running; never asked to start<\/title>/);
});

t.test('a stop record renders as a stop', async (t) => {
  const svg = timelineSvg(STOP);
  const text = unescape(svg);
  t.match(text, /<title>stop: failed: 6 containers: 4 stopped, 1 timed out, 1 not running \([^)]*took 2200 ms, up to 3 stops at once \(3 ran at once\), each cut at 2 s \(of 30 s\) to fit rcshutdown_timeout\)<\/title>/);
  t.match(text, 'critical chain of stops (outlined), first stopped first: web → api → db');
  t.match(text, /<title>api \(id-api\): stopped; waited 1 ms, stop asked at 0\.521 s, stopped at 0\.900 s \(379 ms\)<\/title>/);
  t.match(text, /hung \(id-hung\): timed out: kleened did not stop it within 2 s; [^<]*stop asked at 0\.121 s, timed out at 2\.121 s/);
  t.match(text, /<title>idle \(id-idle\): not running; nothing to stop<\/title>/);
  t.match(text, '>wait before the stop request (its dependents stopping, a free slot)<');
  t.notMatch(text, /start request|up at|when it was up/, 'no start wording');
  const png = await render(t, svg);
  t.ok(png.w > 1000 && png.h > 150, `rendered ${png.w}×${png.h}`);
});
