// Draws the README's timeline picture: one `hook.js restore` of the bench's 50-container graph
// (bench/graph.ts, seed 7: 10 % roots, chains of 5, fan-in and fan-out; every start 200 ms in
// the kleened double, jobs 4), run the way `npm run bench` runs it (bench/sim.ts), then
// `kleene-boot report --svg` on the record that run wrote, then rsvg-convert to PNG.
//
//   npm run build && node --import tsx scripts/timeline-png.ts [--n 50] [--jobs 4] [--delay 200] [--out docs/timeline-50]
//
// Writes OUT.svg, OUT.png and OUT.txt (the text report). Needs rsvg-convert (librsvg2-bin).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { layeredGraph } from '../bench/graph.ts';
import { cleanUp, CLI_JS, REPO, removeTempDir, runRestore, shortTempDir } from '../bench/sim.ts';
import { RECORD_DIR_ENV } from '../src/hook/progress.ts';

function option(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

const n = Number(option('--n', '50'));
const jobs = Number(option('--jobs', '4'));
const delayMs = Number(option('--delay', '200'));
const out = resolve(REPO, option('--out', `docs/timeline-${n}`));
for (const [k, v] of [['--n', n], ['--jobs', jobs], ['--delay', delayMs]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${k} needs a whole number ≥ 1`);
}

const records = shortTempDir('kb-rec-');
process.on('exit', cleanUp);
try {
  // bench/sim.ts gives the hook this process's environment (cleanEnv): the record goes here.
  process.env[RECORD_DIR_ENV] = records;
  const before = loadavg()[0]!;
  const run = await runRestore({ graph: layeredGraph({ n, seed: 7 }), jobs, delayMs });
  const machine = `${availableParallelism()} CPUs, load average ${before.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after the run`;
  if (run.exitCode !== 0) throw new Error(`hook.js restore exited ${run.exitCode}:\n${run.hookOutput}`);
  const file = readdirSync(records).find((f) => f.startsWith('restore-'));
  if (!file) throw new Error(`the hook wrote no record in ${records}:\n${run.hookOutput}`);
  mkdirSync(dirname(out), { recursive: true });
  const text = execFileSync(process.execPath, [CLI_JS, 'report', '--file', join(records, file), '--svg', `${out}.svg`], { encoding: 'utf8' });
  // The record's temp path says nothing to a reader of the README.
  writeFileSync(`${out}.txt`, `# ${n} containers (bench/graph.ts, seed 7), ${delayMs} ms per start in the kleened double, jobs ${jobs}; ${machine}\n`
    + text.replace(/^record: .*\n/, '').replace(/\ntimeline: .*\n$/, '\n'));
  execFileSync('rsvg-convert', ['-b', 'white', '-o', `${out}.png`, `${out}.svg`]);
  process.stdout.write(`${out}.svg\n${out}.png\n${out}.txt\n`);
} finally {
  removeTempDir(records);
}
