import t from 'tap';
import { readEffective } from '../../src/rcconf/effective.ts';
import { makeRoot } from './helpers.ts';
import { stageShell } from '../helpers/root-shell.ts';

// A trimmed /etc/defaults/rc.conf with FreeBSD's shape: defaults, rc_conf_files, and a
// source_rc_confs definition (which load_rc_config's emulation must not need).
const DEFAULTS = `kleened_enable="NO"
hostname=""
rc_conf_files="/etc/rc.conf /etc/rc.conf.local"
local_startup="/usr/local/etc/rc.d"
if [ -z "\${source_rc_confs_defined}" ]; then
	source_rc_confs_defined=yes
	source_rc_confs() { :; }
fi
`;

t.test('reads files in load_rc_config order and names the file and line of the last assignment', async (t) => {
  const root = makeRoot(t, {
    '/etc/defaults/rc.conf': DEFAULTS,
    '/etc/rc.conf': 'hostname="box"\nkleened_enable="YES"\nkleene_containers_jobs=2\nrc_conf_files="$rc_conf_files /etc/rc.conf.site"\n',
    '/etc/rc.conf.local': 'kleene_containers_jobs=3\n',
    '/etc/rc.conf.site': '# added by rc.conf\nkleene_containers_jobs=4\n',
    '/etc/rc.conf.d/kleene_containers': 'kleene_containers_list="web"\nkleene_containers_jobs=5\n',
    '/usr/local/etc/rc.conf.d/kleene_containers/10-a': 'kleene_containers_list="web db"\n',
    '/usr/local/etc/rc.conf.d/kleene_containers/20-b': '\nkleene_containers_background=YES\n',
    '/etc/rc.conf.d/kleened': 'kleened_socket=/k.sock\n',
  });
  const eff = await readEffective('kleene_containers', { root });
  t.same(eff.get('hostname'), { name: 'hostname', value: 'box', file: '/etc/rc.conf', line: 1 });
  t.same(eff.get('kleene_containers_jobs'), { name: 'kleene_containers_jobs', value: '5', file: '/etc/rc.conf.d/kleene_containers', line: 2 });
  t.same(eff.get('kleene_containers_list'), { name: 'kleene_containers_list', value: 'web db', file: '/usr/local/etc/rc.conf.d/kleene_containers/10-a', line: 1 });
  t.same(eff.get('kleene_containers_background'), { name: 'kleene_containers_background', value: 'YES', file: '/usr/local/etc/rc.conf.d/kleene_containers/20-b', line: 2 });
  t.notOk(eff.has('kleened_socket'), "kleened's fragment is not read for kleene_containers");
  const k = await readEffective('kleened', { root });
  t.equal(k.get('kleened_socket')?.value, '/k.sock');
  t.equal(k.get('kleene_containers_jobs')?.value, '4', 'rc.conf.site, added to rc_conf_files by rc.conf, is read');
  t.same(k.get('kleened_enable'), { name: 'kleened_enable', value: 'YES', file: '/etc/rc.conf', line: 2 });
});

t.test('a default left alone is attributed to /etc/defaults/rc.conf', async (t) => {
  const root = makeRoot(t, { '/etc/defaults/rc.conf': DEFAULTS, '/etc/rc.conf': 'x=1\n' });
  const eff = await readEffective('kleened', { root });
  t.same(eff.get('kleened_enable'), { name: 'kleened_enable', value: 'NO', file: '/etc/defaults/rc.conf', line: 1 });
});

t.test('says when a value comes from a construct or a command it cannot see into', async (t) => {
  const root = makeRoot(t, {
    '/etc/rc.conf': 'kleened_enable=NO\nif true; then\n  kleened_enable=YES\nfi\neval "kleened_socket=/e"\n',
  });
  // The root's own sh reads it (chroot), as at that host's boot.
  stageShell(root);
  const eff = await readEffective('kleened', { root });
  t.match(eff.get('kleened_enable'), { value: 'YES', file: '/etc/rc.conf', line: 3, note: /inside an if block \(lines 2-4\)/ });
  t.match(eff.get('kleened_socket'), { value: '/e', file: '/etc/rc.conf', line: undefined, note: /set by a command/ });
});

t.test('without /etc/defaults/rc.conf under the root, FreeBSD\'s rc_conf_files is assumed', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf': 'a=1\n', '/etc/rc.conf.local': 'a=2\n' });
  const eff = await readEffective('kleened', { root });
  t.same(eff.get('a'), { name: 'a', value: '2', file: '/etc/rc.conf.local', line: 1 });
  t.match(eff.get('rc_conf_files'), { value: '/etc/rc.conf /etc/rc.conf.local', note: /assumed/ });
});

t.test('a file sh cannot read is named in the error', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf': 'a="unclosed\n' });
  await t.rejects(readEffective('kleened', { root }), { code: 'ESYNTAX', where: { file: '/etc/rc.conf' } });
});
