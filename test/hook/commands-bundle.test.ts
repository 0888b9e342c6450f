// stop, check, plan and wait-api through the real bundled hook against the kleened double.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOOK_JS, lastRecord, rig, syslogLines } from './rig.ts';

t.test('stop stops what runs in the exact reverse of the start order and leaves the rest alone', async (t) => {
  const r = await rig(t, { containers: [
    { name: 'db', running: true }, { name: 'web', running: true }, { name: 'api', running: true },
    { name: 'idle' }, { name: 'other', running: true },
  ] });
  const run = await r.hook(['stop'], {
    kleene_containers_list: 'api web db idle',
    kleene_containers_api_depend: 'web', kleene_containers_web_depend: 'db',
  });
  t.equal(run.code, 0, run.stdout + run.stderr);
  const stops = r.state().events.filter((e) => e.type === 'stop').map((e) => e.container);
  t.same(stops, [r.id('api'), r.id('web'), r.id('db')], 'dependents first');
  t.ok(r.state().jails.some((j) => j.name === r.id('other')), 'a container not configured keeps running');
  t.match(run.stdout, /^idle \([0-9a-f]{12}\): not running$/m);
  t.match(run.stdout, /stop: ok: 4 containers: 3 stopped, 1 not running/);
  t.match(syslogLines(r).join('\n'), /stop: ok/);
});

t.test('stop waits for each stop to answer: when it exits, the jails are gone', async (t) => {
  // Two containers with no dependency between them (their order is not the point), each stop
  // taking a second in kleened (exec.stop) before the jail goes and kleened answers.
  // Mutation: `void api.stopContainer(id, signal)` instead of awaiting it (src/hook/stop.ts) ended
  // the run with both jails still there.
  const slow = { stop_delay_ms: 1000 };
  const r = await rig(t, { containers: [{ name: 'db', running: true, faults: slow }, { name: 'web', running: true, faults: slow }] });
  const run = await r.hook(['stop'], { kleene_containers_list: 'db web' });
  const jailsAtExit = r.state().jails.map((j) => j.name);
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.same(jailsAtExit, [], 'no jail left when the hook exited');
  t.match(run.stdout, /^db \([0-9a-f]{12}\): stopped$/m);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): stopped$/m);
  // The hook's own record: each stop's answer came no sooner than kleened's second of exec.stop.
  for (const c of lastRecord(r, 'stop').containers) {
    const waited = (c.doneMs ?? NaN) - (c.requestedMs ?? NaN);
    t.ok(waited >= 1000, `${c.name}: the stop was answered ${waited} ms after its request (exec.stop took 1000 ms)`);
  }
});

t.test('stop reports a jail that is still there after kleened answered', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', running: true, faults: { stop_ignore: true } }, { name: 'web', running: true }] });
  const run = await r.hook(['stop'], { kleene_containers_list: 'db web' });
  t.equal(run.code, 1);
  t.match(run.stdout, /^db \([0-9a-f]{12}\): failed: kleened answered, but its jail still runs$/m);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): stopped$/m);
});

