// rc set/check know kleene-boot's variables; rc get/show print the defaults the installed
// scripts apply when nothing sets a variable.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, makeRoot, readHost, writeHost } from './helpers.ts';

t.test('rc set refuses a misspelled kleene variable and suggests the right one', async (t) => {
  const root = makeRoot(t);
  const r = await cli('rc', 'set', '--root', root, 'kleene_container_list=web');
  t.equal(r.code, 1, "a refused name, as a refused value: 1 (2 is for usage errors)");
  t.match(r.stderr, /kleene_container_list is not a kleene-boot variable; rc\(8\) would ignore it/);
  t.match(r.stderr, /hint: did you mean kleene_containers_list\?/);
  t.notOk(existsSync(join(root, 'etc/rc.conf.d/kleene_containers')), 'nothing written');
  const chk = await cli('rc', 'check', '--root', root, 'kleened_enabel=YES');
  t.equal(chk.code, 2);
  t.match(chk.stderr, /did you mean kleened_enable\?/);
});

t.test('per-container variables and other services\' variables are accepted', async (t) => {
  const root = makeRoot(t);
  t.equal((await cli('rc', 'set', '--root', root, 'kleene_containers_web_1_priority=10')).code, 0);
  t.match(readHost(root, '/etc/rc.conf.d/kleene_containers'), /^kleene_containers_web_1_priority="10"$/m);
  t.equal((await cli('rc', 'set', '--root', root, '-f', '/etc/rc.conf', 'zfs_enable=YES')).code, 0);
});

t.test('rc unset can remove a misspelled variable', async (t) => {
  const root = makeRoot(t);
  writeHost(root, '/etc/rc.conf', 'hostname=h\nkleene_container_list="web"\n');
  const r = await cli('rc', 'unset', '--root', root, 'kleene_container_list');
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, '/etc/rc.conf'), 'hostname=h\n');
});

t.test('rc get prints the default of an unset knob, with the installed prefix', async (t) => {
  const root = makeRoot(t);
  const r = await cli('rc', 'get', '--root', root, 'kleene_containers_jobs', 'kleened_hook');
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'kleene_containers_jobs: 4\nkleened_hook: /usr/local/libexec/kleene-boot/hook.js\n');
  writeHost(root, '/var/db/kleene-boot/manifest.json', '');
  const show = await cli('rc', 'show', '--root', root);
  t.match(show.stdout, /^kleened_node: \/usr\/local\/bin\/node {2}# default$/m, 'placeholders are filled');
  t.notMatch(show.stdout, /\{prefix\}|\{node\}/);
  const unknown = await cli('rc', 'get', '--root', root, 'nosuch_var');
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /unknown variable 'nosuch_var'/);
});
