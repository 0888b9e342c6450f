// Helpers of the periodic-*.test.ts files, which run the periodic(8) daily script in a simulated
// host the way periodic runs it: from local_periodic's daily directory, with cron's PATH, stdin
// from /dev/null and stdout and stderr together (what goes into the mail), reading
// /etc/defaults/periodic.conf (a double written from periodic.conf(5)) and /etc/periodic.conf
// with daily_kleene_boot_enable unset or set. Three host states, one file each (a boot per file
// keeps each within tap's time limit on a loaded machine): everything running after a boot;
// one listed container stopped since and a boot that failed another; kleened down.
import type { Test } from 'tap';
import type { BootSim } from '../helpers/boot.ts';
import type { SimRunResult } from '../helpers/sim-host.ts';

export const DAILY = '/usr/local/etc/periodic/daily/460.kleene-boot';
export const RCD = '/usr/local/etc/rc.d/kleened';
// /etc/crontab's PATH: what periodic and its scripts get from cron.
export const CRON_PATH = '/etc:/bin:/sbin:/usr/bin:/usr/sbin';
export const HEADER = ['', 'Kleene containers (kleene-boot):'];

export const state = { containers: [{ name: 'db', faults: { start_delay_ms: 50 } }, { name: 'web', faults: { start_delay_ms: 50 } }] };
// kleened needs ZFS and pf at boot: without them doctor has problems of its own to report.
export const rcConf = { kleene_containers_list: 'db web', kleene_containers_web_depend: 'db', zfs_enable: 'YES', pf_enable: 'YES' };

/** periodic(8)'s loop for one file: `$file </dev/null >$tmp_output 2>&1`, then its exit status. */
export function periodicRun(sim: BootSim, timeoutMs = 30_000): Promise<SimRunResult> {
  return sim.run(`periodic daily: ${DAILY}`, '/usr/bin/env', ['-i', `PATH=${CRON_PATH}`, 'HOME=/', '/bin/sh', '-c', '"$0" </dev/null 2>&1', DAILY], timeoutMs);
}

export async function withKnob(sim: BootSim, value: string | undefined): Promise<void> {
  if (value === undefined) await sim.host.run('/bin/rm', ['-f', '/etc/periodic.conf']);
  else await sim.host.writeFile('/etc/periodic.conf', `# periodic.conf(5)\ndaily_kleene_boot_enable="${value}"\n`);
}

/** With the knob NO the script prints nothing, exits 0, and never asks kleened. */
export async function knobOff(t: Test, sim: BootSim): Promise<void> {
  await withKnob(sim, 'NO');
  const asked = sim.requests().length;
  const r = await periodicRun(sim);
  t.equal(r.code, 0, 'knob NO: exit 0');
  t.equal(r.stdout, '', 'knob NO: no output');
  t.equal(sim.requests().length, asked, 'knob NO: kleened not asked');
  await withKnob(sim, undefined);
}
