// The SimHost harness and the FreeBSD shims it installs: daemon(8), pwait, ps's JID column,
// zombie reaping, run() timeouts, file access, isolation from the real host and destroy().
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SimHost } from '../helpers/sim-host.ts';
import { waitFor } from '../helpers/sim-state.ts';

let sim: SimHost;
t.before(async () => { sim = await SimHost.create(); });
t.teardown(() => sim?.destroy());

/** Host pids whose command line contains every given argument (scans the real /proc). */
function hostPidsWith(...args: string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try { argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (args.every((a) => argv.includes(a))) out.push(Number(d));
  }
  return out;
}

t.test('daemon -p writes the child pid; SIGTERM to it ends the supervisor and removes the pidfile', async (t) => {
  const r = await sim.sh('daemon -f -p /var/run/a.pid /bin/sleep 101; echo "exit=$?"');
  t.equal(r.stdout, 'exit=0\n');
  t.equal(r.heldOpen, false, 'with -f nothing keeps our output pipe open');
  const pid = Number(await sim.readFile('/var/run/a.pid'));
  t.same(await sim.pids(/^\/bin\/sleep 101$/), [pid]);
  t.same(await sim.pids(/^daemon: \/bin\/sleep\[\d+\] \(daemon\)$/).then((p) => p.length), 1, 'ps shows the supervisor title');
  const stop = await sim.sh(`kill -TERM ${pid}; pwait -t 5 ${pid}; echo "pwait=$?"; sleep 0.2; [ -e /var/run/a.pid ] || echo gone`);
  t.equal(stop.stdout, 'pwait=0\ngone\n');
  t.same(await sim.pids(/sleep 101|daemon: \/bin\/sleep/), []);
});

t.test('daemon -P names the supervisor, which rc.subr finds with procname=daemon', async (t) => {
  await sim.sh('daemon -f -P /var/run/s.pid -p /var/run/c.pid /bin/sleep 102');
  const sup = Number(await sim.readFile('/var/run/s.pid'));
  const child = Number(await sim.readFile('/var/run/c.pid'));
  t.not(sup, child);
  const r = await sim.sh('. /etc/rc.subr; echo "sup=$(check_pidfile /var/run/s.pid daemon) child=$(check_pidfile /var/run/c.pid /bin/sleep) wrong=$(check_pidfile /var/run/s.pid /bin/sleep)"');
  t.equal(r.stdout, `sup=${sup} child=${child} wrong=\n`);
  const again = await sim.sh('daemon -f -P /var/run/s.pid /bin/sleep 102');
  t.equal(again.code, 3, 'a second daemon on a live pidfile exits 3');
  t.match(again.stderr, `daemon: process already running, pid: ${sup}`);
  await sim.sh(`kill -TERM ${sup}; pwait -t 5 ${sup} ${child}`);
  t.same(await sim.pids(/sleep 102/), [], 'SIGTERM to the supervisor stops the child too');
});

t.test('daemon -r restarts a killed child; -o appends its output to a file', async (t) => {
  await sim.sh('daemon -f -r -R 1 -P /var/run/r.pid -p /var/run/rc.pid -o /var/log/r.log /bin/sh -c "echo hello; exec sleep 103"');
  const first = Number(await sim.readFile('/var/run/rc.pid'));
  await sim.sh(`kill -TERM ${first}; pwait -t 5 ${first}`);
  // -R 1: the restart comes about a second later; wait for the new pid instead of racing it
  const second = await waitFor('the restarted child', async () => {
    const pid = Number(await sim.readFile('/var/run/rc.pid').catch(() => ''));
    return pid > 0 && pid !== first && (await sim.pids(/^sleep 103$/)).length === 1 && pid;
  });
  t.not(second, first, 'a new child runs');
  t.equal((await sim.pids(/^sleep 103$/)).length, 1);
  // The child's output reaches the file through the supervisor's pipe, a moment after the
  // child runs: wait for the second line rather than race the supervisor (a loaded machine lost).
  const log = await waitFor('the restarted child\'s line in the log', async () => {
    const text = await sim.readFile('/var/log/r.log').catch(() => '');
    return text.split('\n').length > 2 && text;
  }, { timeoutMs: 5000 });
  t.equal(log, 'hello\nhello\n', 'each child\'s output appended, nothing lost or doubled');
  const sup = Number(await sim.readFile('/var/run/r.pid'));
  await sim.sh(`kill -TERM ${sup}; pwait -t 5 ${sup}`);
  t.same(await sim.pids(/sleep 103/), [], 'no restart after the supervisor was told to stop');
});

t.test('pwait -t exits 124 on timeout and 0 once the process is gone', async (t) => {
  const r = await sim.sh('sleep 5 & p=$!; pwait -t 0.2 $p; echo "first=$?"; kill $p; pwait -t 2 $p; echo "second=$?"');
  t.equal(r.stdout, 'first=124\nsecond=0\n');
  t.ok(r.ms < 3000, `took ${r.ms} ms`);
  const missing = await sim.run('pwait', ['99999']);
  t.equal(missing.stderr, 'pwait: 99999: No such process\n');
});