t.test('stop shortens its timeout to fit rcshutdown_timeout and says so before the first stop, with the numbers', async (t) => {
  const three = { containers: [{ name: 'a1', running: true }, { name: 'b1', running: true }, { name: 'c1', running: true }] };
  const vars = { kleene_containers_list: 'a1 b1 c1', kleene_containers_stop_timeout: '40', kleene_containers_stop_jobs: '1' };
  // One at a time, 3 x 40 s; rcshutdown_timeout=30 leaves 21 s (6 s for kleened, 3 s margin): 7 s each.
  const r = await rig(t, three);
  const run = await r.hook(['stop'], { ...vars, rcshutdown_timeout: '30' });
  t.equal(run.code, 0, run.stdout + run.stderr);
  const lines = run.stdout.split('\n');
  const warn = lines.findIndex((l) => l.startsWith('warning: '));
  const m = /^warning: 3 containers to stop, 1 at once, the longest chain 1 deep: up to 3 stop timeouts one after another; at kleene_containers_stop_timeout=40 s that is 120 s, more than the ([\d.]+) s that rcshutdown_timeout=30 s leaves \(6 s kept for kleened's own stop, 3 s margin(?:, ([\d.]+) s spent)?\): each stop is cut at ([\d.]+) s$/.exec(lines[warn] ?? '');
  if (!t.ok(m, `the line gives the numbers: ${lines[warn]}`) || !m) return;
  // What was spent before the first stop (node, kleened, jls) comes off the 21 s too.
  t.equal(+m[1]!, +(21 - +(m[2] ?? 0)).toFixed(1), 'left: 30 s - 6 s - 3 s - spent');
  t.ok(Math.abs(+m[3]! - +m[1]! / 3) <= 0.15, `cut at what is left / 3 (${m[3]} s; the line rounds to tenths)`);
  t.ok(warn < lines.findIndex((l) => / stopped$/.test(l)), 'said before the first stop');
  t.equal(lines.filter((l) => l.startsWith('warning: ')).length, 1, 'said once');
  t.equal(r.state().events.filter((e) => e.type === 'stop').length, 3, 'and every container was stopped');
  // The same stops fit in rcshutdown_timeout=200 (200 - 40 - 20 = 140 s): nothing to say.
  const q = await rig(t, three);
  const quiet = await q.hook(['stop'], { ...vars, rcshutdown_timeout: '200' });
  t.equal(quiet.code, 0);
  t.notMatch(quiet.stdout, /warning/);
  t.equal(q.state().events.filter((e) => e.type === 'stop').length, 3);
});

t.test('check acts on nothing and fails when something is blocked, unknown or ambiguous', async (t) => {
  const r = await rig(t, {
    containers: [{ name: 'db', volumes: ['data'] }, { name: 'web', running: true }, { name: 'twin' }, { name: 'twin' }],
    datasets: { 'zroot/kleene/volumes/data': { mounted: 'no' } },
  });
  const good = await r.hook(['check'], { kleene_containers_list: 'web' });
  t.equal(good.code, 0, good.stdout);
  t.match(good.stdout, /^web \([0-9a-f]{12}\): already running$/m);
  const bad = await r.hook(['check'], { kleene_containers_list: 'db web twin nosuch' });
  t.equal(bad.code, 1);
  t.match(bad.stdout, /^db \([0-9a-f]{12}\): blocked: volume data: dataset zroot\/kleene\/volumes\/data is not mounted$/m);
  t.match(bad.stdout, /^twin: ambiguous/m);
  t.match(bad.stdout, /^nosuch: unknown/m);
  t.same(r.requests().filter((e) => e.method === 'POST'), [], 'no request changed anything');
  t.same(syslogLines(r), [], 'a check is not logged to syslog');
});

t.test('check names a dependency cycle', async (t) => {
  const r = await rig(t, { containers: [{ name: 'aa' }, { name: 'bb' }] });
  const run = await r.hook(['check'], { kleene_containers_list: 'aa bb', kleene_containers_aa_depend: 'bb', kleene_containers_bb_depend: 'aa' });
  t.equal(run.code, 1);
  t.match(run.stdout, /^aa \([0-9a-f]{12}\): blocked: dependency cycle: aa -> bb -> aa$/m);
  t.match(run.stdout, /^bb \([0-9a-f]{12}\): blocked: dependency cycle: aa -> bb -> aa$/m);
});

t.test('plan shows the waves, the reasons, the stop order and the budgets', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db' }, { name: 'web' }, { name: 'cache', running: true }] });
  const vars = { kleene_containers_list: 'web db cache', kleene_containers_web_depend: 'db', kleene_containers_db_priority: '10',
    kleene_containers_start_timeout: '20', kleene_containers_stop_timeout: '50' };
  const run = await r.hook(['plan'], vars);
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /wave 1:\n  db \([0-9a-f]{12}\): priority 10, ready started\nwave 2:\n  web \([0-9a-f]{12}\): priority 50, ready started, after db\n/);
  t.match(run.stdout, /not started:\n  cache \([0-9a-f]{12}\): already running/);
  // start order: db (priority 10), then web (listed before cache), then cache; stop is the reverse
  t.match(run.stdout, /stop order: cache, web, db/);
  t.match(run.stdout, /worst case start: 40 s/);
  // 3 to stop (cache runs, db and web will), 8 at once, web before db: 2 stops one after another.
  // rcshutdown_timeout 90 s less 18 s for kleened and 9 s margin leaves 63 s: 31.5 s each.
  t.match(run.stdout, /worst case stop: 100 s \(2 stops one after another, 8 at once, 50 s each\) of the 63 s rcshutdown_timeout=90 s leaves: each stop would be cut at 31\.5 s/);
  const json = JSON.parse((await r.hook(['plan', '--json'], vars)).stdout) as { plan: { waves: string[][]; stopOrder: string[] } };
  t.same(json.plan.waves, [[r.id('db')], [r.id('web')]]);
  t.same(json.plan.stopOrder, [r.id('cache'), r.id('web'), r.id('db')]);
  // --boot: what a boot would do from scratch, cache included.
  const boot = await r.hook(['plan', '--boot'], vars);
  t.match(boot.stdout, /^as at boot, from scratch \(no jail runs yet\):$/m);
  t.match(boot.stdout, /wave 1:\n  db \([0-9a-f]{12}\): priority 10, ready started\n  cache \([0-9a-f]{12}\): priority 50, ready started\nwave 2:\n  web /);
  t.notMatch(boot.stdout, /already running/);
});

