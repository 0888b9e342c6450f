// The periodic(8) daily script (helpers and conventions: periodic.ts) after a boot that failed a
// container and blocked another (its volume's dataset not mounted), with a third listed container
// stopped since: exit 1 and their lines.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';
import { HEADER, knobOff, periodicRun, rcConf, state, withKnob } from './periodic.ts';

t.test('a listed container stopped and a boot that failed and blocked others: exit 1 and their lines, with reasons', async (t) => {
  const failing = {
    containers: [state.containers[0]!, { name: 'web', faults: { start_delay_ms: 50, start_result: '1011' as const, start_error: 'jail: /sbin/ifconfig failed' } },
      { name: 'files', volumes: ['shared'] }],
    datasets: { 'zroot/kleene/volumes/shared': { mounted: 'no' as const } },
  };
  const sim = await BootSim.create(t, { state: failing, rcConf: { ...rcConf, kleene_containers_list: 'db web files' } });
  await sim.boot();
  const db = sim.state().containers.find((c) => c.name === 'db')!.id;
  const web = sim.state().containers.find((c) => c.name === 'web')!.id;
  const files = sim.state().containers.find((c) => c.name === 'files')!.id;
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
  t.same(body.slice(0, 3), [
    `db (${db}): not running (listed in kleene_containers_list)`,
    `web (${web}): not running (listed in kleene_containers_list)`,
    `files (${files}): not running (listed in kleene_containers_list)`,
  ], 'each listed container that is down');
  t.match(body[3], /^last restore, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: restore: FAILED: 3 containers: 1 started, 1 blocked, 1 failed$/, 'the last restore, when and its summary');
  t.same(body.slice(4).sort(), [
    `  files (${files}): blocked: volume shared: dataset zroot/kleene/volumes/shared is not mounted`,
    `  web (${web}): failed: kleened closed the start with code 1011: jail: /sbin/ifconfig failed`,
  ], 'the blocked and the failed container, each with its reason');
  t.equal(body.length, 6, `nothing else:\n${r.stdout}`);
  t.equal(sim.state().events.length, eventsBefore, 'nothing started or stopped');
  await knobOff(t, sim);
});
