// The periodic(8) daily script (helpers and conventions: periodic.ts) after a good boot: silent,
// exit 0, with daily_kleene_boot_enable unset, YES and NO; then doctor's drift in its lines.
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';
import { PORT_SCRIPT } from './tree.ts';
import { RCD, knobOff, periodicRun, rcConf, state, withKnob } from './periodic.ts';

t.test('everything running: silent, exit 0, with the knob unset (default YES) or YES; drift: doctor\'s problems', async (t) => {
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

  // Drift, as doctor finds it: the port's script back, a node that is gone, kleened_socket
  // naming another address than config.yaml's (so the containers cannot be checked either).
  await sim.host.writeFile(RCD, PORT_SCRIPT, 0o555);
  await sim.host.appendFile('/etc/rc.conf', 'kleene_containers_node="/usr/local/bin/node18"\nkleened_socket="/var/run/other.sock"\n');
  const r = await periodicRun(sim);
  t.equal(r.code, 1, 'drift: exit 1');
  t.same(r.stdout.split('\n').slice(2).filter(Boolean), [
    'kleened does not answer on /var/run/other.sock (GET /containers/list?all=true: cannot reach kleened at /var/run/other.sock: ENOENT): listed containers not checked',
    `doctor: ${RCD} is not kleene-boot's script (did 'pkg upgrade kleene-daemon' put the port's back?): its stop hangs and its status always fails`,
    '  fix: kleene-boot install --force',
    'doctor: no executable node at /usr/local/bin/node18 (kleene_containers_node), which the rc.d scripts run',
    '  fix: pkg install node22 (or kleene-boot install --node PATH)',
    `doctor: kleened_socket=/var/run/other.sock (rc.conf) but ${SIM.kleenedConfig} has kleened listen on ${SIM.socket}: rc.d/kleened's start wait, status and the restore would ask the wrong address`,
    '  fix: kleene-boot rc unset kleened_socket',
  ], `doctor's problems, each with its fix:\n${r.stdout}`);
  t.equal(sim.state().events.length, eventsBefore, 'still nothing started or stopped');
});
