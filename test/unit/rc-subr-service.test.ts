// A daemon-style rc.d script driven through the rc.subr double inside a SimHost: the commands,
// messages and exit codes rc.subr(8) gives on FreeBSD 14.
import t from 'tap';
import { SimHost } from '../helpers/sim-host.ts';

// The canonical shape (FACTS "rc.subr essentials"): defaults after load_rc_config, daemon(8)
// with -f so nothing holds the caller's output, procname = the real program.
const SLEEPD = `#!/bin/sh
# PROVIDE: sleepd
# REQUIRE: LOGIN
# KEYWORD: shutdown

. /etc/rc.subr

name=sleepd
rcvar=sleepd_enable
desc="A sleeping test daemon"
extra_commands="ping"

load_rc_config $name
: \${sleepd_enable:="NO"}
: \${sleepd_seconds:="1000"}
: \${sleepd_precmd_fail:="NO"}

pidfile="/var/run/\${name}.pid"
procname="/bin/sleep"
command="/usr/sbin/daemon"
command_args="-f -p \${pidfile} \${procname} \${sleepd_seconds}"
start_precmd="sleepd_precmd"
start_postcmd="echo postcmd ran"
ping_cmd="echo pong"

sleepd_precmd()
{
	checkyesno sleepd_precmd_fail && return 1
	return 0
}

run_rc_command "$1"
`;

// Records how rc.subr ran its command: argv, cwd and one env var, then exits.
const RECORDER = `#!/bin/sh
{ echo "args:$*"; echo "cwd:$(pwd)"; echo "FOO:\${FOO-unset}"; } > /var/run/recorder.out
`;
const ARGSD = `#!/bin/sh
# PROVIDE: argsd
. /etc/rc.subr
name=argsd
rcvar=argsd_enable
load_rc_config $name
: \${argsd_greeting:="hello world"}
command="/usr/local/bin/recorder"
command_args="--greeting '\${argsd_greeting}'"
run_rc_command "$1"
`;

// A fresh host for every subtest: a daemon left running or an rc.conf left behind by one
// subtest, failed or not, cannot change what another sees. Hosts are independent (own mount
// and pid namespaces), so subtests run side by side.
t.jobs = 3;
interface Host { sim: SimHost; service: (...args: string[]) => ReturnType<SimHost['run']>; setRcConf: (text: string) => Promise<void> }
async function host(t: Tap.Test): Promise<Host> {
  const sim = await SimHost.create();
  t.teardown(() => sim.destroy());
  await sim.installRcScript('sleepd', SLEEPD);
  await sim.installRcScript('argsd', ARGSD);
  await sim.writeFile('/usr/local/bin/recorder', RECORDER, 0o755);
  return {
    sim,
    service: (...args: string[]) => sim.run('/usr/sbin/service', args),
    setRcConf: (text: string) => sim.writeFile('/etc/rc.conf', text),
  };
}
type Tap = { Test: import('tap').Test };
declare namespace Tap { type Test = import('tap').Test }

t.test('rcvar prints the enable knob with its value even when disabled', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const r = await service('sleepd', 'rcvar');
  t.equal(r.code, 0);
  t.match(r.stdout, /^# sleepd : A sleeping test daemon\n#\nsleepd_enable="NO"\n/);
});

t.test('enabled exits 1 when disabled and 0 when rc.conf says YES', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  t.equal((await service('sleepd', 'enabled')).code, 1);
  await setRcConf('sleepd_enable="yes"\n');
  t.equal((await service('sleepd', 'enabled')).code, 0);
});

t.test('start of a disabled service prints the Cannot message, exits 0 and starts nothing', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const r = await service('sleepd', 'start');
  t.equal(r.code, 0);
  t.equal(r.stdout, "Cannot 'start' sleepd. Set sleepd_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n");
  t.equal(await sim.exists('/var/run/sleepd.pid'), false);
});

t.test('quietstart of a disabled service prints nothing and exits 0', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const r = await service('sleepd', 'quietstart');
  t.equal(r.code, 0);
  t.equal(r.stdout, '');
});

t.test('status of a stopped service says it is not running and exits 1', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  const r = await service('sleepd', 'status');
  t.equal(r.code, 1);
  t.equal(r.stdout, 'sleepd is not running.\n');
});

