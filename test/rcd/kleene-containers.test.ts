// rc.d/kleene_containers through the rc.subr double on a simulated host: what the hook
// receives from rc.conf, restore/status/stop/plan against the kleened double, background mode,
// and hostile rc.conf values that must reach the hook as plain bytes and never run.
import t from 'tap';
import type { Test } from 'tap';
import type { SimHost } from '../helpers/sim-host.ts';
import { createRcdHost, FAST_RC_CONF, P, rc, requestLog, type RcdHostOptions } from '../helpers/rcd.ts';
import { readState, startFramesOf } from '../helpers/sim-state.ts';

t.jobs = 2;

async function withHost(t: Test, opts: RcdHostOptions = {}): Promise<SimHost> {
  const host = await createRcdHost(opts);
  t.teardown(() => host.destroy());
  return host;
}

// A stand-in hook that records argv and every variable the script exported to it.
const DUMP_HOOK = `
const fs = require('node:fs');
const vars = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(kleene_containers_|kleened_socket$|rcshutdown_timeout$)/.test(k)));
fs.writeFileSync('/var/db/hook-dump.json', JSON.stringify({ argv: process.argv.slice(2), vars }));
`;

async function dumpRun(t: Test, host: SimHost, arg = 'start') {
  await host.writeFile('/usr/local/libexec/kleene-boot/dump.js', DUMP_HOOK, 0o444);
  await host.appendFile('/etc/rc.conf', 'kleene_containers_hook=/usr/local/libexec/kleene-boot/dump.js\n');
  const r = await rc(host, P.containersRc, arg);
  t.equal(r.code, 0, r.stderr);
  return JSON.parse(await host.readFile('/var/db/hook-dump.json')) as { argv: string[]; vars: Record<string, string> };
}

t.test('the hook receives every kleene_containers_* variable as rc(8) loads it', async (t) => {
  const host = await withHost(t);
  await host.appendFile('/etc/rc.conf', 'kleene_containers_list="db web"\nkleene_containers_jobs=2\n');
  await host.writeFile('/etc/rc.conf.local', 'kleene_containers_jobs=8\n');
  await host.writeFile('/etc/rc.conf.d/kleene_containers', 'kleene_containers_web_depend="db"\n');
  await host.writeFile('/etc/rc.conf.d/kleened', 'kleened_socket=/var/run/other.sock\n');
  await host.writeFile('/usr/local/etc/rc.conf.d/kleene_containers', 'kleene_containers_db_ready="tcp:127.0.0.1:5432"\n');
  const d = await dumpRun(t, host);
  t.same(d.argv, ['restore']);
  t.equal(d.vars.kleene_containers_list, 'db web');
  t.equal(d.vars.kleene_containers_jobs, '8', 'rc.conf.local overrides rc.conf');
  t.equal(d.vars.kleene_containers_web_depend, 'db', 'from rc.conf.d/kleene_containers');
  t.equal(d.vars.kleene_containers_db_ready, 'tcp:127.0.0.1:5432', 'from /usr/local/etc/rc.conf.d');
  t.equal(d.vars.kleened_socket, '/var/run/other.sock', "kleened's own fragment is read for the socket");
  t.equal(d.vars.kleene_containers_stop_timeout, '30', 'defaults are passed too');
  t.equal(d.vars.kleene_containers_zfs, '/sbin/zfs');
  t.equal(d.vars.rcshutdown_timeout, '90');
});

t.test('status, stop and plan call the hook with check, stop and plan', async (t) => {
  const host = await withHost(t);
  t.same((await dumpRun(t, host, 'status')).argv, ['check']);
  t.same((await dumpRun(t, host, 'stop')).argv, ['stop']);
  t.same((await dumpRun(t, host, 'plan')).argv, ['plan']);
});

