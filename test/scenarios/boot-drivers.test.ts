// The boot simulation's own drivers (test/doubles/boot/rc, rc.shutdown): they must pick and order
// scripts the way FreeBSD's /etc/rc and rc.shutdown do, or the nine scenarios prove nothing.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';

const script = (header: string) => `#!/bin/sh\n${header}\necho "$(date +%s%3N) stand-in $(basename "$0") $1" >> /var/log/boot-sim/events\n`;

t.test('rc picks local scripts as /etc/rc does, runs pass 1 up to FILESYSTEMS, and never runs a script twice', async (t) => {
  const sim = await BootSim.create(t, { install: false, rcConf: { kleened_enable: 'NO', kleene_containers_enable: 'NO' } });
  const h = sim.host;
  await h.installRcScript('good', script('# PROVIDE: good\n# REQUIRE: LOGIN'));
  await h.writeFile('/usr/local/etc/rc.d/noexec', script('# PROVIDE: noexec'), 0o644);
  await h.installRcScript('noprovide', script('# REQUIRE: LOGIN'));
  await h.installRcScript('old.sample', script('# PROVIDE: sample'));
  await h.installRcScript('old.pkgsave', script('# PROVIDE: pkgsave'));
  await h.installRcScript('skipped', script('# PROVIDE: skipped\n# KEYWORD: nostart'));
  await h.installRcScript('early', script('# PROVIDE: early\n# BEFORE: NETWORKING'));
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  const runs = await sim.scriptRuns();
  const local = runs.filter((r) => r.file.startsWith('/usr/local/')).map((r) => r.name);
  t.same(local.sort(), ['early', 'good'], 'only executable local scripts with a PROVIDE line, not *.sample/*.pkgsave, not nostart');
  t.equal(new Set(runs.map((r) => r.file)).size, runs.length, 'no script ran twice across the two passes');
  const pass1 = await sim.order('pass1');
  const names = runs.map((r) => r.name);
  t.equal(names.indexOf('FILESYSTEMS'), pass1.indexOf('FILESYSTEMS'), 'pass 1 ran in rcorder order up to FILESYSTEMS');
  t.ok(names.indexOf('early') > names.indexOf('FILESYSTEMS'), 'local scripts wait for pass 2');
  t.ok(names.indexOf('early') < names.indexOf('NETWORKING'), 'BEFORE: NETWORKING is honoured in pass 2');
  t.ok(names.indexOf('good') > names.indexOf('LOGIN'), 'REQUIRE: LOGIN is honoured');
  t.ok(runs.every((r) => r.arg === 'faststart' && r.status === 0), 'every script got faststart and succeeded');
  t.equal(await sim.readOr('/var/log/boot-sim/rcorder.err'), '', 'rcorder had nothing to warn about');
});

t.test('rc.shutdown stops only KEYWORD: shutdown scripts, in reverse boot order, with faststop', async (t) => {
  const sim = await BootSim.create(t, { install: false, rcConf: { kleened_enable: 'NO', kleene_containers_enable: 'NO' } });
  await sim.host.installRcScript('first', script('# PROVIDE: first\n# REQUIRE: LOGIN\n# KEYWORD: shutdown'));
  await sim.host.installRcScript('second', script('# PROVIDE: second\n# REQUIRE: first\n# KEYWORD: shutdown'));
  await sim.host.installRcScript('nostop', script('# PROVIDE: nostop\n# REQUIRE: first'));
  const shut = await sim.shutdown();
  t.equal(shut.code, 0, 'rc.shutdown finished');
  const runs = await sim.scriptRuns();
  t.ok(runs.every((r) => r.arg === 'faststop'), 'every script got faststop');
  const names = runs.map((r) => r.name);
  t.notOk(names.includes('nostop'), 'a script without KEYWORD: shutdown is not stopped');
  t.ok(names.indexOf('second') < names.indexOf('first'), 'dependents stop first');
  t.ok(names.indexOf('first') < names.indexOf('mountcritlocal'), 'local services stop before local file systems');
  t.notOk((await sim.events()).some((e) => e.kind === 'shutdown' && e.args[0] === 'watchdog'), 'the watchdog was disarmed');
  t.equal((await sim.host.pids(/^sleep 10$/)).length, 0, 'and its sleep is gone');
});
