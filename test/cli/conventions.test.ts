// What a sysadmin scripting kleene-boot relies on, from the outside (the CLI: exit status,
// stdout, stderr, files): values printed as sysrc prints them, one line per enable, diff(1)'s
// statuses for every check and diff, 1 for a refused value and 2 for usage errors only, no false
// warnings, suggestions that name the right container, doctor's fix on a never-installed root.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cli, makeRoot, readHost, writeHost } from '../rcconf/helpers.ts';
import { put, PORT_SCRIPT, stagingRoot } from '../install/tree.ts';

const DEFAULTS = readFileSync(fileURLToPath(new URL('../doubles/defaults-rc.conf', import.meta.url)), 'latin1');
const RC = '/etc/rc.conf';
const FRAG_C = '/etc/rc.conf.d/kleene_containers';

// Mutation tried: the old `later` in editor.ts (every file read but -f's counted as later) warns
// here that rc.conf's value "wins".
t.test('enable -f /etc/rc.conf.local: no warning that rc.conf wins, since rc.conf.local is read after it', async (t) => {
  const root = makeRoot(t, { '/etc/defaults/rc.conf': DEFAULTS, [RC]: 'kleened_enable="NO"\n' });
  const r = await cli('enable', '-f', '/etc/rc.conf.local', 'kleened', '--root', root);
  t.equal(r.code, 0);
  t.equal(r.stdout, 'kleened enabled in /etc/rc.conf.local\n');
  t.equal(r.stderr, '', 'no warning: the new value is the one rc(8) reads last');
  t.equal(readHost(root, '/etc/rc.conf.local'), 'kleened_enable="YES"\n');
  const where = await cli('rc', 'get', '-F', 'kleened_enable', '--root', root);
  t.equal(where.stdout, 'kleened_enable: /etc/rc.conf.local:1\n', 'rc get -F agrees: rc.conf.local wins');
  // A file really read after the one edited still gets the warning.
  writeHost(root, FRAG_C, 'kleene_containers_enable="YES"\n');
  const later = await cli('disable', '-f', RC, 'kleene_containers', '--root', root);
  t.equal(later.code, 1);
  t.match(later.stderr, /warning: kleene_containers_enable is also set at \/etc\/rc\.conf\.d\/kleene_containers:1, which rc\(8\) reads later; that value wins/);
});

// Mutation tried: rc-check.ts counting every change (no before !== after filter) exits 1 here.
t.test('rc check compares with what rc(8) reads now, /etc/defaults/rc.conf included', async (t) => {
  const root = makeRoot(t, { '/etc/defaults/rc.conf': DEFAULTS, [RC]: 'hostname="h"\n' });
  const same = await cli('rc', 'check', '-v', 'rc_debug=NO', '--root', root);
  t.same(same, { code: 0, stdout: '', stderr: '' }, 'rc_debug is already NO: nothing would change');
  const other = await cli('rc', 'check', '-v', 'rc_debug=YES', '--root', root);
  t.same(other, { code: 1, stdout: "rc_debug: would change from `NO' to `YES' in /etc/rc.conf\n", stderr: '' }, "sysrc -c -v's line");
  t.equal(readHost(root, RC), 'hostname="h"\n', 'check writes nothing');
});

// Mutation tried: editDistance without the transposition step suggests kleene_containers_db_depend.
t.test("rc lint suggests the container whose name the typo is closest to: wbe -> web, not db", async (t) => {
  const root = makeRoot(t, { [FRAG_C]: 'kleene_containers_list="db cache web"\nkleene_containers_wbe_depend="db"\n' });
  const r = await cli('rc', 'lint', '--root', root);
  t.match(r.stdout, /^\/etc\/rc\.conf\.d\/kleene_containers:2: warning: 'wbe' matches no container in kleene_containers_list \[unknown-container\]\n {2}hint: did you mean kleene_containers_web_depend\?$/m);
  t.notMatch(r.stdout, /kleene_containers_db_depend/);
});

