// The timeline of a run as one self-contained SVG (no scripts, fonts or links): one row per
// container in the order it was asked for, a bar from its request to ready coloured by outcome,
// a thin line for the wait before it (since its last dependency was up, or since the plan was
// made), the phases before the first start, a time axis in seconds, the critical chain drawn
// bold and the run's summary as the title. Rows have a fixed height, so 500 containers make a
// taller picture, not a denser one. Pure.
import type { ContainerRecord, RunRecord } from '../record/schema.ts';
import { outcomeWord } from '../model/run.ts';
import { finishMs, type ChainLink } from './analyze.ts';
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
  const top = HEAD + 22;
  const height = top + Math.max(1, rows.length) * ROW + 40;
  const planned = Math.min(span, (rec.run.kleenedWaitMs ?? 0) + (rec.run.inventoryMs ?? 0));
  const byId = new Map(rec.containers.filter((c) => c.id !== undefined).map((c) => [c.id!, c]));
  const title = runHeading(rec);
  const verb = rec.run.command === 'stop' ? 'stop' : 'start';

  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11">`);
  o.push(`<title>${xmlText(title)}</title>`);
  o.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  o.push(`<text x="${PAD}" y="22" font-size="14" font-weight="bold">${xmlText(title)}</text>`);
  const crit = chain.length ? `critical chain (bold): ${chain.map((l) => l.name).join(' → ')}` : 'critical chain: none';
  o.push(`<text x="${PAD}" y="40" fill="#333">${xmlText(crit.length > 220 ? `${crit.slice(0, 219)}…` : crit)}</text>`);
  // Legend.
  const legend: [string, string][] = [[verb === 'stop' ? 'stopped' : 'started', colourOf(verb === 'stop' ? 'stopped' : 'started')], ['failed', colourOf('failed')],
    ['timed out', colourOf('timed-out')], ['blocked', colourOf('blocked')], ['already running / not running', colourOf('running')]];
  let lx = PAD;
  for (const [name, colour] of legend) {
    o.push(`<rect x="${lx}" y="50" width="12" height="${BAR}" fill="${colour}"/><text x="${lx + 16}" y="59">${xmlText(name)}</text>`);
    lx += 28 + name.length * CHAR_W;
  }
  o.push(`<line x1="${lx}" y1="55" x2="${lx + 24}" y2="55" stroke="#8a8a8a" stroke-width="2"/><text x="${lx + 28}" y="59">wait before the ${verb} request</text>`);
  // Phases before the first start, as bands behind the rows.
  const bandH = rows.length * ROW;
  const kw = Math.min(rec.run.kleenedWaitMs ?? 0, span);
  if (kw > 0) o.push(`<rect x="${X(0)}" y="${top}" width="${(kw * scale).toFixed(1)}" height="${bandH}" fill="#fdf3d8"><title>waiting for kleened's API: ${fmtMs(kw)}</title></rect>`);
  if (planned > kw) o.push(`<rect x="${X(kw)}" y="${top}" width="${((planned - kw) * scale).toFixed(1)}" height="${bandH}" fill="#e6f0fa"><title>inventory and plan: ${fmtMs(planned - kw)}</title></rect>`);
  // Axis: ticks and grid lines in seconds, at the top and the bottom.
  const step = tickStep(span);
  const digits = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  const bottom = top + bandH;
  for (let t = 0; t <= span + 1e-9; t += step) {
    const x = X(t);
    o.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom + 4}" stroke="#e3e3e3"/>`);
    const s = `${(t / 1000).toFixed(digits)} s`;
    o.push(`<text x="${x}" y="${top - 8}" text-anchor="middle" fill="#555">${s}</text><text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#555">${s}</text>`);
  }
  o.push(`<line x1="${X(span)}" y1="${top - 4}" x2="${X(span)}" y2="${bottom + 4}" stroke="#555" stroke-dasharray="3,3"><title>end of the run: ${fmtMs(rec.run.totalMs)}</title></line>`);
  // Rows.
  rows.forEach((c, k) => {
    const y = top + k * ROW;
    const mid = y + ROW / 2;
    const bold = onChain.has(key(c));
    if (k % 2 === 1) o.push(`<rect x="${PAD}" y="${y}" width="${width - 2 * PAD}" height="${ROW}" fill="#000" fill-opacity="0.03"/>`);
    o.push(`<text x="${x0 - 6}" y="${mid + 4}" text-anchor="end"${bold ? ' font-weight="bold"' : ''}>${xmlText(label(c))}</text>`);
    const word = outcomeWord(c.outcome);
    if (c.requestedMs === undefined) {
      o.push(`<text x="${x0 + 4}" y="${mid + 4}" fill="${colourOf(c.outcome)}">${xmlText(`${word}${c.reason ? `: ${c.reason}` : ''}`.slice(0, 160))}</text>`);
      return;
    }
    const r = c.requestedMs;
    const end = finishMs(c) ?? r;
    // The wait: since the dependency that was up last (for stop, the dependent that stopped last), or since the plan.
    const preds = rec.run.command === 'stop'
      ? rec.containers.filter((d) => c.id !== undefined && d.depends.includes(c.id))
      : c.depends.map((d) => byId.get(d)).filter((d): d is ContainerRecord => d !== undefined);
    let from = Math.min(r, planned);
    for (const p of preds) {
      const f = finishMs(p);
      if (f !== undefined && f <= r && f > from) from = f;
    }
    if (r - from > 0) o.push(`<line x1="${X(from)}" y1="${mid}" x2="${X(r)}" y2="${mid}" stroke="#8a8a8a" stroke-width="2"/>`);
    const w = Math.max(1.5, (end - r) * scale);
    const tip = `${c.name}${c.id ? ` (${c.id})` : ''}: ${word}${c.reason ? `: ${c.reason}` : ''}; waited ${fmtMs(r - from)}, asked at ${(r / 1000).toFixed(3)} s, up at ${(end / 1000).toFixed(3)} s (${fmtMs(end - r)})`;
    o.push(`<rect x="${X(r)}" y="${y + (ROW - BAR) / 2}" width="${w.toFixed(1)}" height="${BAR}" fill="${colourOf(c.outcome)}"${bold ? ' stroke="#000" stroke-width="1.6"' : ''}><title>${xmlText(tip)}</title></rect>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}
