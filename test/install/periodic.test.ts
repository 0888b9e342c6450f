// The periodic(8) daily script, run in a simulated host the way periodic runs it: from
// local_periodic's daily directory, with cron's PATH, stdin from /dev/null and stdout and stderr
// together (what goes into the mail), reading /etc/defaults/periodic.conf (a double written from
// periodic.conf(5)) and /etc/periodic.conf with daily_kleene_boot_enable unset or set. Three
// host states: everything running after a boot; one listed container stopped since and a boot
// that failed another; kleened down (no socket, then a socket that never answers).
import t from 'tap';
import type { Test } from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';
import type { SimRunResult } from '../helpers/sim-host.ts';

const DAILY = '/usr/local/etc/periodic/daily/460.kleene-boot';
// /etc/crontab's PATH: what periodic and its scripts get from cron.
const CRON_PATH = '/etc:/bin:/sbin:/usr/bin:/usr/sbin';
const HEADER = ['', 'Kleene containers (kleene-boot):'];

const state = { containers: [{ name: 'db', faults: { start_delay_ms: 50 } }, { name: 'web', faults: { start_delay_ms: 50 } }] };
// kleened needs ZFS and pf at boot: without them doctor has problems of its own to report.
const rcConf = { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db', zfs_enable: 'YES', pf_enable: 'YES' };

/** periodic(8)'s loop for one file: `$file </dev/null >$tmp_output 2>&1`, then its exit status. */
function periodicRun(sim: BootSim, timeoutMs = 30_000): Promise<SimRunResult> {
  return sim.run(`periodic daily: ${DAILY}`, '/bin/sh', ['-c', '"$0" </dev/null 2>&1', DAILY], timeoutMs);
}

async function withKnob(sim: BootSim, value: string | undefined): Promise<void> {
  if (value === undefined) await sim.host.run('/bin/rm', ['-f', '/etc/periodic.conf']);
  else await sim.host.writeFile('/etc/periodic.conf', `# periodic.conf(5)\ndaily_kleene_boot_enable="${value}"\n`);
}

/** With the knob NO the script prints nothing, exits 0, and never asks kleened. */
async function knobOff(t: Test, sim: BootSim): Promise<void> {
  await withKnob(sim, 'NO');
  const asked = sim.requests().length;
  const r = await periodicRun(sim);
  t.equal(r.code, 0, 'knob NO: exit 0');
  t.equal(r.stdout, '', 'knob NO: no output');
  t.equal(sim.requests().length, asked, 'knob NO: kleened not asked');
  await withKnob(sim, undefined);
}

t.test('everything running: silent, exit 0, with the knob unset (default YES) or YES', async (t) => {
  const sim = await BootSim.create(t, { state, rcConf });
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'boot');
  t.equal(sim.state().jails.length, 2, 'both containers run');
  const eventsBefore = sim.state().events.length;
  for (const knob of [undefined, 'YES']) {
    await withKnob(sim, knob);
    const r = await periodicRun(sim);
    t.equal(r.code, 0, `knob ${knob ?? 'unset'}: exit 0`);
    t.equal(r.stdout, '', `knob ${knob ?? 'unset'}: nothing for the mail`);
  }
  await knobOff(t, sim);
  t.equal(sim.state().events.length, eventsBefore, 'nothing started or stopped');
});

t.test('a listed container stopped and a boot that failed another: exit 1 and their lines', async (t) => {
  const failing = { containers: [state.containers[0]!, { name: 'web', faults: { start_delay_ms: 50, start_result: '1011' as const, start_error: 'jail: /sbin/ifconfig failed' } }] };
  const sim = await BootSim.create(t, { state: failing, rcConf });
  await sim.boot();
  const db = sim.state().containers.find((c) => c.name === 'db')!.id;
  const web = sim.state().containers.find((c) => c.name === 'web')!.id;
  t.ok(sim.state().jails.some((j) => j.name === db), 'db started at boot');
  // db's jail went away since (its command exited): kleened lists it as not running.
  sim.mutateState((s) => { s.jails = s.jails.filter((j) => j.name !== db); });
  const eventsBefore = sim.state().events.length;
  await withKnob(sim, undefined);
  const r = await periodicRun(sim);
  t.equal(r.code, 1, 'exit 1: something notable');
  const lines = r.stdout.split('\n');
  t.same(lines.slice(0, 2), HEADER, 'a blank line and a heading, as base daily scripts');
  const body = lines.slice(2).filter(Boolean);
  t.same(body.slice(0, 2), [
    `db (${db}): not running (listed in kleene_containers_list)`,
    `web (${web}): not running (listed in kleene_containers_list)`,
  ], 'each listed container that is down');
  t.match(body[2], /^last restore, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: .*failed/, 'the last restore, when and its summary');
  t.match(body[3], new RegExp(`^ {2}web \\(${web}\\): failed: .*ifconfig failed`), 'the failed container with its reason');
  t.equal(body.length, 4, `nothing else:\n${r.stdout}`);
  t.equal(sim.state().events.length, eventsBefore, 'nothing started or stopped');
  await knobOff(t, sim);
});

t.test('kleened down: exit 1 naming it, at once without a socket, within the timeout when it never answers', async (t) => {
  const sim = await BootSim.create(t, { state, rcConf });
  await withKnob(sim, undefined);
  const r = await periodicRun(sim);
  t.equal(r.code, 1);
  t.same(r.stdout.split('\n').slice(0, 2), HEADER);
  t.same(r.stdout.split('\n').slice(2).filter(Boolean), [
    `kleened does not answer on ${SIM.socket} (GET /containers/list?all=true: cannot reach kleened at ${SIM.socket}: ENOENT): listed containers not checked`,
  ], `one line:\n${r.stdout}`);
  t.ok(r.ms < 8_000, `no socket: at once, not after the 10 s default timeout (${r.ms} ms)`);

  // A socket that accepts and never answers (a hung kleened): bounded by daily_kleene_boot_timeout.
  await sim.host.sh(`nohup ${SIM.node} -e "require('net').createServer(() => {}).listen('${SIM.socket}')" >/dev/null 2>&1 &`);
  for (let i = 0; i < 50 && !(await sim.host.exists(SIM.socket)); i++) await new Promise((res) => setTimeout(res, 100));
  await sim.host.writeFile('/etc/periodic.conf', 'daily_kleene_boot_timeout="4"\n');
  const hung = await periodicRun(sim);
  t.equal(hung.code, 1);
  t.match(hung.stdout, new RegExp(`^kleened does not answer on ${SIM.socket} \\(.*\\): listed containers not checked$`, 'm'));
  t.ok(hung.ms >= 4_000, `waited the timeout (${hung.ms} ms)`);
  // Twice the timeout would fail: node's start on a loaded machine fits in the other 4 s.
  t.ok(hung.ms < 8_000, `and not twice as long (${hung.ms} ms)`);

  await sim.host.writeFile('/etc/periodic.conf', 'daily_kleene_boot_timeout="soon"\n');
  const bad = await periodicRun(sim);
  t.equal(bad.code, 2, 'a bad periodic.conf value: exit 2 (periodic: bad configuration)');
  t.match(bad.stdout, /daily_kleene_boot_timeout="soon" is not a number of seconds/);
});
