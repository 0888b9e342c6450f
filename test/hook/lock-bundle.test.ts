// The host-wide lock of the real bundle (dist/hook.js), two runs at once against the kleened
// double: every start request is counted per container (the double logs each one; a second
// start of a running container would make kleened run its command again, FACTS).
// Mutations tried: acquireLock returning `held` without creating the file ("two restores at
// once" fails: two start requests per container); the adapter's elapsed time halved, then
// doubled ("a holder that never lets go" fails its upper, then its lower bound); pidAlive always
// true ("a lock whose holder is gone" fails: it waited for a dead pid); no run.cancel on
// SIGTERM ("a stop during a restore" fails: the restore went on and never wrote its record).
import t from 'tap';
import { until } from '../helpers/wait.ts';
import { startFramesOf } from '../helpers/sim-state.ts';
import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rig, startRequests, type Rig } from './rig.ts';

/** Start requests per container id. */
function startsPer(r: Rig): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of startRequests(r)) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}


/** A pid that ran and is gone now (a lock left by a crash). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

const names = ['alpha', 'beta', 'gamma', 'delta'];
const slow = { start_delay_ms: 600 };

t.test('two restores at once: one start request per container; the second waits for the first, then finds every jail running', async (t) => {
  const r = await rig(t, { containers: names.map((name) => ({ name, faults: slow })) });
  const vars = { kleene_containers_list: names.join(' '), kleene_containers_jobs: '2', kleene_containers_wait_timeout: '30' };
  const [a, b] = await Promise.all([r.hook(['restore'], vars), r.hook(['restore'], vars)]);
  t.equal(a.code, 0, a.stdout + a.stderr);
  t.equal(b.code, 0, b.stdout + b.stderr);
  const per = startsPer(r);
  t.same([...per.values()], [1, 1, 1, 1], `each container was asked to start exactly once: ${JSON.stringify([...per])}`);
  t.same([...per.keys()].sort(), names.map((n) => r.id(n)).sort());
  t.notOk(r.state().events.some((e) => e.type === 'duplicate_start'), 'kleened never ran a command again in a live jail');
  const [first, second] = /started/.test(a.stdout.split('\n').find((l) => l.startsWith('alpha')) ?? '') ? [a, b] : [b, a];
  t.match(second.stderr, /^waiting up to 30 s for pid \d+ \(restore\) to finish: it holds .*kleene-boot\.lock$/m, 'the second says what it waits for');
  t.match(second.stdout, /restore: ok: 4 containers: 4 already running/, 'then finds every jail running (a fresh jls)');
  t.match(second.stdout, /^waited [0-9.]+ s for pid \d+ \(restore\) to release /m, 'its report says how long it waited');
  t.match(first.stdout, /restore: ok: 4 containers: 4 started/);
  // No earlier than the first's release: the second asked kleened for nothing before the
  // first's last start had ended (the double logs each request when it is answered).
  const lists = r.requests().filter((e) => e.kind === 'http' && e.path === '/containers/list');
  t.equal(lists.length, 2, 'each restore listed the containers once');
  const lastStart = Math.max(...r.state().events.filter((e) => e.type === 'start').map((e) => Date.parse(e.time)));
  t.ok(lists[1]!.t_ms >= lastStart, 'the second restore began its work after the first had finished starting');
  t.notOk(existsSync(r.lockPath), 'the lock is released');
});

t.test('a holder that never lets go: restore waits the wait timeout, not less and not twice as long, then starts nothing', async (t) => {
  const r = await rig(t, { containers: [{ name: 'alpha' }] });
  // A live process holds the lock and never releases it.
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => { holder.kill('SIGKILL'); });
  writeFileSync(r.lockPath, `${holder.pid}\nrestore\n`);
  const proc = r.hookProcess(['restore'], { kleene_containers_list: 'alpha', kleene_containers_wait_timeout: '4' });
  let saidAt = 0;
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (!saidAt && /^waiting up to /m.test(err)) saidAt = Date.now();
  });
  const run = await proc;
  const waited = Date.now() - saidAt;
  t.equal(run.exitCode, 1, 'the restore failed');
  t.match(err, new RegExp(`^waiting up to 4 s for pid ${holder.pid} \\(restore\\) to finish: it holds ${r.lockPath}$`, 'm'));
  t.match(run.stdout, new RegExp(`^alpha: blocked: not started: pid ${holder.pid} \\(restore\\) still holds ${r.lockPath} after 4 s$`, 'm'));
  t.ok(saidAt > 0, 'the wait line came');
  // The line is said as the wait begins; the refusal at the bound, then the report.
  t.ok(waited >= 3_900, `waited no less than the wait timeout (${waited} ms)`);
  t.ok(waited < 8_000, `and less than twice it (${waited} ms)`);
  t.same(startRequests(r), [], 'nothing was started');
  t.equal(readFileSync(r.lockPath, 'utf8'), `${holder.pid}\nrestore\n`, 'the holder\'s lock is left as it was');
});

t.test('a lock whose holder is gone is taken over, and the run says so', async (t) => {
  const r = await rig(t, { containers: [{ name: 'alpha', faults: { start_delay_ms: 50 } }] });
  const gone = deadPid();
  writeFileSync(r.lockPath, `${gone}\nrestore\n`);
  const run = await r.hook(['restore'], { kleene_containers_list: 'alpha' });
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, new RegExp(`^took over ${r.lockPath} from pid ${gone} \\(restore\\), which is gone$`, 'm'));
  t.notMatch(run.stderr, /waiting/, 'no wait for a holder that is gone');
  t.same(startRequests(r), [r.id('alpha')]);
  t.notOk(existsSync(r.lockPath), 'released at the end');
  const rec = readdirSync(join(r.dir, 'records')).find((f) => f.startsWith('restore-'))!;
  t.match(readFileSync(join(r.dir, 'records', rec), 'utf8'), /took over/, 'the take-over is in the run\'s record');
});

t.test('a stop during a restore ends the restore first: nothing is started after it, the restore reports and records, then the stop runs', async (t) => {
  const r = await rig(t, { containers: names.map((name) => ({ name, faults: { start_delay_ms: 1_500 } })) });
  const vars = { kleene_containers_list: names.join(' '), kleene_containers_jobs: '1', kleene_containers_stop_timeout: '20' };
  const restore = r.hookProcess(['restore'], vars);
  await until('the first start request', () => startRequests(r).length >= 1);
  const stop = await r.hook(['stop'], vars);
  const rest = await restore;
  t.match(stop.stderr, new RegExp(`^ending the restore in progress first \\(pid ${restore.pid}\\): SIGTERM, then waiting up to 20 s`, 'm'));
  t.equal(rest.exitCode, 1, 'the restore ended, not ok');
  t.match(rest.stdout, /: blocked: not started: the restore was ended by SIGTERM$/m, 'what it had not started yet is not started');
  t.match(rest.stdout, /^restore: FAILED: 4 containers/m, 'and it closed its report');
  t.ok(startRequests(r).length < names.length, `it stopped starting new containers (${startRequests(r).length} asked)`);
  const firstStop = r.requests().find((e) => e.kind === 'http' && /^\/containers\/.*\/stop$/.test(e.path ?? ''));
  const lastCreate = startFramesOf(r.requests()).at(-1)!;
  if (firstStop) t.ok(firstStop.t_ms > lastCreate.t_ms, 'every start request came before the first stop request');
  t.equal(stop.code, 0, stop.stdout + stop.stderr);
  t.match(stop.stdout, /^waited [0-9.]+ s for pid \d+ \(restore\) to release /m);
  t.equal(r.state().jails.filter((j) => names.map((n) => r.id(n)).includes(j.name)).length, 0, 'no container runs after the stop');
  const recs = readdirSync(join(r.dir, 'records'));
  t.ok(recs.some((f) => f.startsWith('restore-')), 'the ended restore left its record');
  t.notOk(existsSync(r.lockPath), 'the lock is released');
});

t.test('SIGINT (an operator\'s ^C) ends a restore the same way: nothing more started, its report and record, the lock released', async (t) => {
  const r = await rig(t, { containers: names.map((name) => ({ name, faults: { start_delay_ms: 1_500 } })) });
  const restore = r.hookProcess(['restore'], { kleene_containers_list: names.join(' '), kleene_containers_jobs: '1' });
  await until('the first start request', () => startRequests(r).length >= 1);
  await until('the lock', () => existsSync(r.lockPath));
  restore.kill('SIGINT');
  const run = await restore;
  t.equal(run.exitCode, 1, String(run.stderr));
  t.match(run.stdout, /: blocked: not started: the restore was ended by SIGINT$/m);
  t.match(run.stdout, /^restore: FAILED: 4 containers/m);
  t.ok(startRequests(r).length < names.length, `nothing more was started (${startRequests(r).length} asked)`);
  t.ok(readdirSync(join(r.dir, 'records')).some((f) => f.startsWith('restore-')), 'its record');
  t.notOk(existsSync(r.lockPath), 'the lock is released');
});