t.test('onestart starts the program under daemon(8), onestop stops it and waits', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const start = await service('sleepd', 'onestart');
  t.equal(start.code, 0, start.stderr);
  t.equal(start.stdout, 'Starting sleepd.\npostcmd ran\n');
  const pid = Number(await sim.readFile('/var/run/sleepd.pid'));
  t.ok(pid > 1, 'pidfile holds a pid');
  t.same(await sim.pids(/^\/bin\/sleep 1000$/), [pid], 'the pidfile names the sleeping program');

  const status = await service('sleepd', 'onestatus');
  t.equal(status.code, 0);
  t.equal(status.stdout, `sleepd is running as pid ${pid}.\n`);

  const again = await service('sleepd', 'onestart');
  t.equal(again.code, 1, 'starting a running service fails');
  t.equal(again.stderr, `sleepd already running? (pid=${pid}).\n`);

  const stop = await service('sleepd', 'onestop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /^Stopping sleepd\.\n/);
  t.same(await sim.pids(/^\/bin\/sleep 1000$/), [], 'the program is gone when stop returns');
  t.equal(await sim.exists('/var/run/sleepd.pid'), false, 'daemon removed its pidfile');
});

t.test('stop of a stopped service: disabled prints Cannot (exit 0), onestop says not running (exit 1)', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const stop = await service('sleepd', 'stop');
  t.equal(stop.code, 0);
  t.match(stop.stdout, /^Cannot 'stop' sleepd\./);
  const onestop = await service('sleepd', 'onestop');
  t.equal(onestop.code, 1);
  t.equal(onestop.stderr, 'sleepd not running? (check /var/run/sleepd.pid).\n');
  const fast = await service('sleepd', 'faststop');
  t.equal(fast.code, 0, 'faststop of a stopped service is silent success');
  t.equal(fast.stdout + fast.stderr, '');
});

t.test('stop of a running but disabled service still stops it', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  t.equal((await service('sleepd', 'onestart')).code, 0);
  const r = await service('sleepd', 'stop');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Stopping sleepd\./);
  t.same(await sim.pids(/^\/bin\/sleep 1000$/), []);
});

t.test('restart of an enabled service replaces the process', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('sleepd_enable="YES"\n');
  t.equal((await service('sleepd', 'start')).code, 0);
  const before = Number(await sim.readFile('/var/run/sleepd.pid'));
  const r = await service('sleepd', 'restart');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Stopping sleepd\.[\s\S]*Starting sleepd\./);
  const after = Number(await sim.readFile('/var/run/sleepd.pid'));
  t.not(after, before);
  t.same(await sim.pids(/^\/bin\/sleep 1000$/), [after]);
  t.equal((await service('sleepd', 'stop')).code, 0);
});

t.test('a failing start_precmd aborts start with a warning on stderr and in syslog', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('sleepd_precmd_fail="YES"\n');
  const r = await service('sleepd', 'onestart');
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, '/usr/local/etc/rc.d/sleepd: WARNING: failed precmd routine for sleepd');
  t.match(await sim.syslog(), 'WARNING: failed precmd routine for sleepd');
  t.same(await sim.pids(/^\/bin\/sleep/), []);
});

t.test('an extra command needs the service enabled or the one prefix', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const off = await service('sleepd', 'ping');
  t.equal(off.code, 0);
  t.match(off.stdout, /^Cannot 'ping' sleepd\. .*'oneping' instead of 'ping'\.\n$/);
  const one = await service('sleepd', 'oneping');
  t.equal(one.code, 0);
  t.equal(one.stdout, 'pong\n');
  // As in FreeBSD's rc.subr, only rcvar/describe/status/enable/delete skip the enabled check.
  t.match((await service('sleepd', 'extracommands')).stdout, /^Cannot 'extracommands' sleepd\./);
  t.equal((await service('sleepd', 'oneextracommands')).stdout, 'ping\n');
  t.equal((await service('sleepd', 'describe')).stdout, 'A sleeping test daemon\n');
});

t.test('an unknown command prints the usage and exits 1', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  const r = await service('sleepd', 'frobnicate');
  t.equal(r.code, 1);
  t.match(r.stderr, "unknown directive 'frobnicate'");
  t.match(r.stderr, /Usage: \/usr\/local\/etc\/rc\.d\/sleepd \[fast\|force\|one\|quiet\]\(start\|stop\|restart\|rcvar\|.*\|ping\|status\|poll\)/);
});

