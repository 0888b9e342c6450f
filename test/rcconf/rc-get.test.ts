// `rc get` answers what sysrc answers, and an edit keeps every byte it was not asked
// to touch, whatever the encoding. The exact commands of the issue, run as a sysadmin would.
import t from 'tap';
import { cli, makeRoot, readHost } from './helpers.ts';

const RC = '/etc/rc.conf';
const FRAG_C = '/etc/rc.conf.d/kleene_containers';

t.test('an edit keeps Latin-1 and invalid UTF-8 bytes in comments and other values, byte for byte', async (t) => {
  // "# écrit à la main" in Latin-1 (0xE9, 0xE0), a value with bytes that are not UTF-8 (0xFF 0xFE,
  // a lone continuation byte 0x80, a truncated sequence 0xC3), and one in valid UTF-8.
  const file = '/root/rc.test';
  const text = '# \xe9crit \xe0 la main\n'
    + 'hostname="h\xf4te" # \xff\xfe\n'
    + "motd_text='\x80 \xc3'\n"
    + 'ifconfig_em0="DHCP" # r\xc3\xa9seau\n'
    + 'kbtest_var="NO"\n'
    + '# fin \xa9\n';
  const root = makeRoot(t, { [file]: text });
  const r = await cli('rc', 'set', '-f', file, 'kbtest_var=YES', '--root', root);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, `kbtest_var: NO -> YES (${file})\n`);
  // Mutation: read the file as 'utf8' in editor.ts readState -> every 0xE9 becomes EF BF BD and this fails.
  t.equal(readHost(root, file), text.replace('kbtest_var="NO"', 'kbtest_var="YES"'), 'only the value changed');
  // Values given on the command line are written as given (UTF-8 from the terminal), and read back as bytes.
  const r2 = await cli('rc', 'set', '-f', file, 'motd_text=été', '--root', root);
  t.equal(r2.code, 0, r2.stderr);
  t.equal(readHost(root, file), text.replace('kbtest_var="NO"', 'kbtest_var="YES"').replace("'\x80 \xc3'", "'\xc3\xa9t\xc3\xa9'"),
    "the file's single quotes are kept, the value's UTF-8 bytes written as given");
  const g = await cli('rc', 'get', '-f', file, '-n', 'hostname', 'motd_text', '--root', root);
  t.equal(g.stdout, 'h\xf4te\n\xc3\xa9t\xc3\xa9\n', 'rc get -n prints the bytes sh holds, not re-encoded');
});

t.test('rc get -f reads that file, for any variable, with expansions, as sh does', async (t) => {
  const file = '/tmp/staged-rc.conf';
  const text = 'sshd_enable="YES"\nTZ="Europe/Paris"\njail_list="a b"\nhostname="box.example"\nifconfig_em0="inet 10.0.0.2/24"\n'
    + 'kleene_containers_jobs="9"\nbase_containers="registry"\nkleene_containers_list="$base_containers api worker"\n';
  const root = makeRoot(t, { [file]: text, [FRAG_C]: 'kleene_containers_jobs="2"\n' });
  // Mutation: ignore -f in rc-get.ts (evaluateRc for the service) -> 2, not 9.
  let r = await cli('rc', 'get', '-f', file, 'kleene_containers_jobs', '--root', root);
  t.same(r, { code: 0, stdout: 'kleene_containers_jobs: 9\n', stderr: '' });
  r = await cli('rc', 'get', '-f', file, 'sshd_enable', 'TZ', 'jail_list', 'hostname', 'ifconfig_em0', '--root', root);
  t.same(r, { code: 0, stdout: "sshd_enable: YES\nTZ: Europe/Paris\njail_list: a b\nhostname: box.example\nifconfig_em0: inet 10.0.0.2/24\n", stderr: '' });
  r = await cli('rc', 'get', '-n', '-f', file, 'kleene_containers_list', '--root', root);
  t.same(r, { code: 0, stdout: 'registry api worker\n', stderr: '' }, 'what sh computes');
  r = await cli('rc', 'get', '-f', file, '-F', 'kleene_containers_list', '--root', root);
  t.equal(r.stdout, `kleene_containers_list: ${file}:8\n`);
  // Unknown in that file: exit 1, a message, nothing on stdout (a kleene variable too: -f is that file alone).
  r = await cli('rc', 'get', '-f', file, 'no_such_var', '--root', root);
  t.same(r, { code: 1, stdout: '', stderr: `kleene-boot: unknown variable 'no_such_var' in ${file}\n` });
  r = await cli('rc', 'get', '-f', file, '-n', 'kleene_containers_background', '--root', root);
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
});

