// Several edits of one variable in one call build on each other, wherever the variable lands.
import t from 'tap';
import { cli, makeRoot, readHost } from './helpers.ts';

t.test('two += into an unset list whose fragment does not exist yet keep both items', async (t) => {
  // Mutation tried: searching only the files rc(8) read before the call (p.search) in
  // src/rcconf/editor.ts: the second += appends a second assignment and the first item is lost.
  const root = makeRoot(t, { '/etc/rc.conf': 'sshd_enable="YES"\n' });
  const r = await cli('rc', 'set', '--root', root, 'kleene_containers_list+=db', 'kleene_containers_list+=web');
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, '/etc/rc.conf.d/kleene_containers'), 'kleene_containers_list="db web"\n');
  t.equal(readHost(root, '/etc/rc.conf'), 'sshd_enable="YES"\n', 'rc.conf untouched');
  t.match(r.stdout, 'kleene_containers_list: db -> db web (/etc/rc.conf.d/kleene_containers)');
});
