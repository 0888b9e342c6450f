// `hook.js restore` facing faults and bad input, through the real bundle and the kleened double:
// each ends within its bound with a clear reason per container, and the others go on.
import t from 'tap';
import { rig, startRequests, syslogLines } from './rig.ts';

t.test('a start kleened refuses fails with kleened\'s message; the others go on', async (t) => {
  const r = await rig(t, { containers: [
    { name: 'bad', faults: { start_delay_ms: 10, start_result: '1011', start_error: 'jail: bad: ifconfig: SIOCAIFADDR' } },
    { name: 'gone', faults: { start_delay_ms: 10, start_result: 'deleted' } },
    { name: 'good', faults: { start_delay_ms: 10 } },
  ] });
  const run = await r.hook(['restore'], { kleene_containers_list: 'bad gone good' });
  t.equal(run.code, 1);
  t.match(run.stdout, /^bad \([0-9a-f]{12}\): failed: kleened closed the start with code 1011: jail: bad: ifconfig: SIOCAIFADDR$/m);
  t.match(run.stdout, /^gone \([0-9a-f]{12}\): failed: .*no such container/m);
  t.match(run.stdout, /^good \([0-9a-f]{12}\): started$/m);
});

t.test('kleened down (no pidfile, no socket): restore fails at once, saying how to start kleened and where its log is', async (t) => {
  // Mutation: awaitKleened waiting while the pidfile names no live process made this take the
  // whole wait timeout (30 s here) and fail.
  const r = await rig(t, { containers: [{ name: 'web' }] }, { kleened: false });
  const run = await r.hook(['restore'], { kleene_containers_list: 'web', kleene_containers_wait_timeout: '30' });
  t.equal(run.code, 1);
  t.ok(run.ms < 5000, `gave up in ${run.ms} ms`);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  t.match(run.stdout, new RegExp(`^web: failed: kleened is not running \\(no pidfile ${esc(r.dir)}/kleened\\.pid; cannot reach kleened at ${esc(r.socket)}: ENOENT\\): start it with \`service kleened start\`; its log is ${esc(r.dir)}/kleened\\.log$`, 'm'));
  t.match(syslogLines(r).join('\n'), /restore: FAILED: 1 container: 1 failed/);
});

t.test('an API that answers 500 or garbage fails every container with the reason', async (t) => {
  for (const fault of [{ api_500: true }, { api_garbage: 'Bad Gateway <html>' }]) {
    const r = await rig(t, { containers: [{ name: 'web' }], faults: fault });
    const run = await r.hook(['restore'], { kleene_containers_list: 'web', kleene_containers_wait_timeout: '1' });
    t.equal(run.code, 1, JSON.stringify(fault));
    t.match(run.stdout, 'api_500' in fault ? /^web: failed: .*500: server error/m : /^web: failed: .*not JSON: Bad Gateway <html>/m);
    t.same(startRequests(r), []);
  }
});

t.test('jls failing starts nothing: it cannot tell what already runs', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web' }], faults: { jls: { stderr: 'jls: sysctl: Operation not permitted', exit_code: 1 } } });
  const run = await r.hook(['restore'], { kleene_containers_list: 'web' });
  t.equal(run.code, 1);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): blocked: cannot tell whether its jail runs: .*jls failed: jls: sysctl: Operation not permitted$/m);
  t.same(startRequests(r), []);
});

t.test('unknown and ambiguous entries fail alone; the rest is restored', async (t) => {
  const r = await rig(t, { containers: [{ name: 'twin' }, { name: 'twin' }, { name: 'web', faults: { start_delay_ms: 10 } }] });
  const run = await r.hook(['restore'], { kleene_containers_list: 'nosuch twin web' });
  t.equal(run.code, 1);
  t.match(run.stdout, /^nosuch: unknown: kleene_containers_list: no container is named 'nosuch'/m);
  t.match(run.stdout, /^twin: ambiguous: kleene_containers_list: 'twin' names 2 containers/m);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): started$/m);
});

t.test('exec: and tcp: ready checks gate dependents; a check that never passes times out', async (t) => {
  const r = await rig(t, { containers: [
    { name: 'db', faults: { start_delay_ms: 10 } },
    { name: 'web', faults: { start_delay_ms: 10 } },
    { name: 'api', faults: { start_delay_ms: 10 } },
  ] });
  const run = await r.hook(['restore'], {
    kleene_containers_list: 'db web api',
    // The jexec shim runs the command on this machine inside the "jail": true passes, false never does.
    kleene_containers_db_ready: 'exec:test -n "$KLEENE_SIM_JAIL"',
    kleene_containers_web_depend: 'db',
    kleene_containers_api_ready: 'tcp:127.0.0.1:1',
    // Each start is the start, a jls that sees the jail, then the check (shims are node scripts).
    kleene_containers_start_timeout: '3',
  });
  t.equal(run.code, 1);
  t.match(run.stdout, /^db \([0-9a-f]{12}\): started$/m);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): started$/m);
  t.match(run.stdout, /^api \([0-9a-f]{12}\): timed out: not ready within 3 s \(tcp:127.0.0.1:1\)$/m);
});

t.test('missing jls, zfs and logger binaries each give a reason and bound the run', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', volumes: ['data'] }, { name: 'web', faults: { start_delay_ms: 10 } }] });
  const noJls = await r.hook(['restore'], { kleene_containers_list: 'db web', kleene_containers_jls: '/nonexistent/jls' });
  t.equal(noJls.code, 1);
  t.match(noJls.stdout, /^web \([0-9a-f]{12}\): blocked: cannot tell whether its jail runs: cannot run \/nonexistent\/jls: ENOENT$/m);
  const noZfs = await r.hook(['restore'], { kleene_containers_list: 'db web', kleene_containers_zfs: '/nonexistent/zfs', kleene_containers_logger: '/nonexistent/logger' });
  t.equal(noZfs.code, 1);
  t.match(noZfs.stdout, /^db \([0-9a-f]{12}\): blocked: volume data: cannot check dataset zroot\/kleene\/volumes\/data: cannot run \/nonexistent\/zfs: ENOENT$/m);
  t.match(noZfs.stdout, /^web \([0-9a-f]{12}\): started$/m, 'a container without volumes does not need zfs');
  t.match(noZfs.stderr, /hook: cannot log to syslog: cannot run \/nonexistent\/logger: ENOENT/);
  t.same(startRequests(r), [r.id('web')]);
});

t.test('a start kleened closes with 1001 before its jail exists is confirmed with jls', async (t) => {
  // kleened's Exec.start answers once `jail -c` is spawned (lib/core/exec.ex): the jail may come
  // up a moment later, or fail and never come up, which the socket never says.
  const r = await rig(t, { containers: [
    { name: 'late', faults: { start_delay_ms: 300, close_before_jail: true } },
    { name: 'never', faults: { start_delay_ms: 10, close_before_jail: true, start_result: '1011', start_error: 'jail: never: mount_nullfs failed' } },
  ] });
  const run = await r.hook(['restore'], { kleene_containers_list: 'late never' });
  t.equal(run.code, 1, 'not every container runs');
  t.match(run.stdout, /^late \([0-9a-f]{12}\): started$/m);
  t.match(run.stdout, /^never \(([0-9a-f]{12})\): failed: kleened reported the start, but no jail \1 runs; see \/var\/log\/kleened\.log$/m);
});
