// Run records on disk: atomic, root-only, the newest few of each command kept, and every way a
// record can be unreadable (missing, truncated, older or newer format, a bad field) reported
// with the file and what to do, through `kleene-boot report` itself.
import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildRecord, recordText } from '../../src/record/build.ts';
import { checkRecord } from '../../src/record/schema.ts';
import { KEEP_RUNS, listRecords, readLatestRecord, recordDir, writeRecord } from '../../src/record/store.ts';
import { simTempDir } from '../helpers/sim-state.ts';
import { KNOWN } from '../report/fixtures.ts';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

const at = (iso: string) => ({ ...KNOWN, run: { ...KNOWN.run, startedAt: iso } });

t.test('buildRecord keeps whole ms, the plan facts and every result', async (t) => {
  const t0 = Date.parse('2026-11-29T23:00:00.000Z');
  const rec = buildRecord({
    command: 'restore', startedAt: t0, bootedAt: t0 - 41_000, kleenedWaitMs: 12.4, inventoryMs: 30, totalMs: 900, jobs: 4, ok: true,
    summary: 'restore: ok: 1 container: 1 started', notes: [],
    results: [{ id: 'aaaaaaaaaaaa', name: 'web', entry: 'web', outcome: 'started', ms: 100 }, { name: 'nope', entry: 'nope', outcome: 'unknown', reason: 'no such container' }],
    containers: new Map([['aaaaaaaaaaaa', { decision: 'start' as const, wave: 2, depends: ['bbbbbbbbbbbb'], requestedMs: 100.4, doneMs: 180, readyMs: 200 }]]),
  });
  t.same(rec.run, { command: 'restore', startedAt: '2026-11-29T23:00:00.000Z', bootedAt: '2026-11-29T22:59:19.000Z', kleenedWaitMs: 12, inventoryMs: 30,
    totalMs: 900, jobs: 4, ok: true, summary: 'restore: ok: 1 container: 1 started', notes: [] });
  t.same(rec.containers, [
    { id: 'aaaaaaaaaaaa', name: 'web', entry: 'web', decision: 'start', wave: 2, depends: ['bbbbbbbbbbbb'], requestedMs: 100, doneMs: 180, readyMs: 200, outcome: 'started' },
    { name: 'nope', entry: 'nope', depends: [], outcome: 'unknown', reason: 'no such container' },
  ]);
  const text = recordText(rec);
  t.same(checkRecord(JSON.parse(text)), rec, 'the text reads back as the same record');
  t.equal(text.split('\n').length, 5, 'one line for the run, one per container, the closing bracket');
});

t.test('written 0600 in a 0700 directory, the newest KEEP_RUNS of each command kept', async (t) => {
  const dir = join(simTempDir(t.teardown.bind(t), 'krec-'), 'var/db/kleene-boot');
  for (let k = 0; k < KEEP_RUNS + 2; k++) await writeRecord(dir, at(`2026-11-29T23:00:0${k}.000Z`));
  await writeRecord(dir, { ...KNOWN, run: { ...KNOWN.run, command: 'stop' } });
  const files = readdirSync(dir);
  t.equal(files.filter((f) => f.startsWith('restore-')).length, KEEP_RUNS, 'older restore records removed');
  t.equal(files.filter((f) => f.startsWith('stop-')).length, 1, 'stop records kept apart');
  t.notOk(files.some((f) => f.startsWith('.')), 'no temp file left');
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.equal(statSync(join(dir, '..')).mode & 0o777, 0o755, 'parents made as the system makes them (umask 022)');
  for (const f of files) t.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  const latest = await readLatestRecord(dir, 'restore');
  t.equal(latest.record.run.startedAt, `2026-11-29T23:00:0${KEEP_RUNS + 1}.000Z`, 'the newest is read');
  // Two runs in one millisecond: both kept, the second read as the newer.
  await writeRecord(dir, at(`2026-11-29T23:00:0${KEEP_RUNS + 1}.000Z`));
  const names = await listRecords(dir, 'restore');
  t.match(names.at(-1), /Z_1\.json$/);
  t.equal(recordDir('/tmp/stage'), '/tmp/stage/var/db/kleene-boot');
});

t.test('report: a missing, truncated, empty, older, newer or broken record gets a clear message', async (t) => {
  const root = simTempDir(t.teardown.bind(t), 'krep-');
  const dir = join(root, 'var/db/kleene-boot');
  const report = (...a: string[]) => execa(process.execPath, [CLI, 'report', '--root', root, ...a], { reject: false });

  let r = await report();
  t.equal(r.exitCode, 1);
  t.match(r.stderr, `kleene-boot: ${dir}: no record of a restore run\n  hint: kleene-boot writes one at every restore`);
  r = await report('--run', 'stop');
  t.match(r.stderr, 'no record of a stop run');

  mkdirSync(dir, { recursive: true });
  const good = recordText(at('2026-11-29T22:00:00.000Z'));
  writeFileSync(join(dir, 'restore-2026-11-29T220000.000Z.json'), good);
  const file = join(dir, 'restore-2026-11-29T230000.000Z.json');
  // Mutation tried: dropping the JSON.parse try/catch in readRecordFile: the CLI prints a bare SyntaxError.
  writeFileSync(file, good.slice(0, good.length / 2));
  r = await report();
  t.equal(r.exitCode, 1);
  t.match(r.stderr, `kleene-boot: ${file}: the record is truncated or not JSON`);
  t.match(r.stderr, /hint: the run that wrote it was cut short or the disk was full; the next run writes a new one \(older records: .*restore-2026-11-29T220000\.000Z\.json\)/);

  writeFileSync(file, '');
  t.match((await report()).stderr, `${file}: the record is empty`);

  const doc = JSON.parse(good);
  writeFileSync(file, JSON.stringify({ ...doc, version: 0 }));
  r = await report();
  t.match(r.stderr, `${file}: written by an older kleene-boot (record version 0; this one reads version 1)\n  hint: run a restore or stop with this kleene-boot`);
  writeFileSync(file, JSON.stringify({ ...doc, version: 2 }));
  t.match((await report()).stderr, 'written by a newer kleene-boot (record version 2; this one reads version 1)');
  writeFileSync(file, JSON.stringify({ ...doc, containers: [{ ...doc.containers[0], requestedMs: 'soon' }] }));
  t.match((await report()).stderr, `${file}: "containers[0].requestedMs" is missing or invalid (expected milliseconds (a number ≥ 0))`);
  writeFileSync(file, '{"hello": 1}');
  t.match((await report()).stderr, 'not a kleene-boot run record');

  writeFileSync(file, good);
  r = await report();
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, `record: ${file}\n`);
  t.match(r.stdout, /└─api \(id-api\) @0\.800s/);
  const json = JSON.parse((await report('--json')).stdout);
  t.same(json.criticalChain.map((l: { name: string }) => l.name), ['db', 'api', 'web']);
  t.equal(json.accounting.totalMs, 1100);
  t.equal(readFileSync(file, 'utf8'), good, 'report never rewrites a record');
});
