// The configuration side of the rc.subr double: load_rc_config's file order, checkyesno,
// load_rc_config_var and the required_* checks, run inside a SimHost.
import t from 'tap';
import { SimHost } from '../helpers/sim-host.ts';

let sim: SimHost;
t.before(async () => { sim = await SimHost.create(); });
t.teardown(() => sim?.destroy());

const CONFIG_FILES = ['/etc/rc.conf', '/etc/rc.conf.local', '/etc/rc.conf.d/demo', '/usr/local/etc/rc.conf.d/demo', '/etc/extra.conf'];

/** Removes every config file of the demo service, then writes the given ones. */
async function configure(files: Record<string, string>): Promise<void> {
  await sim.sh(`rm -rf ${CONFIG_FILES.join(' ')}; : > /etc/rc.conf`);
  for (const [p, text] of Object.entries(files)) await sim.writeFile(p, text);
}

/** Sources rc.subr, loads demo's config and prints the given variables, one "name=value" a line. */
async function loadDemo(...vars: string[]): Promise<string> {
  const r = await sim.sh(`. /etc/rc.subr; load_rc_config demo; ${vars.map((v) => `echo "${v}=\${${v}-unset}"`).join('; ')}`);
  return r.stdout + r.stderr;
}

// Each row adds a later source; the value of demo_where must come from the last one read.
const ORDER: Array<{ name: string; files: Record<string, string>; want: string }> = [
  { name: 'defaults only', files: {}, want: 'demo_where=unset' },
  { name: '/etc/rc.conf', files: { '/etc/rc.conf': 'demo_where=rc.conf\n' }, want: 'demo_where=rc.conf' },
  {
    name: '/etc/rc.conf.local over /etc/rc.conf',
    files: { '/etc/rc.conf': 'demo_where=rc.conf\n', '/etc/rc.conf.local': 'demo_where=rc.conf.local\n' },
    want: 'demo_where=rc.conf.local',
  },
  {
    name: '/etc/rc.conf.d/NAME file over rc.conf.local',
    files: { '/etc/rc.conf.local': 'demo_where=rc.conf.local\n', '/etc/rc.conf.d/demo': 'demo_where=etc-file\n' },
    want: 'demo_where=etc-file',
  },
  {
    name: 'every file of the /etc/rc.conf.d/NAME dir, in name order',
    files: {
      '/etc/rc.conf': 'demo_where=rc.conf\n',
      '/etc/rc.conf.d/demo/b.conf': 'demo_where=etc-dir-b\n',
      '/etc/rc.conf.d/demo/a.conf': 'demo_where=etc-dir-a\ndemo_a=seen\n',
    },
    want: 'demo_where=etc-dir-b',
  },
  {
    name: '/usr/local/etc/rc.conf.d/NAME over /etc/rc.conf.d/NAME',
    files: { '/etc/rc.conf.d/demo': 'demo_where=etc-file\n', '/usr/local/etc/rc.conf.d/demo': 'demo_where=local-file\n' },
    want: 'demo_where=local-file',
  },
  {
    name: 'files added to rc_conf_files by rc.conf are read too',
    files: { '/etc/rc.conf': 'rc_conf_files="/etc/rc.conf /etc/extra.conf"\ndemo_where=rc.conf\n', '/etc/extra.conf': 'demo_where=extra\n' },
    want: 'demo_where=extra',
  },
];

t.test('load_rc_config reads the sources in FreeBSD order, the last one wins', async (t) => {
  for (const row of ORDER) {
    await configure(row.files);
    t.equal((await loadDemo('demo_where')).trim(), row.want, row.name);
  }
});

t.test('load_rc_config reads every file of an rc.conf.d directory', async (t) => {
  await configure({ '/etc/rc.conf.d/demo/a.conf': 'demo_a=seen\n', '/etc/rc.conf.d/demo/b.conf': 'demo_b=seen\n' });
  t.equal(await loadDemo('demo_a', 'demo_b'), 'demo_a=seen\ndemo_b=seen\n');
});

t.test("load_rc_config does not read another service's rc.conf.d file", async (t) => {
  await configure({ '/etc/rc.conf.d/other': 'demo_where=other\n' });
  t.equal(await loadDemo('demo_where'), 'demo_where=unset\n');
});

t.test('load_rc_config gives /etc/defaults/rc.conf values unless rc.conf overrides them', async (t) => {
  await configure({ '/etc/rc.conf': 'pf_enable="YES"\n' });
  t.equal(await loadDemo('rcshutdown_timeout', 'pf_enable', 'zfs_enable'), 'rcshutdown_timeout=90\npf_enable=YES\nzfs_enable=NO\n');
});

t.test('load_rc_config_var sets only the asked variable', async (t) => {
  await configure({ '/etc/rc.conf': 'demo_a=one\ndemo_b=two\n' });
  const r = await sim.sh('. /etc/rc.subr; load_rc_config_var demo demo_a; echo "${demo_a-unset} ${demo_b-unset}"');
  t.equal(r.stdout, 'one unset\n');
});

// rc.conf(5): yes/true/on/1 and no/false/off/0 in any case; anything else warns.
const YESNO: Array<[string, 'yes' | 'no' | 'warn']> = [
  ['YES', 'yes'], ['yes', 'yes'], ['Yes', 'yes'], ['TRUE', 'yes'], ['true', 'yes'], ['On', 'yes'], ['1', 'yes'],
  ['NO', 'no'], ['no', 'no'], ['False', 'no'], ['OFF', 'no'], ['0', 'no'],
  ['', 'warn'], ['maybe', 'warn'], ['2', 'warn'], ['yes ', 'warn'], ['Y', 'warn'],
];

