// The timeline of a run as one self-contained SVG (no scripts, fonts or links): one row per
// container in the order it was asked for, a bar from its request to ready (stopped) coloured by
// outcome, a thin line for the wait before it (since what it waited for ended, or since the plan
// was made), the phases before the first request as bands, a time axis in seconds, the critical
// chain outlined, a legend entry for every colour and mark drawn, and the run's summary as the
// title, wrapped to the picture's width. Rows have a fixed height, so 500 containers make a
// taller picture, not a denser one. Pure.
import type { ContainerRecord, RunRecord } from '../record/schema.ts';
import { outcomeWord } from '../model/run.ts';
import { finishMs, waitedOn, type ChainLink } from './analyze.ts';
import { analyze, fmtMs, runHeading } from './text.ts';

const ROW = 16;
const BAR = 10;
const CHART_W = 960;
const PAD = 12;
const HEAD = 74;
const CHAR_W = 6.6;
const MAX_LABEL = 40;

const COLOUR: Record<string, string> = {
  started: '#2e9d4f', 'started-by-kleened': '#6cc08b', 'kleened-starts': '#6cc08b', stopped: '#2f6fb5', running: '#9aa5b1', 'not-running': '#9aa5b1',
  failed: '#d1362f', 'timed-out': '#e8891d', 'blocked': '#b05ac9', 'blocked-dependency': '#b05ac9', cycle: '#b05ac9',
};
const colourOf = (o: string): string => COLOUR[o] ?? '#6b7785';
/** The phase bands behind the rows, and the wait line before a request. */
const BAND = { kleened: '#fdf3d8', inventory: '#e6f0fa' };
const WAIT = '#8a8a8a';

