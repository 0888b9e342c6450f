// RunProgress on its own, fed events by hand: a line goes out the moment its outcome event comes
// (console and, through one logger process, syslog), the closing report adds only what is new,
// --json keeps stdout for its one document, and the record holds the event times.
import t, { type Test } from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunProgress, recordDirFor } from '../../src/hook/progress.ts';
import { openLogStream } from '../../src/host/logger-stream.ts';
import { writeRecord } from '../../src/record/store.ts';
import { monoMs } from '../../src/host/clock.ts';
import type { ContainerResult } from '../../src/model/run.ts';
import { checkRecord } from '../../src/record/schema.ts';
import { SHIMS_DIR, simTempDir } from '../helpers/sim-state.ts';

const web: ContainerResult = { id: 'aaaaaaaaaaaa', name: 'web', entry: 'web', outcome: 'started', ms: 90 };
const db: ContainerResult = { id: 'bbbbbbbbbbbb', name: 'db', entry: 'db', outcome: 'failed', reason: 'jail: exec failed' };
const ghost: ContainerResult = { name: 'ghost', entry: 'ghost', outcome: 'unknown', reason: 'kleene_containers_list: no container named ghost' };

function setup(t: Test, over: { console?: boolean; logger?: string } = {}) {
  const dir = simTempDir(t.teardown.bind(t), 'kprog-');
  const syslog = join(dir, 'messages');
  process.env.KLEENE_SIM_SYSLOG = syslog;
  const out: string[] = [];
  const err: string[] = [];
  const t0 = monoMs();
  const p = new RunProgress('restore', {
    t0, deps: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
    logStream: () => openLogStream(over.logger ?? join(SHIMS_DIR, 'logger'), 'kleene_containers', { timeoutMs: 10_000 }),
    logOnce: async () => { throw new Error('not used with a stream'); },
    jobs: 2, notes: ['warning: kleene_containers_jobs: bad'], console: over.console ?? true, recordDir: join(dir, 'records'), writeRecord,
  });
  return { p, out, err, syslog, dir };
}

async function until(what: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (what()) return true;
  return what();
}

t.test('lines go out as outcomes come, the report adds only the rest, the record keeps the times', async (t) => {
  const { p, out, err, syslog, dir } = setup(t);
  t.same(out, ['warning: kleene_containers_jobs: bad\n'], 'configuration notes first');
  p.onEvent({ type: 'kleened-up', at: 20, waitedMs: 15 });
  p.onEvent({ type: 'inventory-done', at: 50 });
  p.onEvent({ type: 'start-requested', id: web.id, at: 60, wave: 1, depends: [] });
  p.onEvent({ type: 'start-requested', id: db.id, at: 61, wave: 1, depends: [] });
  p.onEvent({ type: 'start-done', id: web.id, at: 140 });
  p.onEvent({ type: 'ready', id: web.id, at: 150 });
  p.onEvent({ type: 'outcome', id: web.id, at: 150, result: web });
  t.same(out.slice(1), ['web (aaaaaaaaaaaa): started\n'], 'web\'s line at once');
  // Mutation tried: buffering lines in RunProgress.line until end(): this and the syslog check fail.
  t.ok(await until(() => existsSync(syslog) && readFileSync(syslog, 'utf8').includes('kleene_containers: web (aaaaaaaaaaaa): started')),
    'in syslog while the run still goes on');
  p.onEvent({ type: 'something-new', at: 300 });
  p.onEvent({ type: 'outcome', id: db.id, at: 400, result: db });
  await p.end({ command: 'restore', ok: false, results: [ghost, web, db], notes: ['warning: kleene_containers_jobs: bad', 'error: late'] });
  t.same(out.join('').split('\n'), [
    'warning: kleene_containers_jobs: bad',
    'web (aaaaaaaaaaaa): started',
    'db (bbbbbbbbbbbb): failed: jail: exec failed',
    'error: late',
    'ghost: unknown: kleene_containers_list: no container named ghost',
    'restore: FAILED: 3 containers: 1 started, 1 failed, 1 unknown',
    '',
  ]);
  t.same(readFileSync(syslog, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^kleene_containers: /, '')), out.join('').split('\n').filter(Boolean),
    'syslog has the same lines, once each');
  t.same(err, []);
  const [file] = readdirSync(join(dir, 'records'));
  const rec = checkRecord(JSON.parse(readFileSync(join(dir, 'records', file!), 'utf8')));
  // The run's start and length come from the hook's one clock (monoMs): a t0 of another clock
  // would date the run years off (mutation: progress.ts reading monoMs() fails here).
  const began = Date.parse(rec.run.startedAt);
  t.ok(Math.abs(Date.now() - began) < 60_000, `the record's start ${rec.run.startedAt} is now`);
  t.ok(rec.run.totalMs >= 0 && rec.run.totalMs < 60_000, `its length ${rec.run.totalMs} ms is this test's`);
  t.match(rec.run, { command: 'restore', kleenedWaitMs: 15, inventoryMs: 30, jobs: 2, ok: false, summary: 'restore: FAILED: 3 containers: 1 started, 1 failed, 1 unknown' });
  t.same(rec.containers.map((c) => [c.name, c.requestedMs, c.doneMs, c.readyMs]), [['ghost', undefined, undefined, undefined], ['web', 60, 140, 150], ['db', 61, 400, undefined]]);
});

