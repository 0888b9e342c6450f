// Boot scenario: a sysadmin edits rc.conf between two boots with `kleene-boot rc set`
// (`=`, `+=`, `-=`) and `rc unset`. The second boot does what the edited files say, and every
// line the edits did not target stays byte for byte as it was.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

// Lines a real rc.conf carries that kleene-boot must never touch: comments, a continued line,
// quoting styles, a trailing comment, an unrelated service.
const FOREIGN = [
  '# /etc/rc.conf of host build01 -- managed by hand, keep the comments',
  'hostname="build01.example.org"',
  "ifconfig_vtnet0='inet 192.0.2.10/24'",
  'defaultrouter="192.0.2.1"  # upstream',
  'sshd_enable=YES',
  'sshd_flags="-o \\',
  '  PermitRootLogin=no"',
  'zfs_enable="YES"',
  'pf_enable="YES"',
];

t.test('rc set/+=/-=/unset between two boots change the second boot and leave the rest of rc.conf intact', async (t) => {
  const quick = { start_delay_ms: 50 };
  const sim = await BootSim.create(t, {
    state: { containers: ['db', 'web', 'cache'].map((name) => ({ name, faults: quick })) },
    rcConf: {},
    rcConfExtra: [...FOREIGN, 'kleene_containers_list="db web"', 'kleene_containers_web_depend="db"', ''].join('\n'),
  });
  const original = await sim.host.readFile('/etc/rc.conf');
  const id = (n: string) => containerId(sim.state(), n);
  const startsSince = (ms: number) => sim.state().events.filter((e) => e.type === 'start' && Date.parse(e.time) >= ms);

  const boot1At = Date.now();
  t.equal((await sim.boot()).code, 0, 'first boot');
  t.same(startsSince(boot1At).map((e) => e.container).sort(), [id('db'), id('web')].sort(), 'first boot started db and web');
  t.equal((await sim.shutdown()).code, 0, 'shut down');
  t.equal(sim.state().jails.length, 0, 'nothing runs after shutdown');

  for (const args of [
    ['rc', 'set', 'kleene_containers_list+=cache'],
    ['rc', 'set', 'kleene_containers_list-=web'],
    ['rc', 'set', 'kleene_containers_cache_depend=db', 'kleene_containers_jobs=1'],
    ['rc', 'unset', 'kleene_containers_web_depend'],
  ]) {
    const r = await sim.kleeneBoot(...args);
    t.equal(r.code, 0, `kleene-boot ${args.join(' ')}: ${r.stdout.trim()}`);
  }
  const edited = await sim.host.readFile('/etc/rc.conf');
  for (const line of FOREIGN) t.ok(edited.split('\n').includes(line), `kept: ${line}`);
  const fragment = await sim.readOr('/etc/rc.conf.d/kleene_containers');
  const files = { '/etc/rc.conf': edited, '/etc/rc.conf.d/kleene_containers': fragment };
  for (const [path, text] of Object.entries(files)) {
    if (!text) continue;
    const check = await sim.run(`sh -n ${path}`, '/bin/sh', ['-n', path]);
    t.equal(check.code, 0, `${path} still parses as sh`);
    t.ok(text.endsWith('\n'), `${path} ends with a newline`);
  }
  const nonKleene = (s: string) => s.split('\n').filter((l) => !/^kleene_containers_/.test(l)).join('\n');
  t.equal(nonKleene(edited), nonKleene(original), 'every line that is not a kleene_containers_ assignment is byte-identical');
  const effective = await sim.run('effective values', '/bin/sh', ['-c',
    '. /etc/rc.subr; load_rc_config kleene_containers; printf "%s|%s|%s|%s\\n" "$kleene_containers_list" "$kleene_containers_cache_depend" "$kleene_containers_jobs" "${kleene_containers_web_depend-UNSET}"']);
  t.equal(effective.stdout, 'db cache|db|1|UNSET\n', 'rc.subr now reads the edited values');

  const boot2At = Date.now();
  t.equal((await sim.boot()).code, 0, 'second boot');
  const starts = startsSince(boot2At);
  t.same(starts.map((e) => e.container).sort(), [id('db'), id('cache')].sort(), 'second boot started db and cache, not web');
  const at = (n: string) => Date.parse(starts.find((e) => e.container === id(n))!.time);
  t.ok(at('db') <= at('cache'), 'cache started after its new dependency db');
  t.match(await sim.host.syslog(), /restore: ok: 2 containers: 2 started/, 'the second boot reported two starts');
});