t.test('checkyesno accepts the rc.conf(5) spellings and warns on anything else', async (t) => {
  // The warning goes to stderr: capture it per call in a file of this run's own (mktemp).
  const script = YESNO.map(([v], i) =>
    `v${i}='${v}'; if checkyesno v${i} 2>"$err"; then r=yes; else r=no; fi; ` +
    `grep -q 'is not set properly' "$err" && r=warn; echo "$r"`).join('\n');
  const r = await sim.sh(`. /etc/rc.subr\nerr=$(mktemp) || exit 1\ntrap 'rm -f "$err"' EXIT\n${script}`);
  t.same(r.stdout.trim().split('\n'), YESNO.map(([, want]) => want));
  const warn = await sim.sh('. /etc/rc.subr; foo=maybe; checkyesno foo');
  t.equal(warn.code, 1);
  t.equal(warn.stderr, '/bin/sh: WARNING: $foo is not set properly - see rc.conf(5).\n');
});

// required_files is an ordinary variable: its value is what the script set when
// run_rc_command runs, so it must be assigned after the defaults that follow load_rc_config
// (STYLE.md's counter-example: kleened.in sets it before the default exists).
const REQD = (assignBefore: boolean) => `#!/bin/sh
. /etc/rc.subr
name=reqd
rcvar=reqd_enable
start_cmd="echo started"
${assignBefore ? 'required_files="${reqd_config}"' : ''}
load_rc_config $name
: \${reqd_config:="/etc/reqd.conf"}
${assignBefore ? '' : 'required_files="${reqd_config}"'}
required_dirs="\${reqd_dir:-/var/db}"
required_vars="\${reqd_needs:-}"
run_rc_command "$1"
`;

t.test('required_files set after load_rc_config is checked with the configured path', async (t) => {
  await configure({ '/etc/rc.conf': 'reqd_config="/etc/custom.conf"\n' });
  await sim.writeFile('/etc/reqd.conf', '');
  await sim.installRcScript('reqd', REQD(false));
  const r = await sim.run('/usr/local/etc/rc.d/reqd', ['onestart']);
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, 'WARNING: /etc/custom.conf is not readable.');
  await sim.writeFile('/etc/custom.conf', 'x\n');
  const ok = await sim.run('/usr/local/etc/rc.d/reqd', ['onestart']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, 'started\n');
});

t.test('required_files set before load_rc_config never checks the rc.conf path', async (t) => {
  await configure({ '/etc/rc.conf': 'reqd_config="/etc/absent.conf"\n' });
  await sim.installRcScript('reqd', REQD(true));
  const r = await sim.run('/usr/local/etc/rc.d/reqd', ['onestart']);
  t.equal(r.code, 0, 'the expansion was empty, so nothing was required');
  t.equal(r.stdout, 'started\n');
  t.equal(r.stderr, '');
});

t.test('required_dirs and required_vars stop start unless forced', async (t) => {
  await configure({ '/etc/rc.conf': 'reqd_dir="/nonexistent"\n' });
  await sim.writeFile('/etc/reqd.conf', '');
  await sim.installRcScript('reqd', REQD(false));
  const dir = await sim.run('/usr/local/etc/rc.d/reqd', ['onestart']);
  t.equal(dir.code, 1);
  t.match(dir.stderr, 'WARNING: /nonexistent is not a directory.');
  const forced = await sim.run('/usr/local/etc/rc.d/reqd', ['forcestart']);
  t.equal(forced.code, 0, 'force goes on after the warning');
  t.equal(forced.stdout, 'started\n');
  await configure({ '/etc/rc.conf': 'reqd_needs="pf_enable"\n' });
  const vars = await sim.run('/usr/local/etc/rc.d/reqd', ['onestart']);
  t.equal(vars.code, 1);
  t.match(vars.stderr, 'WARNING: $pf_enable is not enabled.');
});

t.test('required_modules loads a module that is not loaded and fails when it cannot', async (t) => {
  await configure({});
  await sim.installRcScript('modd', `#!/bin/sh
. /etc/rc.subr
name=modd
rcvar=modd_enable
start_cmd="echo started"
load_rc_config $name
required_modules="zfs \${modd_module:-mymod}"
run_rc_command "$1"
`);
  await sim.writeFile('/var/run/sim-kld-unloaded', 'mymod\n');
  await sim.writeFile('/var/run/sim-kld-missing', 'nosuchmod\n');
  const ok = await sim.run('/usr/local/etc/rc.d/modd', ['onestart']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, 'started\n');
  t.equal(await sim.readFile('/var/run/sim-kld-loaded'), 'mymod\n', 'only the unloaded module was kldload-ed');
  t.equal((await sim.run('kldstat', ['-q', '-m', 'mymod'])).code, 0, 'and kldstat sees it now');

  await configure({ '/etc/rc.conf': 'modd_module=nosuchmod\n' });
  const r = await sim.run('/usr/local/etc/rc.d/modd', ['onestart']);
  t.equal(r.code, 1);
  t.equal(r.stdout, '', 'start_cmd did not run');
  t.match(r.stderr, 'kldload: can\'t load nosuchmod: No such file or directory');
  t.match(r.stderr, 'WARNING: Unable to load kernel module nosuchmod');
});