const CANARY = '/var/db/pwned';
const hostile: Record<string, string> = {
  command: `$(touch ${CANARY})`,
  backquote: `\`touch ${CANARY}\``,
  semicolon: `a; touch ${CANARY}`,
  quotes: `it's "quoted"`,
  backslash: 'a\\b\\',
};
for (const [what, value] of Object.entries(hostile)) {
  t.test(`a hostile value (${what}) reaches the hook as bytes and runs nothing`, async (t) => {
    const host = await withHost(t);
    // Written the way `kleene-boot rc set` quotes: single quotes with '\\''.
    const quoted = `'${value.replace(/'/g, `'\\''`)}'`;
    await host.appendFile('/etc/rc.conf', `kleene_containers_list=${quoted}\nkleene_containers_x_ready=${quoted}\n`);
    const d = await dumpRun(t, host);
    t.equal(d.vars.kleene_containers_list, value);
    t.equal(d.vars.kleene_containers_x_ready, value);
    t.notOk(await host.exists(CANARY), 'nothing executed');
  });
}

t.test('a multi-line value cannot smuggle a variable name into the export', async (t) => {
  const host = await withHost(t);
  await host.appendFile('/etc/rc.conf', `kleene_containers_list='web\nkleene_containers_evil=$(touch ${CANARY})'\n`);
  const d = await dumpRun(t, host);
  t.equal(d.vars.kleene_containers_evil, undefined, 'no such variable was exported');
  t.notOk(await host.exists(CANARY));
});

async function bootKleened(t: Test, host: SimHost): Promise<void> {
  const r = await rc(host, P.kleenedRc, 'start');
  t.equal(r.code, 0, `kleened started: ${r.stderr}`);
}

const TWO = { containers: [{ name: 'db', volumes: ['dbdata'] }, { name: 'web' }] };

t.test('start restores the listed containers through kleened and reports each', async (t) => {
  const host = await withHost(t, { state: TWO, rcConf: FAST_RC_CONF + 'kleene_containers_list="db web"\nkleene_containers_web_depend=db\n' });
  await bootKleened(t, host);
  const r = await rc(host, P.containersRc, 'start');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^Restoring Kleene containers:$/m);
  t.match(r.stdout, /^db \([0-9a-f]{12}\): started$/m);
  t.match(r.stdout, /^web \([0-9a-f]{12}\): started$/m);
  const state = readState(host.path(P.state));
  t.equal(state.jails.length, 2, 'both jails run');
  const starts = startFramesOf(requestLog(host));
  t.equal(starts.length, 2);
  t.match(await host.syslog(), /kleene_containers: .*web \([0-9a-f]{12}\): started/);
  const status = await rc(host, P.containersRc, 'status');
  t.equal(status.code, 0, status.stdout + status.stderr);
  const again = await rc(host, P.containersRc, 'start');
  t.equal(again.code, 0);
  t.match(again.stdout, /^web \([0-9a-f]{12}\): already running$/m);
  t.equal(startFramesOf(requestLog(host)).length, 2, 'nothing started twice');
});

t.test('start fails within the wait bound when kleened is down, naming the socket', async (t) => {
  const host = await withHost(t, { state: TWO, rcConf: FAST_RC_CONF + 'kleene_containers_list="db web"\nkleene_containers_wait_timeout=1\n' });
  const r = await rc(host, P.containersRc, 'start', 15_000);
  t.notOk(r.timedOut);
  t.not(r.code, 0);
  t.match(r.stdout + r.stderr, /\/var\/run\/kleened\.sock/);
});

t.test('with kleene_containers_background the script returns at once and the restore is logged', async (t) => {
  const host = await withHost(t, { state: { containers: [{ name: 'web', faults: { start_delay_ms: 1500 } }] },
    rcConf: FAST_RC_CONF + 'kleene_containers_list=web\nkleene_containers_background=YES\n' });
  await bootKleened(t, host);
  const r = await rc(host, P.containersRc, 'start');
  t.equal(r.code, 0, r.stderr);
  t.notOk(r.heldOpen, 'no open pipe holds boot');
  t.match(r.stdout, /in the background/);
  t.equal(readState(host.path(P.state)).jails.length, 0, 'the start was still under way when the script returned');
  let log = '';
  for (let i = 0; i < 100 && !/web \([0-9a-f]{12}\): started/.test(log); i++) {
    await new Promise((res) => setTimeout(res, 100));
    log = await host.syslog();
  }
  t.match(log, /kleene_containers: .*web \([0-9a-f]{12}\): started/);
  t.equal(readState(host.path(P.state)).jails.length, 1);
});