t.test('--json: nothing on stdout until the document; syslog still live', async (t) => {
  const { p, out, syslog } = setup(t, { console: false });
  p.onEvent({ type: 'outcome', id: web.id, at: 150, result: web });
  await p.end({ command: 'restore', ok: true, results: [web], notes: ['warning: kleene_containers_jobs: bad'] });
  t.same(out, []);
  t.match(readFileSync(syslog, 'utf8'), /web \(aaaaaaaaaaaa\): started\n.*restore: ok: 1 container: 1 started\n$/);
});

t.test('a logger that cannot run is said once, at the end; the lines still reach the console', async (t) => {
  const { p, out, err } = setup(t, { logger: '/nonexistent/logger' });
  p.onEvent({ type: 'outcome', id: web.id, at: 150, result: web });
  await p.end({ command: 'restore', ok: true, results: [web], notes: [] });
  t.match(out.join(''), /web \(aaaaaaaaaaaa\): started\nrestore: ok/);
  t.equal(err.length, 1);
  t.match(err[0], /^hook: cannot log to syslog: cannot run \/nonexistent\/logger: ENOENT/);
});

t.test('the record directory: KLEENE_BOOT_RECORD_DIR, - for none, else under the root', async (t) => {
  t.equal(recordDirFor({ KLEENE_BOOT_RECORD_DIR: '/tmp/r' }, '/'), '/tmp/r');
  t.equal(recordDirFor({ KLEENE_BOOT_RECORD_DIR: '-' }, '/'), undefined);
  t.equal(recordDirFor({}, '/stage'), '/stage/var/db/kleene-boot');
  t.equal(recordDirFor({}, '/'), '/var/db/kleene-boot');
});

t.test('a run that ends without a report still ends its logger, so the hook can exit', async (t) => {
  const { p, err, syslog } = setup(t);
  p.onEvent({ type: 'outcome', id: web.id, at: 150, result: web });
  // Mutation tried: abandon() not closing the stream: the logger shim waits on stdin and this times out.
  await p.abandon();
  t.same(err, []);
  t.match(readFileSync(syslog, 'utf8'), /web \(aaaaaaaaaaaa\): started\n$/, 'what was said stays said');
});

t.test('logger(1) is spawned once the first frames are out and no start is still opening, or after a second of waiting, never on the path to the first start', async (t) => {
  const opened: number[] = [];
  const lines: string[] = [];
  const mk = () => {
    const t0 = monoMs();
    const p = new RunProgress('restore', {
      t0, deps: { stdout: () => {}, stderr: () => {} },
      logStream: () => { opened.push(monoMs() - t0); return { write: (l) => { lines.push(l); }, close: async () => {} }; },
      logOnce: async () => {}, jobs: 2, notes: ['warning: a note before anything runs'], console: false, writeRecord,
    });
    return { p, t0 };
  };
  // Starts: the stream opens in the turn after the last opening start's frame is out, not before
  // (their exec/creates and upgrades are answered first).
  const a = mk();
  const turn = () => new Promise((r) => setImmediate(r));
  t.same(opened, [], 'not opened when the run begins');
  a.p.onEvent({ type: 'start-requested', id: 'aaaaaaaaaaaa', at: 1, wave: 1, depends: [] });
  a.p.onEvent({ type: 'start-requested', id: 'bbbbbbbbbbbb', at: 1, wave: 1, depends: [] });
  await turn();
  t.same(opened, [], 'not at the start requests');
  a.p.onEvent({ type: 'start-sent', id: 'aaaaaaaaaaaa', at: 2, opening: 1 });
  await turn();
  t.same(opened, [], 'nor while another start is still opening');
  a.p.onEvent({ type: 'start-sent', id: 'bbbbbbbbbbbb', at: 3, opening: 0 });
  t.same(opened, [], 'nor in the turn of the last frame');
  await turn();
  t.equal(opened.length, 1, 'opened right after it');
  t.same(lines, ['warning: a note before anything runs'], 'what was said before went first');
  await a.p.end({ command: 'restore', ok: true, results: [web], notes: [] });
  // Nothing started (kleened awaited): opened after a second, not much later.
  opened.length = 0;
  const b = mk();
  await new Promise((r) => setTimeout(r, 700));
  t.same(opened, [], 'still waiting at 0.7 s');
  await until(() => opened.length > 0, 3000);
  // node's timers may fire up to a millisecond early on monoMs()'s clock.
  t.ok(opened[0]! >= 990 && opened[0]! < 1500, `opened at ${opened[0]!.toFixed(1)} ms without a start`);
  await b.p.end({ command: 'restore', ok: true, results: [], notes: [] });
});
