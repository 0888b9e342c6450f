// The record a real `hook.js restore` and `stop` write (the bundle, the kleened double, the
// shims), checked against the double's own request log and events; `report` on that record.
import t from 'tap';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { checkRecord, type RunRecord } from '../../src/record/schema.ts';
import { rig, type Rig } from '../hook/rig.ts';
import { startFramesOf } from '../helpers/sim-state.ts';

const CLI_JS = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/**
 * The hook stamps a start request just before sending it, the double when it handles it; the
 * double closes with 1001, the hook stamps it when it reads the close. Cause comes first, so each
 * difference has a sign (EARLY_MS covers rounding to whole ms); how large it is depends on the
 * load of the machine (both processes share its cores with other tests), so it is bounded
 * loosely and printed.
 */
const EARLY_MS = 3;
const LATE_MS = 300;

function records(dir: string, command: string): { file: string; rec: RunRecord }[] {
  return readdirSync(dir).filter((f) => f.startsWith(`${command}-`)).sort()
    .map((f) => ({ file: join(dir, f), rec: checkRecord(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));
}

/**
 * Epoch ms of the double receiving the first request of each container's start made at or after
 * `from(id)`: its POST /exec/create (logged at its answer, `ms` after), or, for a start prepared
 * ahead (its exec instance created before it was asked for), its start frame.
 */
function askedAt(r: Rig, from: (id: string) => number): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of startFramesOf(r.requests())) {
    const creates = r.requests().filter((e) => e.kind === 'http' && e.path === '/exec/create' && (e.body as { container_id: string }).container_id === f.id)
      .map((e) => e.t_ms - (e.ms ?? 0)).filter((x) => x >= from(f.id) && x <= f.t_ms);
    m.set(f.id, Math.min(f.t_ms, ...creates));
  }
  return m;
}

t.test('restore writes a record whose times agree with the double\'s request log', async (t) => {
  const r = await rig(t, {
    containers: [
      // jail_before_close: the jail exists when kleened closes with 1001, so its `start` event marks the close.
      { name: 'db', faults: { start_delay_ms: 1500, jail_before_close: true } },
      { name: 'cache', faults: { start_delay_ms: 50, jail_before_close: true } },
      { name: 'api', faults: { start_delay_ms: 150, jail_before_close: true } },
      { name: 'web', faults: { start_delay_ms: 100, jail_before_close: true } },
      { name: 'broken', faults: { start_delay_ms: 30, start_result: '1011', start_error: 'jail: exec failed' } },
      { name: 'old', running: true },
      { name: 'vol', volumes: ['data'] },
    ],
    datasets: { 'zroot/kleene/volumes/data': null },
  });
  const dir = join(r.dir, 'records');
  const run = await r.hook(['restore'], {
    KLEENE_BOOT_RECORD_DIR: dir,
    kleene_containers_list: 'web api db cache broken old vol ghost',
    kleene_containers_api_depend: 'db cache', kleene_containers_web_depend: 'api',
  });
  t.equal(run.code, 1, run.stdout + run.stderr);
  t.notMatch(run.stderr, /record/, 'nothing said about the record: it was written');
  const [only, ...more] = records(dir, 'restore');
  t.equal(more.length, 0);
  const { rec, file } = only!;
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(rec.run.command, 'restore');
  t.equal(rec.run.ok, false);
  t.equal(rec.run.jobs, 4);
  t.match(rec.run.summary, /^restore: FAILED: 8 containers: /);
  t.ok(rec.run.kleenedWaitMs !== undefined && rec.run.inventoryMs !== undefined, 'the phases are there');
  t.ok(rec.run.bootedAt !== undefined && Date.parse(rec.run.bootedAt) < Date.parse(rec.run.startedAt), 'host boot time');
  const t0 = Date.parse(rec.run.startedAt);
  t.ok(Math.abs(t0 + rec.run.totalMs - (Date.now() - 0)) < 60_000);
  const by = new Map(rec.containers.map((c) => [c.name, c]));
  t.same([...by.keys()].sort(), ['api', 'broken', 'cache', 'db', 'ghost', 'old', 'vol', 'web']);
  t.match(by.get('ghost'), { outcome: 'unknown', depends: [] });
  t.match(by.get('old'), { id: r.id('old'), outcome: 'running', decision: 'running' });
  t.notOk('requestedMs' in by.get('old')!, 'no start asked for a running one');
  t.match(by.get('vol'), { outcome: 'blocked', decision: 'blocked', reason: /volume data/ });
  t.match(by.get('broken'), { outcome: 'failed', reason: /jail: exec failed/ });
  t.match(by.get('api'), { wave: 2, decision: 'start' });
  t.same([...by.get('api')!.depends].sort(), [r.id('db'), r.id('cache')].sort());
  t.match(by.get('web'), { wave: 3, depends: [r.id('api')] });

  // Against the double: the start request when it handled POST /exec/create (or the start frame of a
  // prepared start), done when it closed with 1001.
  const asked = askedAt(r, (id) => t0 + by.get([...by.values()].find((c) => c.id === id)!.name)!.requestedMs! - EARLY_MS);
  const jailAt = new Map(r.state().events.filter((e) => e.type === 'start').map((e) => [e.container, Date.parse(e.time)]));
  const skews: string[] = [];
  const near = (what: string, cause: number, effect: number) => {
    skews.push(`${what} ${effect - cause} ms`);
    t.ok(effect - cause >= -EARLY_MS && effect - cause <= LATE_MS, `${what}: ${cause} then ${effect}`);
  };
  for (const name of ['db', 'cache', 'api', 'web', 'broken']) {
    const c = by.get(name)!;
    near(`${name} requested`, t0 + c.requestedMs!, asked.get(r.id(name))!);
    t.ok(c.doneMs! >= c.requestedMs!, `${name}: done after requested`);
    if (name === 'broken') continue;
    near(`${name} done`, jailAt.get(r.id(name))!, t0 + c.doneMs!);
    t.ok(c.readyMs! >= c.doneMs!, `${name}: ready after done`);
  }
  t.comment(`hook vs double: ${skews.join(', ')}`);
  // Mutation tried: recording start-done's time as the request's (`f.requestedMs = e.at` in the
  // start-done case of src/hook/progress.ts): every requested check fails by the start delay.

  // report on this run: db was the slowest of api's dependencies (by far: jls confirms starts in
  // batches, so close finishes may share one), so db → api → web.
  const rep = await execa(process.execPath, [CLI_JS, 'report', '--file', file, '--json'], { reject: false });
  t.equal(rep.exitCode, 0, rep.stderr);
  const doc = JSON.parse(rep.stdout) as { criticalChain: { name: string }[]; blame: { name: string; ms: number }[] };
  t.same(doc.criticalChain.map((l) => l.name), ['db', 'api', 'web']);
  t.equal(doc.blame[0]!.name, 'db', `db (1500 ms in the double) is blamed first: ${JSON.stringify(doc.blame)}`);
  t.ok(doc.blame[0]!.ms >= 1500, 'db took at least its start delay');
});

