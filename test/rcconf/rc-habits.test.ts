// rc.conf habits, with the exact commands a FreeBSD sysadmin typed: values checked
// on the way in (point 3) and sysrc's and service's habits (point 5).
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_DIR } from '../../src/rcconf/editor.ts';
import { cli, makeRoot, readHost } from './helpers.ts';

const RC = '/etc/rc.conf';
const FRAG_K = '/etc/rc.conf.d/kleened';
const FRAG_C = '/etc/rc.conf.d/kleene_containers';

t.test('3: rc set refuses what rc lint calls a problem, with lint\'s message; --force stores it', async (t) => {
  const frag = 'kleene_containers_list="db"\n';
  const root = makeRoot(t, { [FRAG_C]: frag });
  const cases: [string, RegExp][] = [
    ['kleened_enable=maybe', /kleened_enable: 'maybe' is not a boolean; rc\.subr's checkyesno treats it as NO \(and warns\)\n {2}hint: use YES or NO; --force stores it anyway\n$/],
    ['kleene_containers_jobs=four', /kleene_containers_jobs: 'four' is not a whole number from 1 to 256\n {2}hint: the default is 4; --force/],
    ['kleene_containers_db_priority=high', /kleene_containers_db_priority: 'high' is not a whole number from 0 to 999/],
    ['kleene_containers_db_ready=http://x', /kleene_containers_db_ready: 'http:\/\/x' is not a ready check\n {2}hint: use started, tcp:HOST:PORT or exec:COMMAND/],
    ["kleene_containers_list+=$(reboot)", /kleene_containers_list: '\$\(reboot\)' is not a container name or id/],
    ['kleene_containers_db_depend=a;b', /kleene_containers_db_depend: 'a;b' is not a container name or id/],
  ];
  // Mutation: validate: undefined in rc-set.ts -> every one of these exits 0 and writes.
  for (const [arg, msg] of cases) {
    const r = await cli('rc', 'set', arg, '--root', root);
    t.not(r.code, 0, `rc set ${arg}: refused`);
    t.equal(r.stdout, '', `rc set ${arg}: nothing on stdout`);
    t.match(r.stderr, msg, `rc set ${arg}: lint's message and hint`);
    t.equal(readHost(root, FRAG_C), frag, `rc set ${arg}: file unchanged`);
    t.notOk(existsSync(join(root, FRAG_K)), `rc set ${arg}: no fragment created`);
  }
  const f = await cli('rc', 'set', '--force', 'kleene_containers_jobs=four', '--root', root);
  t.equal(f.code, 0);
  t.equal(f.stdout, `kleene_containers_jobs: (unset) -> four (${FRAG_C})\n`);
  t.match(f.stderr, /warning: kleene_containers_jobs: 'four' is not a whole number from 1 to 256; stored anyway \(--force\)/);
  t.equal(readHost(root, FRAG_C), `${frag}kleene_containers_jobs="four"\n`);
  // Other services' variables are stored as given, as sysrc does.
  const o = await cli('rc', 'set', '-f', RC, 'sshd_enable=maybe', 'ifconfig_em0=DHCP $(x)', '--root', root);
  t.equal(o.code, 0, o.stderr);
  t.equal(readHost(root, RC), "sshd_enable=\"maybe\"\nifconfig_em0='DHCP $(x)'\n");
});

t.test('5: sysrc flags spelled differently here answer with the kleene-boot command', async (t) => {
  const rc = 'kleened_enable="YES"\n';
  const root = makeRoot(t, { [RC]: rc });
  const cases: [string[], RegExp][] = [
    [['rc', 'set', '-x', 'kleened_enable'], /sysrc's -x is not an option of 'rc set'\n {2}hint: use 'kleene-boot rc unset NAME\.\.\.'/],
    [['rc', 'get', '-a'], /sysrc's -a is not an option of 'rc get'\n {2}hint: use 'kleene-boot rc show --all'/],
    [['rc', 'get', '-e', 'kleened_enable'], /sysrc's -e is not an option of 'rc get'\n {2}hint: use 'kleene-boot rc show'/],
    [['rc', 'set', '-c', 'kleened_enable=YES'], /sysrc's -c is not an option of 'rc set'\n {2}hint: use 'kleene-boot rc check NAME=VALUE\.\.\.'/],
  ];
  for (const [argv, msg] of cases) {
    const r = await cli(...argv, '--root', root);
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.equal(r.stdout, '');
    t.match(r.stderr, msg, argv.join(' '));
    t.equal(readHost(root, RC), rc, `${argv.join(' ')}: nothing changed`);
  }
  // -n is sysrc's: values only.
  const n = await cli('rc', 'get', '-n', 'kleened_enable', '--root', root);
  t.same(n, { code: 0, stdout: 'YES\n', stderr: '' });
});

t.test('5: rc show -f FILE shows that file', async (t) => {
  const root = makeRoot(t, { [RC]: 'kleened_enable="YES"\n', '/tmp/other.conf': 'kleene_containers_jobs="7"\n' });
  // Mutation: drop the -f branch in rc-show.ts -> jobs shows 4 # default.
  const r = await cli('rc', 'show', '-f', '/tmp/other.conf', '--root', root);
  t.equal(r.code, 0);
  t.match(r.stdout, /^kleene_containers_jobs: 7 {2}# \/tmp\/other\.conf:1$/m);
  t.match(r.stdout, /^kleened_enable: NO {2}# default$/m, 'what rc.conf says is not shown');
});

t.test('5: every set/add/remove says old -> new or unchanged, and the file', async (t) => {
  const root = makeRoot(t, { [FRAG_C]: 'kleene_containers_list="web db"\n' });
  let r = await cli('rc', 'set', 'kleene_containers_list+=web', '--root', root);
  t.same(r, { code: 0, stdout: `kleene_containers_list: unchanged (${FRAG_C})\n`, stderr: '' });
  r = await cli('rc', 'set', 'kleene_containers_list-=api', '--root', root);
  t.same(r, { code: 0, stdout: `kleene_containers_list: unchanged (${FRAG_C})\n`, stderr: '' });
  r = await cli('rc', 'set', 'kleene_containers_list+=api', '--root', root);
  t.same(r, { code: 0, stdout: `kleene_containers_list: web db -> web db api (${FRAG_C})\n`, stderr: '' });
  r = await cli('enable', 'kleened', '--root', root);
  t.same(r, { code: 0, stdout: `kleened enabled in ${FRAG_K}\n`, stderr: '' });
  r = await cli('enable', 'kleened', '--root', root);
  t.same(r, { code: 0, stdout: `kleened already enabled in ${FRAG_K}\n`, stderr: '' });
});

t.test('5: disable -f FILE warns and fails while rc(8) still reads YES elsewhere', async (t) => {
  const root = makeRoot(t, { [RC]: 'hostname="h"\n', [FRAG_C]: 'kleene_containers_enable="YES"\n' });
  // Mutation: drop the after-check in enable.ts -> exit 0 and no warning.
  const r = await cli('disable', '-f', RC, 'kleene_containers', '--root', root);
  t.equal(r.code, 1);
  t.equal(r.stdout, `kleene_containers disabled in ${RC}\n`);
  t.match(r.stderr, new RegExp(`warning: kleene_containers_enable is also set at ${FRAG_C}:1, which rc\\(8\\) reads later; that value wins`));
  t.match(r.stderr, new RegExp(`warning: rc\\(8\\) still reads kleene_containers_enable=YES from ${FRAG_C}:1, so kleene_containers stays enabled at boot\\n {2}hint: run 'kleene-boot disable kleene_containers' without -f`));
  const ok = await cli('disable', 'kleene_containers', '--root', root);
  t.equal(ok.code, 0);
  t.equal(ok.stdout, `kleene_containers disabled in ${FRAG_C}\n`);
});

t.test('5: backups go to /var/backups/kleene-boot, never into rc.conf.d, a few per file', async (t) => {
  const root = makeRoot(t, { [FRAG_K]: 'kleened_enable="NO"\n' });
  for (const v of ['YES', 'NO', 'YES', 'NO', 'YES']) t.equal((await cli('rc', 'set', `kleened_enable=${v}`, '--root', root)).code, 0);
  t.same(readdirSync(join(root, '/etc/rc.conf.d')), ['kleened'], 'nothing else in rc.conf.d');
  const b = readdirSync(join(root, BACKUP_DIR));
  t.equal(b.length, 3);
  for (const n of b) t.match(n, /^etc_rc\.conf\.d_kleened\.[0-9]{4}-/);
});

t.test('5: values are written in double quotes when safe, single quotes when needed, as sh reads them back', async (t) => {
  const root = makeRoot(t, { [RC]: "a='x'\nb=\"x\"\nc=x\n" });
  const vals = ['plain value', 'say "hi"', 'cost $5', 'back\\slash', '`cmd`', "it's"];
  let r = await cli('rc', 'set', '-f', RC, ...vals.map((v, i) => `n${i}=${v}`), 'a=y', 'b=y z', 'c=$HOME', '--root', root);
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, RC), "a='y'\nb=\"y z\"\nc='$HOME'\n"
    + "n0=\"plain value\"\nn1='say \"hi\"'\nn2='cost $5'\nn3='back\\slash'\nn4='`cmd`'\nn5=\"it's\"\n");
  r = await cli('rc', 'get', '-f', RC, '-n', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'c', '--root', root);
  t.equal(r.stdout, [...vals, '$HOME'].map((v) => `${v}\n`).join(''), 'sh reads back every value');
});