t.test('ps prints a JID column: 0 on the host, KLEENE_SIM_JID for simulated jail processes', async (t) => {
  const header = await sim.run('ps', ['-ax', '-o', 'pid,jid,command']);
  t.match(header.stdout, /^PID JID COMMAND\n/);
  await sim.sh('KLEENE_SIM_JID=7 setsid -f sleep 104 >/dev/null 2>&1');
  const r = await sim.run('ps', ['-ax', '-o', 'pid=', '-o', 'jid=', '-o', 'command=']);
  const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  t.ok(rows.every((c) => /^\d+$/.test(c[0]!) && /^\d+$/.test(c[1]!)), 'every row has a numeric pid and jid');
  t.same(rows.filter((c) => c[2] === 'sleep' && c[3] === '104').map((c) => c[1]), ['7']);
  t.ok(rows.some((c) => c[1] === '0' && c[2] === 'tini'), 'host processes are in jail 0');
  const jail = await sim.run('ps', ['-J', '7', '-o', 'jid=,command=']);
  t.equal(jail.stdout.trim(), '7 sleep 104');
  const none = await sim.run('ps', ['-p', '99999', '-o', 'pid=']);
  t.equal(none.code, 1, 'ps -p of a missing pid fails');
  await sim.sh('pkill -f "sleep 104"');
});

t.test('an exited orphan is reaped at once, so kill -0, ps and check_pidfile see it gone', async (t) => {
  const r = await sim.sh('sh -c "sleep 0.1 & echo \\$!"');
  const pid = r.stdout.trim();
  await new Promise((res) => setTimeout(res, 400));
  const probe = await sim.sh(`kill -0 ${pid} 2>/dev/null; echo "kill=$?"; ps -p ${pid} -o pid= >/dev/null; echo "ps=$?"; echo ${pid} > /var/run/z.pid; . /etc/rc.subr; echo "pid=[$(check_pidfile /var/run/z.pid sleep)]"`);
  t.equal(probe.stdout, 'kill=1\nps=1\npid=[]\n');
});

t.test('a zombie child counts as gone for pwait and ps', async (t) => {
  // The shell has not waited for its child yet when pwait and ps look at it.
  const r = await sim.sh('sleep 0.1 & p=$!; pwait -t 3 $p; echo "pwait=$?"; ps -p $p -o command=');
  t.match(r.stdout, /^pwait=0\n(<defunct>\n)?$/);
});

t.test('run() kills a command that outlives timeoutMs and reports 124', async (t) => {
  const r = await sim.run('sleep', ['30'], { timeoutMs: 300 });
  t.equal(r.code, 124);
  t.equal(r.timedOut, true);
  t.equal(r.heldOpen, false);
  t.ok(r.ms < 3000, `returned after ${r.ms} ms`);
  t.same(await sim.pids(/^sleep 30$/), [], 'the command was killed');
});

t.test('run() reports heldOpen when a daemon without -f keeps the output pipe open', async (t) => {
  const r = await sim.sh('daemon -p /var/run/held.pid /bin/sleep 105; echo started', { timeoutMs: 2000 });
  t.equal(r.heldOpen, true);
  t.equal(r.timedOut, true);
  t.equal(r.code, 0, 'the script itself succeeded');
  t.equal(r.stdout, 'started\n');
  await sim.sh('kill $(cat /var/run/held.pid)');
});

t.test('run() passes input, env and cwd; the environment is rc(8)-like', async (t) => {
  const r = await sim.run('/bin/sh', ['-c', 'read x; echo "$x $FOO $(pwd)"; env | sort'], { input: 'hi\n', env: { FOO: 'bar' }, cwd: '/etc' });
  t.equal(r.stdout, 'hi bar /etc\nFOO=bar\nHOME=/\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nPWD=/etc\n');
});

t.test('files written through the sim stay in the sim', async (t) => {
  await sim.writeFile('/etc/kleene-sim-probe', 'inside\n', 0o600);
  t.equal((await sim.sh('cat /etc/kleene-sim-probe; stat -c %a /etc/kleene-sim-probe')).stdout, 'inside\n600\n');
  // Probes named for this run only, written from inside the sim into every overlaid directory:
  // none may appear outside. (Whatever else the machine holds in /etc or /usr/bin cannot change
  // the outcome: the names are this test's own.)
  const tag = `kleene-sim-probe-${randomUUID()}`;
  for (const d of ['/etc', '/usr/bin', '/usr/sbin', '/usr/local', '/var']) {
    t.equal((await sim.sh(`echo inside > ${d}/${tag} && cat ${d}/${tag}`)).stdout, 'inside\n', `${d} is writable in the sim`);
    t.equal(existsSync(`${d}/${tag}`), false, `the real ${d} is untouched`);
  }
  t.match(sim.path('/var/run/x.pid'), /^\/proc\/\d+\/root\/var\/run\/x\.pid$/, '/var/run is a real dir in the sim');
  await sim.sh('ln -s /etc/kleene-sim-probe /var/db/link');
  t.equal(sim.path('/var/db/link'), sim.path('/etc/kleene-sim-probe'), 'absolute symlinks resolve inside the sim');
  t.equal(await sim.readFile('/var/db/link'), 'inside\n');
  await sim.installFile(new URL(import.meta.url).pathname, '/usr/local/bin/copied', 0o700);
  t.equal((await sim.run('stat', ['-c', '%a', '/usr/local/bin/copied'])).stdout, '700\n');
});