t.test('rc get without -f answers what rc(8) sees, for any variable, with kleene defaults', async (t) => {
  const root = makeRoot(t, {
    '/etc/defaults/rc.conf': 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\nlocal_startup="/usr/local/etc/rc.d"\nsshd_enable="NO"\nhostname=""\n',
    [RC]: 'hostname="box"\nbase_containers="registry"\nkleene_containers_list="$base_containers api worker"\n',
    '/etc/rc.conf.local': 'sshd_enable="YES"\n',
    [FRAG_C]: 'kleene_containers_jobs="9"\n',
  });
  let r = await cli('rc', 'get', 'hostname', 'sshd_enable', 'kleene_containers_jobs', 'kleene_containers_start_timeout', '--root', root);
  t.same(r, { code: 0, stdout: 'hostname: box\nsshd_enable: YES\nkleene_containers_jobs: 9\nkleene_containers_start_timeout: 60\n', stderr: '' },
    'rc.conf, rc.conf.local over defaults, the fragment, the script default');
  r = await cli('rc', 'get', '-n', 'kleene_containers_list', '--root', root);
  t.same(r, { code: 0, stdout: 'registry api worker\n', stderr: '' });
  r = await cli('rc', 'get', '-F', 'sshd_enable', 'kleene_containers_start_timeout', '--root', root);
  t.equal(r.stdout, 'sshd_enable: /etc/rc.conf.local:1\nkleene_containers_start_timeout: default\n');
  r = await cli('rc', 'get', '-n', 'kleene_containers_web_priority', 'kleene_containers_web_ready', '--root', root);
  t.same(r, { code: 0, stdout: '50\nstarted\n', stderr: '' }, "a per-container variable falls back to the script's default");
  r = await cli('rc', 'get', 'nope_enable', '--root', root);
  t.same(r, { code: 1, stdout: '', stderr: "kleene-boot: unknown variable 'nope_enable'\n" });
});

t.test('a directory fragment is read and edited where the value lives', async (t) => {
  const root = makeRoot(t, {
    '/etc/rc.conf.d/kleened/10-base': 'kleened_enable="YES"\n',
    '/etc/rc.conf.d/kleened/20-socket': 'kleened_socket="/var/run/k.sock" # ours\n',
  });
  let r = await cli('rc', 'get', 'kleened_enable', 'kleened_socket', '--root', root);
  t.equal(r.stdout, 'kleened_enable: YES\nkleened_socket: /var/run/k.sock\n');
  // A directory fragment: this once failed with "is a directory".
  r = await cli('rc', 'set', 'kleened_enable=NO', '--root', root);
  t.same(r, { code: 0, stdout: 'kleened_enable: YES -> NO (/etc/rc.conf.d/kleened/10-base)\n', stderr: '' });
  t.equal(readHost(root, '/etc/rc.conf.d/kleened/10-base'), 'kleened_enable="NO"\n');
  r = await cli('rc', 'set', 'kleened_ready_timeout=20', '--root', root);
  t.equal(r.stdout, 'kleened_ready_timeout: (unset) -> 20 (/etc/rc.conf.d/kleened/20-socket)\n', 'a new value goes to the last file');
  t.equal(readHost(root, '/etc/rc.conf.d/kleened/20-socket'), 'kleened_socket="/var/run/k.sock" # ours\nkleened_ready_timeout="20"\n');
  r = await cli('rc', 'get', '-f', '/etc/rc.conf.d/kleened', '-n', 'kleened_enable', 'kleened_ready_timeout', '--root', root);
  t.same(r, { code: 0, stdout: 'NO\n20\n', stderr: '' }, '-f DIR reads its files as rc.subr does');
});

t.test('a missing --root is one clear error', async (t) => {
  for (const argv of [['rc', 'get', 'kleened_enable'], ['rc', 'show'], ['rc', 'set', 'kleened_enable=YES']]) {
    const r = await cli(...argv, '--root', '/nonexistent/kb-root');
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.equal(r.stdout, '');
    t.match(r.stderr, /^kleene-boot: --root: root \/nonexistent\/kb-root does not exist\n/, argv.join(' '));
  }
});
