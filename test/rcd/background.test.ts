// rc.d/kleene_containers with kleene_containers_background=YES, through the rc.subr double:
// the restore runs under daemon(8) -p with a pidfile, so `status` reports a restore still in
// progress, `start` does not run a second one, and `stop` ends it (bounded) before stopping the
// containers. Mutation tried: dropping `-p "${kleene_containers_pidfile}"` from the daemon line
// in templates/kleene_containers.hbs: status no longer reports the restore and these fail.
import t from 'tap';
import { createRcdHost, FAST_RC_CONF, P, rc, requestLog } from '../helpers/rcd.ts';
import { startFramesOf } from '../helpers/sim-state.ts';

const PIDFILE = '/var/run/kleene_containers.pid';

t.test('status and stop see a background restore in progress; start refuses a second one', async (t) => {
  const host = await createRcdHost({
    state: { containers: [{ name: 'web', faults: { start_delay_ms: 4000 } }] },
    rcConf: FAST_RC_CONF + 'kleene_containers_list=web\nkleene_containers_background=YES\nkleene_containers_start_timeout=30\n',
  });
  t.teardown(() => host.destroy());
  const k = await rc(host, P.kleenedRc, 'start');
  t.equal(k.code, 0, k.stderr);

  const start = await rc(host, P.containersRc, 'start');
  t.equal(start.code, 0, start.stderr);
  t.notOk(start.heldOpen, 'no open pipe holds boot');
  const pid = Number((await host.readFile(PIDFILE)).trim());
  t.ok(Number.isInteger(pid) && pid > 0, `daemon -p wrote the restore's pid: ${pid}`);

  const status = await rc(host, P.containersRc, 'status');
  t.match(status.stdout, new RegExp(`^A restore of Kleene containers is in progress \\(pid ${pid}\\); see syslog for its result\\.$`, 'm'));

  const again = await rc(host, P.containersRc, 'start');
  t.equal(again.code, 1, 'a second start while one runs fails, as rc.subr does for a running service');
  t.match(again.stdout, `A restore of Kleene containers is already in progress (pid ${pid}).`);

  const stop = await rc(host, P.containersRc, 'stop', 30_000);
  t.notOk(stop.timedOut);
  t.match(stop.stdout, `Stopping the restore of Kleene containers still in progress (pid ${pid}).`);
  t.match(stop.stdout, /^Stopping Kleene containers:$/m);
  const alive = await host.sh(`kill -0 ${pid} 2>/dev/null`);
  t.not(alive.code, 0, 'the restore process is gone once stop returns');
  const gone = await host.sh(`[ ! -e ${PIDFILE} ]`);
  t.equal(gone.code, 0, 'daemon removed the pidfile');
  t.equal(startFramesOf(requestLog(host)).length <= 1, true, 'one restore at most ever asked for a start');

  const after = await rc(host, P.containersRc, 'status');
  t.notMatch(after.stdout, /in progress/, 'nothing in progress after stop');
});