t.test('enable, disable and delete edit /etc/rc.conf through sysrc', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  const en = await service('sleepd', 'enable');
  t.equal(en.stdout, 'sleepd enabled in /etc/rc.conf\n');
  t.equal(await sim.readFile('/etc/rc.conf'), 'sleepd_enable="YES"\n');
  t.equal((await service('sleepd', 'enabled')).code, 0);
  const dis = await service('sleepd', 'disable');
  t.equal(dis.stdout, 'sleepd disabled in /etc/rc.conf\n');
  t.equal(await sim.readFile('/etc/rc.conf'), 'sleepd_enable="NO"\n');
  const del = await service('sleepd', 'delete');
  t.equal(del.stdout, 'sleepd_enable deleted in /etc/rc.conf\n');
  t.equal(await sim.readFile('/etc/rc.conf'), '');
});

t.test('start runs command with rc_flags, eval-ed command_args, _env and _chdir', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf([
    'argsd_enable="YES"',
    'argsd_flags="-v --two"',
    'argsd_env="FOO=bar"',
    'argsd_chdir="/var/db"',
    'argsd_greeting="hi there"',
    '',
  ].join('\n'));
  const r = await service('argsd', 'start');
  t.equal(r.code, 0, r.stderr);
  t.equal(await sim.readFile('/var/run/recorder.out'), 'args:-v --two --greeting hi there\ncwd:/var/db\nFOO:bar\n');
});

t.test('flags from the environment override ${name}_flags', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('argsd_enable="YES"\nargsd_flags="-v"\n');
  const r = await sim.run('/usr/local/etc/rc.d/argsd', ['start'], { env: { flags: '-q' } });
  t.equal(r.code, 0, r.stderr);
  t.match(await sim.readFile('/var/run/recorder.out'), /^args:-q --greeting hello world\n/);
});

t.test('service(8) runs the script with only HOME and PATH in the environment', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await sim.installRcScript('envd', `#!/bin/sh
. /etc/rc.subr
name=envd
rcvar=envd_enable
start_cmd="env | sort"
load_rc_config $name
run_rc_command "$1"
`);
  const r = await sim.run('/usr/sbin/service', ['envd', 'onestart'], { env: { LEAK: 'yes' } });
  t.equal(r.code, 0);
  t.notMatch(r.stdout, 'LEAK');
  t.match(r.stdout, 'PATH=/sbin:/bin:/usr/sbin:/usr/bin');
  const missing = await service('nosuch', 'start');
  t.equal(missing.code, 1);
  t.match(missing.stdout, 'nosuch does not exist in /etc/rc.d or the local startup');
});

t.test('an interpreted daemon is matched through command_interpreter, and stop_postcmd runs', async (t) => {
  const { sim, service, setRcConf } = await host(t);
  await setRcConf('');
  await sim.writeFile('/usr/local/bin/shd', '#!/bin/sh\nwhile :; do sleep 1; done\n', 0o755);
  await sim.installRcScript('shd', `#!/bin/sh
. /etc/rc.subr
name=shd
rcvar=shd_enable
load_rc_config $name
pidfile=/var/run/shd.pid
procname=/usr/local/bin/shd
command_interpreter=/bin/sh
command=/usr/sbin/daemon
command_args="-f -p \${pidfile} \${procname}"
stop_postcmd="echo post-stop"
run_rc_command "$1"
`);
  t.equal((await service('shd', 'onestart')).code, 0);
  const pid = Number(await sim.readFile('/var/run/shd.pid'));
  const found = await sim.sh('. /etc/rc.subr; echo "[$(check_process /usr/local/bin/shd /bin/sh)] [$(check_process /usr/local/bin/shd)]"');
  t.equal(found.stdout, `[${pid}] []\n`, 'only the interpreter form matches "/bin/sh /usr/local/bin/shd"');
  t.equal((await service('shd', 'onestatus')).stdout, `shd is running as pid ${pid}.\n`);
  const stop = await service('shd', 'onestop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /^Stopping shd\.\n(Waiting for PIDS: .*\.\n)?post-stop\n$/);
});