/** Text safe inside XML: the five entities; characters XML 1.0 forbids (controls, lone surrogates) as `\xNN`. */
export function xmlText(s: string): string {
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A tick step in ms giving about `want` ticks over `span` ms: 1, 2 or 5 × a power of ten. */
export function tickStep(span: number, want = 10): number {
  const raw = Math.max(1, span / want);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function label(c: { name: string }): string {
  return c.name.length > MAX_LABEL ? `${c.name.slice(0, MAX_LABEL - 1)}…` : c.name;
}

/** Bold 14 px title characters, wide enough for DejaVu Sans Bold's digits: a title line never outgrows the picture. */
const TITLE_CHAR_W = 9.8;
const TITLE_LINE = 18;
const LEGEND_LINE = 16;

/**
 * `text` broken at spaces into lines of at most `max` characters (a longer word is cut), so the
 * title fits the picture's width whatever the summary says.
 */
export function wrapText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf(' ', max);
    if (at <= 0) at = max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}

type Swatch = { kind: 'fill'; colour: string } | { kind: 'band'; colour: string } | { kind: 'line'; colour: string }
  | { kind: 'dash'; colour: string } | { kind: 'outline' };

/** The timeline of `rec` as SVG text. */
export function timelineSvg(rec: RunRecord, chain: readonly ChainLink[] = analyze(rec).criticalChain): string {
  const acted = rec.containers.filter((c) => c.requestedMs !== undefined).sort((a, b) => a.requestedMs! - b.requestedMs!);
  const rest = rec.containers.filter((c) => c.requestedMs === undefined);
  const rows = [...acted, ...rest];
  const onChain = new Set(chain.map((l) => l.id ?? l.name));
  const key = (c: ContainerRecord): string => c.id ?? c.name;
  const span = Math.max(1, rec.run.totalMs, ...acted.map((c) => finishMs(c) ?? c.requestedMs!));
  const labelW = Math.ceil(Math.min(MAX_LABEL, Math.max(8, ...rows.map((c) => label(c).length))) * CHAR_W) + PAD;
  const x0 = PAD + labelW;
  const scale = CHART_W / span;
  const X = (ms: number): number => +(x0 + ms * scale).toFixed(1);
  const width = x0 + CHART_W + PAD * 2;
  const planned = Math.min(span, (rec.run.kleenedWaitMs ?? 0) + (rec.run.inventoryMs ?? 0));
  const title = runHeading(rec);
  const stop = rec.run.command === 'stop';
  const kw = Math.min(rec.run.kleenedWaitMs ?? 0, span);

  // What the picture holds, each with its legend entry: outcome colours, the phase bands, the wait line, the chain.
  const legend: [Swatch, string][] = [];
  const byColour = new Map<string, string[]>();
  for (const c of rows) {
    const words = byColour.get(colourOf(c.outcome)) ?? byColour.set(colourOf(c.outcome), []).get(colourOf(c.outcome))!;
    const w = outcomeWord(c.outcome);
    if (!words.includes(w)) words.push(w);
  }
  for (const [colour, words] of byColour) legend.push([{ kind: 'fill', colour }, words.join(' / ')]);
  if (kw > 0) legend.push([{ kind: 'band', colour: BAND.kleened }, "waiting for kleened's API"]);
  if (planned > kw) legend.push([{ kind: 'band', colour: BAND.inventory }, 'inventory and plan']);
  legend.push([{ kind: 'line', colour: WAIT }, stop ? 'wait before the stop request (its dependents stopping, a free slot)' : 'wait before the start request (its dependencies, a free slot)']);
  if (chain.length > 0) legend.push([{ kind: 'outline' }, 'critical chain']);
  legend.push([{ kind: 'dash', colour: '#555' }, 'end of the run']);

  const titleLines = wrapText(title, Math.floor((width - 2 * PAD) / TITLE_CHAR_W));
  const chainY = 22 + titleLines.length * TITLE_LINE;
  // Legend entries laid out left to right, a new line when the next would not fit.
  const placed: { x: number; y: number; sw: Swatch; text: string }[] = [];
  let lx = PAD;
  let ly = chainY + 10;
  for (const [sw, text] of legend) {
    const w = 34 + text.length * CHAR_W;
    if (lx > PAD && lx + w > width - PAD) {
      lx = PAD;
      ly += LEGEND_LINE;
    }
    placed.push({ x: lx, y: ly, sw, text });
    lx += w;
  }
  const top = ly + LEGEND_LINE + 24;
  const height = top + Math.max(1, rows.length) * ROW + 40;

  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11">`);
  o.push(`<title>${xmlText(title)}</title>`);
  o.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  titleLines.forEach((l, k) => o.push(`<text class="title" x="${PAD}" y="${22 + k * TITLE_LINE}" font-size="14" font-weight="bold">${xmlText(l)}</text>`));
  const names = chain.map((l) => l.name).join(' → ');
  const crit = chain.length ? stop ? `critical chain of stops (outlined), first stopped first: ${names}` : `critical chain (outlined): ${names}` : 'critical chain: none';
  o.push(`<text x="${PAD}" y="${chainY}" fill="#333">${xmlText(crit.length > 220 ? `${crit.slice(0, 219)}…` : crit)}</text>`);
  o.push('<g class="legend">');
  for (const p of placed) {
    const y = p.y;
    const sw = p.sw;
    if (sw.kind === 'fill') o.push(`<rect x="${p.x}" y="${y}" width="24" height="${BAR}" fill="${sw.colour}"/>`);
    else if (sw.kind === 'band') o.push(`<rect x="${p.x}" y="${y - 2}" width="24" height="${BAR + 4}" fill="${sw.colour}" stroke="#c9c9c9" stroke-width="0.5"/>`);
    else if (sw.kind === 'line') o.push(`<line x1="${p.x}" y1="${y + BAR / 2}" x2="${p.x + 24}" y2="${y + BAR / 2}" stroke="${sw.colour}" stroke-width="2"/>`);
    else if (sw.kind === 'dash') o.push(`<line x1="${p.x + 12}" y1="${y - 2}" x2="${p.x + 12}" y2="${y + BAR + 2}" stroke="${sw.colour}" stroke-dasharray="3,3"/>`);
    else o.push(`<rect x="${p.x}" y="${y}" width="24" height="${BAR}" fill="#ffffff" stroke="#000" stroke-width="1.6"/>`);
    o.push(`<text x="${p.x + 30}" y="${y + 9}">${xmlText(p.text)}</text>`);
  }
  o.push('</g>');
  // Phases before the first request, as bands behind the rows.
  const bandH = rows.length * ROW;
  if (kw > 0) o.push(`<rect x="${X(0)}" y="${top}" width="${(kw * scale).toFixed(1)}" height="${bandH}" fill="${BAND.kleened}"><title>waiting for kleened's API: ${fmtMs(kw)}</title></rect>`);
  if (planned > kw) o.push(`<rect x="${X(kw)}" y="${top}" width="${((planned - kw) * scale).toFixed(1)}" height="${bandH}" fill="${BAND.inventory}"><title>inventory and plan: ${fmtMs(planned - kw)}</title></rect>`);
  // Axis: ticks and grid lines in seconds, at the top and the bottom.
  const step = tickStep(span);
  const digits = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  const bottom = top + bandH;
  for (let t = 0; t <= span + 1e-9; t += step) {
    const x = X(t);
    o.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom + 4}" stroke="#e3e3e3"/>`);
    const sec = `${(t / 1000).toFixed(digits)} s`;
    o.push(`<text x="${x}" y="${top - 8}" text-anchor="middle" fill="#555">${sec}</text><text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#555">${sec}</text>`);
  }
  o.push(`<line x1="${X(span)}" y1="${top - 4}" x2="${X(span)}" y2="${bottom + 4}" stroke="#555" stroke-dasharray="3,3"><title>end of the run: ${fmtMs(rec.run.totalMs)}</title></line>`);
  // Rows.
  const at = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
  rows.forEach((c, k) => {
    const y = top + k * ROW;
    const mid = y + ROW / 2;
    const bold = onChain.has(key(c));
    if (k % 2 === 1) o.push(`<rect x="${PAD}" y="${y}" width="${width - 2 * PAD}" height="${ROW}" fill="#000" fill-opacity="0.03"/>`);
    o.push(`<text x="${x0 - 6}" y="${mid + 4}" text-anchor="end"${bold ? ' font-weight="bold"' : ''}>${xmlText(label(c))}</text>`);
    const word = outcomeWord(c.outcome);
    const who = `${c.name}${c.id ? ` (${c.id})` : ''}`;
    if (c.requestedMs === undefined) {
      const never = stop ? (c.outcome === 'not-running' ? 'nothing to stop' : 'never asked to stop') : 'never asked to start';
      const tip = `${who}: ${word}${c.reason ? `: ${c.reason}` : ''}; ${never}`;
      o.push(`<text x="${x0 + 4}" y="${mid + 4}" fill="${colourOf(c.outcome)}"><title>${xmlText(tip)}</title>${xmlText(`${word}${c.reason ? `: ${c.reason}` : ''}`.slice(0, 160))}</text>`);
      return;
    }
    const r = c.requestedMs;
    const end = finishMs(c) ?? r;
    // The wait: since what it waited for ended last (its dependencies up; for stop, the stops it waited for), or since the plan.
    let from = Math.min(r, planned);
    for (const p of waitedOn(rec, c)) {
      const f = finishMs(p);
      if (f !== undefined && f <= r && f > from) from = f;
    }
    if (r - from > 0) o.push(`<line x1="${X(from)}" y1="${mid}" x2="${X(r)}" y2="${mid}" stroke="${WAIT}" stroke-width="2"/>`);
    const w = Math.max(1.5, (end - r) * scale);
    const ended = c.outcome === 'started' || c.outcome === 'started-by-kleened' ? 'up' : c.outcome === 'stopped' ? 'stopped' : word;
    const tip = `${who}: ${word}${c.reason ? `: ${c.reason}` : ''}; waited ${fmtMs(r - from)}, ${stop ? 'stop ' : ''}asked at ${at(r)}, ${ended} at ${at(end)} (${fmtMs(end - r)})`;
    o.push(`<rect x="${X(r)}" y="${y + (ROW - BAR) / 2}" width="${w.toFixed(1)}" height="${BAR}" fill="${colourOf(c.outcome)}"${bold ? ' stroke="#000" stroke-width="1.6"' : ''}><title>${xmlText(tip)}</title></rect>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}