// Mutation tried: showValue sh-quoting values with spaces again fails every line below.
t.test('values are printed as sh reads them back, as sysrc prints them; the file holds them quoted', async (t) => {
  const root = makeRoot(t, { [FRAG_C]: 'kleene_containers_list="db cache"\n' });
  t.same(await cli('rc', 'get', 'kleene_containers_list', '--root', root), { code: 0, stdout: 'kleene_containers_list: db cache\n', stderr: '' });
  t.same(await cli('rc', 'get', '-n', 'kleene_containers_list', '--root', root), { code: 0, stdout: 'db cache\n', stderr: '' });
  const set = await cli('rc', 'set', 'kleene_containers_list=db web', "kleene_containers_web_ready=exec:test -e '/a b'", '--root', root);
  t.equal(set.stdout, `kleene_containers_list: db cache -> db web (${FRAG_C})\nkleene_containers_web_ready: (unset) -> exec:test -e '/a b' (${FRAG_C})\n`);
  t.equal(readHost(root, FRAG_C), 'kleene_containers_list="db web"\nkleene_containers_web_ready="exec:test -e \'/a b\'"\n', 'the file holds them quoted');
  const show = await cli('rc', 'show', '--root', root);
  t.match(show.stdout, /^kleene_containers_list: db web {2}# \/etc\/rc\.conf\.d\/kleene_containers:1$/m);
  t.match(show.stdout, /^kleene_containers_web_ready: exec:test -e '\/a b' {2}# /m);
  const unset = await cli('rc', 'unset', 'kleene_containers_list', '--root', root);
  t.equal(unset.stdout, `kleene_containers_list: db web -> (unset) (${FRAG_C}:1)\n`);
  const json = await cli('rc', 'get', '--json', 'kleene_containers_web_ready', '--root', root);
  t.equal(JSON.parse(json.stdout)[0].value, "exec:test -e '/a b'", 'JSON carries the value itself');
});

// Mutation tried: printing formatChange's line before the service(8) line again (two per service).
t.test('enable: one line per service, naming the file it wrote and why there; the service must be named', async (t) => {
  const root = makeRoot(t, { [RC]: 'hostname="h"\nkleened_enable="NO"\n' });
  const r = await cli('enable', 'all', '--root', root);
  t.equal(r.code, 0);
  t.equal(r.stdout, `kleened enabled in /etc/rc.conf\nkleene_containers enabled in ${FRAG_C}\n`, 'one line each');
  t.match(r.stderr, /note: kleened_enable is set at \/etc\/rc\.conf:2, so it was changed there, not in \/etc\/rc\.conf\.d\/kleened \(the last assignment rc\(8\) reads wins, as with sysrc\)/);
  const again = await cli('enable', 'kleened', '--root', root);
  t.same(again, { code: 0, stdout: 'kleened already enabled in /etc/rc.conf\n', stderr: '' });
  const before = readHost(root, RC);
  const bare = await cli('enable', '--root', root);
  t.equal(bare.code, 2, 'no service named: a usage error, never "both" by default');
  t.match(bare.stderr, /^kleene-boot: enable: Not enough non-option arguments/);
  t.equal(readHost(root, RC), before, 'nothing written');
  const help = await cli('enable', '--help');
  t.match(help.stdout.replace(/\s+/g, ' '), /where rc\(8\) reads it last: the file already setting it \(sysrc's rule\), else \/etc\/rc\.conf\.d\/<service>/);
});

// Mutation tried: the EBADVALUE refusals thrown as OptionError again (exit 2).
t.test('a refused value exits 1, as sysrc; 2 is for usage errors only', async (t) => {
  const root = makeRoot(t, { [FRAG_C]: 'kleene_containers_list="db"\n' });
  const bad = await cli('rc', 'set', 'kleene_containers_jobs=lots', '--root', root);
  t.equal(bad.code, 1);
  t.equal(bad.stderr, "kleene-boot: kleene_containers_jobs: 'lots' is not a whole number from 1 to 256\n  hint: the default is 4; --force stores it anyway\n");
  t.equal((await cli('rc', 'set', 'kleene_containers_db_ready=http://x', '--root', root)).code, 1);
  t.equal((await cli('rc', 'set', 'kleene_containers_list+=a b', '--root', root)).code, 1, 'not one list item');
  t.equal((await cli('enable', 'kleened', '--bogus', '--root', root)).code, 2, 'an unknown option is a usage error');
  t.equal(readHost(root, FRAG_C), 'kleene_containers_list="db"\n');
});

// Mutations tried: answeringCheck() dropped from rc-check.ts (the unreadable-file refusal exits 1, "would
// change"); install's --diff returning 0 again.
t.test("every check and diff answers as diff(1): 0 nothing would change, 1 something would, 2 trouble", async (t) => {
  const root = await stagingRoot('kb-conv-');
  await put(root, '/usr/local/bin/node', '#!/bin/sh\nexit 0\n', 0o755);
  await put(root, RC, 'hostname="h"\n');
  await put(root, '/host.json', JSON.stringify({ kleene_containers_enable: true, containers: ['db'] }));
  await put(root, '/bad.json', JSON.stringify({ containers: ['no way'] }));
  const status = async (...argv: string[]) => (await cli(...argv, '--root', root)).code;

  t.equal(await status('install', '--diff'), 1, 'install --diff before install: would change');
  t.equal(await status('install'), 0);
  t.equal(await status('install', '--diff'), 0, 'install --diff after install: nothing');
  t.equal(await status('generate', '--diff'), 0, 'generate --diff: nothing');
  t.equal(await status('generate', '--diff', '--node', '/opt/node'), 1, 'generate --diff, another node: would change');
  t.equal(await status('rc', 'check', 'hostname=h'), 0);
  t.equal(await status('rc', 'check', 'hostname=k'), 1);
  t.equal(await status('rc', 'apply', '--check', `${root}/host.json`), 1);
  t.equal(await status('rc', 'apply', `${root}/host.json`), 0);
  t.equal(await status('rc', 'apply', '--check', `${root}/host.json`), 0);

  // Trouble: never 1.
  t.equal(await status('rc', 'apply', '--check', `${root}/bad.json`), 2, 'rc apply --check, a bad declaration');
  t.equal(await status('rc', 'apply', `${root}/bad.json`), 2, 'rc apply, a bad declaration');
  await put(root, '/usr/local/etc/rc.d/kleene_containers', `${readFileSync(`${root}/usr/local/etc/rc.d/kleene_containers`, 'utf8')}# edited\n`, 0o555);
  const refused = await cli('install', '--diff', '--root', root);
  t.equal(refused.code, 2, 'install --diff over an edited script: trouble');
  t.match(refused.stderr, /changed since kleene-boot installed it/);
  await put(root, RC, 'hostname="h\n');
  const broken = await cli('rc', 'check', 'hostname=h', '--root', root);
  t.equal(broken.code, 2, 'rc check on a file sh cannot read: trouble');
  t.match(broken.stderr, /sh cannot read this file/);
  t.equal((await cli('rc', 'set', 'hostname=h', '--root', root)).code, 1, 'outside a check, the same refusal is an ordinary failure');
});

// Mutation tried: doctor.ts's reinstall always `install --force`.
t.test("doctor on a root where kleene-boot was never installed says `install`, and that fixes it", async (t) => {
  const root = await stagingRoot('kb-conv-doctor-');
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  await put(root, '/usr/local/bin/node', '#!/bin/sh\nexit 0\n', 0o755);
  const d = await cli('doctor', '--root', root);
  t.equal(d.code, 1);
  t.match(d.stdout, /kleene-boot is not installed here/);
  t.match(d.stdout, /is not kleene-boot's script \(did 'pkg upgrade kleene-daemon' put the port's back\?\)[^\n]*\n {2}fix: kleene-boot install --root \S+\n/);
  t.notMatch(d.stdout, /--force/, 'no --force on a root never installed');
  const fix = await cli('install', '--root', root);
  t.equal(fix.code, 0, `the advised fix works: ${fix.stderr}`);
  t.notMatch((await cli('doctor', '--root', root)).stdout, /script-replaced|not kleene-boot's script/);
  // Once installed, a port script put back by an upgrade needs --force, and doctor says so.
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  t.match((await cli('doctor', '--root', root)).stdout, /put the port's back\?\)[^\n]*\n {2}fix: kleene-boot install --root \S+ --force\n/);
});