t.test('stop writes its own record; restore still restores when its record cannot be written, and says so once', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', faults: { start_delay_ms: 20 } }, { name: 'web', faults: { start_delay_ms: 20 } }] });
  const blocked = join(r.dir, 'not-a-dir');
  writeFileSync(blocked, 'a file where the directory should be\n');
  const vars = { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db' };
  const run = await r.hook(['restore'], { ...vars, KLEENE_BOOT_RECORD_DIR: join(blocked, 'records') });
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /restore: ok: 2 containers: 2 started/);
  t.equal(run.stderr.match(/cannot write the record/g)?.length, 1, run.stderr);
  t.match(run.stderr, /the restore itself is not affected/);

  const dir = join(r.dir, 'records');
  mkdirSync(dir);
  chmodSync(dir, 0o700);
  const stop = await r.hook(['stop'], { ...vars, KLEENE_BOOT_RECORD_DIR: dir });
  t.equal(stop.code, 0, stop.stdout + stop.stderr);
  const rec = records(dir, 'stop')[0]!.rec;
  t.equal(rec.run.command, 'stop');
  t.same(rec.containers.map((c) => [c.name, c.outcome]), [['web', 'stopped'], ['db', 'stopped']]);
  // The double's stop event says when the stop was asked for and is stamped when it was done.
  const stops = r.state().events.filter((e) => e.type === 'stop');
  t.equal(stops.length, 2);
  const t0 = Date.parse(rec.run.startedAt);
  for (const e of stops) {
    const c = rec.containers.find((x) => x.id === e.container)!;
    const askedAt = Date.parse((e.detail as { requested: string }).requested);
    t.ok(askedAt - (t0 + c.requestedMs!) >= -EARLY_MS && askedAt - (t0 + c.requestedMs!) <= LATE_MS, `${c.name}: stop asked at ${t0 + c.requestedMs!}, the double got it at ${askedAt}`);
    t.ok(t0 + c.doneMs! - Date.parse(e.time) >= -EARLY_MS && t0 + c.doneMs! - Date.parse(e.time) <= LATE_MS, `${c.name}: done at ${t0 + c.doneMs!}, the double stopped it at ${e.time}`);
  }
  t.same(records(dir, 'restore'), [], 'stop and restore records apart');
});