t.test('wait-api exits 0 as soon as the API answers', async (t) => {
  const r = await rig(t, { containers: [] });
  const run = await r.hook(['wait-api', '--socket', r.socket, '--timeout', '5']);
  t.equal(run.code, 0, run.stderr);
  t.ok(run.ms < 5000);
});

t.test('wait-api gives up after its timeout naming the socket and the last error', async (t) => {
  const r = await rig(t, { containers: [] }, { kleened: false });
  const run = await r.hook(['wait-api', '--socket', join(r.dir, 'kleened.sock'), '--timeout', '1']);
  t.equal(run.code, 1);
  t.match(run.stderr, new RegExp(`^kleened's API did not answer on ${join(r.dir, 'kleened.sock').replace(/[.]/g, '\\.')} within 1 s; see ${join(r.dir, 'kleened.log').replace(/[.]/g, '\\.')} \\(address from kleened_socket; .*ENOENT\\)$`, 'm'));
  t.ok(run.ms < 5000, `${run.ms} ms`);
});

t.test('wait-api keeps trying until kleened comes up', async (t) => {
  const r = await rig(t, { containers: [] }, { kleened: false });
  const { startKleened } = await import('../doubles/kleened/server.mjs');
  let late: { close(): Promise<void> } | undefined;
  const timer = setTimeout(async () => { late = await startKleened({ socket: r.socket, statePath: r.statePath, autostart: false }); }, 600);
  t.teardown(async () => { clearTimeout(timer); await late?.close(); });
  const run = await r.hook(['wait-api', '--socket', r.socket, '--timeout', '10']);
  t.equal(run.code, 0, run.stderr);
  t.ok(run.ms >= 500 && run.ms < 8000, `${run.ms} ms`);
});

t.test('usage errors exit 2 with the usage', async (t) => {
  const r = await rig(t, { containers: [] }, { kleened: false });
  for (const args of [[], ['bogus'], ['restore', '--nope'], ['wait-api', '--socket'], ['wait-api', '--socket', '/x', '--timeout', 'soon']]) {
    const run = await r.hook(args);
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, /usage: hook\.js/);
  }
});

t.test('bad rc.conf values are reported and their defaults used; a bad list entry fails restore', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', running: true }] });
  const run = await r.hook(['restore'], { kleene_containers_list: 'web', kleene_containers_jobs: 'lots' });
  t.equal(run.code, 0, 'every configured container runs');
  t.match(run.stdout, /^error: kleene_containers_jobs: 'lots' is not a whole number from 1 to 256 \(the default is 4\)$/m);
  const check = await r.hook(['check'], { kleene_containers_list: 'web', kleene_containers_jobs: 'lots' });
  t.equal(check.code, 1, 'check fails on a configuration error');
  const bad = await r.hook(['restore'], { kleene_containers_list: "web we'b" });
  t.equal(bad.code, 1);
  t.match(bad.stdout, /^we'b: unknown: kleene_containers_list: not a container name or id$/m);
});

t.test('the bundle carries nothing boot does not need', async (t) => {
  const text = readFileSync(HOOK_JS, 'utf8');
  t.notMatch(text, /node_modules\/yargs/, 'no yargs');
  t.notMatch(text, /node_modules\/handlebars/, 'no handlebars');
  t.notMatch(text, /src\/rcconf\//, 'no rc.conf editor');
  // Start-up is on every boot's path: the hook runs four tools with fixed arguments; execa stays in the CLI.
  t.notMatch(text, /execa|cross-spawn|human-signals/, 'no execa');
});
