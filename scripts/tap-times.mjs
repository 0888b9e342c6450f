#!/usr/bin/env node
// Per-file times of a whole test run, as a markdown table: `npx tap --reporter=tap > FILE`, then
//   node scripts/tap-times.mjs FILE             one column
//   node scripts/tap-times.mjs BEFORE AFTER     two columns and the difference
// A file's time is its top-level `ok N - FILE # time=…ms` line: from its first test to its end,
// without the process start (node, the TypeScript loader, imports), which only tap's own clock
// (the last `# time=` line) includes. Files are sorted by the first column, slowest first.
import { readFileSync } from 'node:fs';

/** { files: Map(file -> ms), failed: Set(file), total: tap's clock in ms, tests: count } of one TAP file. */
function parse(path) {
  const files = new Map();
  const failed = new Set();
  let total;
  let tests;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(not )?ok \d+ - (\S+) # time=([\d.]+)ms/.exec(line);
    if (m) {
      files.set(m[2], Number(m[3]));
      if (m[1]) failed.add(m[2]);
      continue;
    }
    const t = /^# time=([\d.]+)ms/.exec(line);
    if (t) total = Number(t[1]);
    const c = /^# \{ total: (\d+)/.exec(line);
    if (c) tests = Number(c[1]);
  }
  return { files, failed, total, tests };
}

const s = (ms) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
const args = process.argv.slice(2);
if (args.length < 1 || args.length > 2) {
  process.stderr.write('usage: node scripts/tap-times.mjs RUN.tap [AFTER.tap]\n');
  process.exit(2);
}
const runs = args.map(parse);
const names = [...new Set(runs.flatMap((r) => [...r.files.keys()]))]
  .sort((a, b) => (runs[0].files.get(b) ?? 0) - (runs[0].files.get(a) ?? 0) || a.localeCompare(b));
const sum = (r) => [...r.files.values()].reduce((a, b) => a + b, 0);
const cell = (r, n) => `${s(r.files.get(n))}${r.failed.has(n) ? ' (failed)' : ''}`;
const two = runs.length === 2;
const out = [
  two ? '| file | before (s) | after (s) | change (s) |' : '| file | time (s) |',
  two ? '|---|---:|---:|---:|' : '|---|---:|',
];
for (const n of names) {
  const [a, b] = runs.map((r) => r.files.get(n));
  out.push(two ? `| ${n} | ${cell(runs[0], n)} | ${cell(runs[1], n)} | ${a !== undefined && b !== undefined ? s(b - a) : '–'} |`
    : `| ${n} | ${cell(runs[0], n)} |`);
}
const row = (label, f) => out.push(two ? `| ${label} | ${f(runs[0])} | ${f(runs[1])} | |` : `| ${label} | ${f(runs[0])} |`);
row('**files**', (r) => String(r.files.size));
row('**tests**', (r) => String(r.tests ?? '–'));
row('**sum of the files\' times**', (r) => s(sum(r)));
row('**tap\'s clock (whole run)**', (r) => s(r.total));
process.stdout.write(`${out.join('\n')}\n`);