t.test('the shims answer like FreeBSD base tools', async (t) => {
  const r = await sim.sh([
    'sysctl -n security.jail.jailed kern.ostype',
    'sysctl security.jail.jailed=1 >/dev/null; sysctl -n security.jail.jailed',
    'sysctl -n no.such.oid; echo "oid=$?"',
    'kenv -q rc.debug; echo "kenv=$?"',
    'kenv smbios.system.product=Sim >/dev/null; kenv smbios.system.product',
    'kldstat -q -m zfs; echo "kld=$?"',
    'limits -C daemon -n 64 env X=1 sh -c \'echo "limits $X"\'',
    'logger -t kleened hello world; logger -p daemon.err -i -t x oops; cat /var/log/messages',
    'sysrc a_b="x y" >/dev/null; sysrc a_b+=z; sysrc -n a_b; sysrc q=\'say "$HOME"\' >/dev/null; cat /etc/rc.conf',
  ].join('\n'));
  t.equal(r.stderr, 'sysctl: unknown oid \'no.such.oid\'\n');
  const ppid = /x\[(\d+)\]: oops/.exec(r.stdout)?.[1] ?? '?';
  t.equal(r.stdout, [
    '0', 'FreeBSD', '1', 'oid=1', 'kenv=1', 'Sim', 'kld=0', 'limits 1',
    'kleened: hello world', `x[${ppid}]: oops`,
    'a_b: x y -> x y z', 'x y z',
    'a_b="x y z"', 'q="say \\"\\$HOME\\""', '',
  ].join('\n'));
  const back = await sim.sh('. /etc/rc.conf; echo "$q"');
  t.equal(back.stdout, 'say "$HOME"\n', 'sysrc escapes so sh reads the value back unchanged');
});

t.test('two sims are isolated from each other', async (t) => {
  const other = await SimHost.create();
  t.teardown(() => other.destroy());
  await sim.writeFile('/usr/local/etc/only-here', 'x');
  t.equal(await other.exists('/usr/local/etc/only-here'), false);
  t.equal((await other.run('cat', ['/etc/rc.conf'])).stdout, '', 'each sim starts with an empty rc.conf');
});

t.test('destroy() kills every process of the sim and removes its temp dir', async (t) => {
  const doomed = await SimHost.create({ prefix: 'kleene-sim-doomed-' });
  t.match(doomed.tempDir, /kleene-sim-doomed-/);
  await doomed.sh('daemon -f -p /var/run/d.pid /bin/sleep 424242; setsid -f sleep 434343 >/dev/null 2>&1');
  t.equal(hostPidsWith('/bin/sleep', '424242').length, 1, 'the daemon runs (seen from the host)');
  t.equal(hostPidsWith('sleep', '434343').length, 1, 'a setsid orphan runs too');
  await doomed.destroy();
  await new Promise((res) => setTimeout(res, 200));
  t.same(hostPidsWith('/bin/sleep', '424242'), []);
  t.same(hostPidsWith('sleep', '434343'), []);
  t.equal(existsSync(`/proc/${doomed.pid}`), false, 'PID 1 of the sim is gone');
  t.equal(existsSync(doomed.tempDir), false);
  await t.rejects(doomed.run('true'), /used after destroy/);
  await doomed.destroy();
  t.pass('destroy() twice is harmless');
});

t.test('a test process that dies without destroy() leaves no process and no temp dir', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kleene-sim-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'crash.mts');
  const helper = new URL('../helpers/sim-host.ts', import.meta.url).pathname;
  await writeFile(script, `import { SimHost } from ${JSON.stringify(helper)};
const sim = await SimHost.create({ prefix: 'kleene-sim-crash-' });
await sim.sh('daemon -f -p /var/run/c.pid /bin/sleep 454545');
console.log(sim.tempDir);
process.exit(0);
`);
  const r = await execa('node', ['--import', 'tsx', script], { cwd: new URL('../../', import.meta.url).pathname, reject: false });
  t.equal(r.exitCode, 0, r.stderr);
  const tempDir = r.stdout.trim();
  t.match(tempDir, /kleene-sim-crash-/);
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    gone = hostPidsWith('/bin/sleep', '454545').length === 0 && !existsSync(tempDir);
    if (!gone) await new Promise((res) => setTimeout(res, 100));
  }
  t.ok(gone, 'the daemon died with the sim and the temp dir was removed');
});
