// `kleene-boot adopt` and the hook verbs through the bundled CLI (dist/cli.js), reading rc.conf
// from a staged root, against the kleened double.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SHIMS_DIR } from '../helpers/sim-state.ts';
import { cli as runInProcess } from '../rcconf/helpers.ts';
import { rig, stageRoot, type Rig } from './rig.ts';

const CLI_JS = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const stage = (r: Rig, rcConf: string): string => stageRoot(r, [
  `kleene_containers_jls="${join(SHIMS_DIR, 'jls')}"`,
  `kleene_containers_zfs="${join(SHIMS_DIR, 'zfs')}"`,
  `kleene_containers_jexec="${join(SHIMS_DIR, 'jexec')}"`,
  `kleene_containers_logger="${join(SHIMS_DIR, 'logger')}"`,
  rcConf,
]);

async function cli(r: Rig, args: string[]) {
  return execa(process.execPath, [CLI_JS, ...args], {
    reject: false, timeout: 30_000,
    env: { KLEENE_SIM_STATE: r.statePath, KLEENE_SIM_SYSLOG: r.syslog },
  });
}

/**
 * The CLI in a private mount namespace whose /var is an empty tmpfs: `hostVar` lists what the
 * command wrote under this machine's /var (which it must never touch with -R), while the real
 * /var is neither read nor written by the test.
 */
async function cliHostVarWatched(r: Rig, args: string[]) {
  const list = join(r.dir, `host-var-${args[0]}.txt`);
  const script = 'mount -t tmpfs kb-host-var /var || exit 125; "$@"; rc=$?; find /var -mindepth 1 > "$KB_VAR_LIST"; exit $rc';
  const run = await execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', process.execPath, CLI_JS, ...args], {
    reject: false, timeout: 30_000,
    env: { KLEENE_SIM_STATE: r.statePath, KLEENE_SIM_SYSLOG: r.syslog, KB_VAR_LIST: list },
  });
  return { ...run, hostVar: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
}

/** Every value rc.conf gives `name` after the edit, evaluated by sh as rc(8) would. */
async function rcValue(root: string, name: string): Promise<string> {
  const files = [join(root, 'etc/rc.conf'), join(root, 'etc/rc.conf.d/kleene_containers')];
  const script = files.map((f) => `[ -f '${f}' ] && . '${f}';`).join(' ') + ` printf %s "$${name}"`;
  return (await execa('/bin/sh', ['-c', script])).stdout;
}

t.test('adopt --dry-run shows the change and changes nothing', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', restart_policy: 'on-startup' }, { name: 'db' }] });
  const root = stage(r, 'kleene_containers_list="db"');
  const before = readFileSync(join(root, 'etc/rc.conf'), 'utf8');
  const run = await cli(r, ['adopt', '--dry-run', '--root', root]);
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): would be added to kleene_containers_list as web; restart_policy on-startup -> no$/m);
  t.match(run.stdout, /\+kleene_containers_list=/, 'the diff of the edit');
  t.equal(readFileSync(join(root, 'etc/rc.conf'), 'utf8'), before);
  t.equal(r.state().containers.find((c) => c.name === 'web')!.restart_policy, 'on-startup');
  t.same(r.requests().filter((e) => e.method === 'POST'), []);
});

t.test('adopt adds on-startup containers to the list and sets their policy to no, keeping every other field', async (t) => {
  const r = await rig(t, { containers: [
    { name: 'web', restart_policy: 'on-startup', cmd: ['/usr/local/bin/web'], jail_param: ['allow.raw_sockets=true'] },
    { name: 'db', restart_policy: 'on-startup' },
    { name: 'twin', restart_policy: 'on-startup' }, { name: 'twin' },
    { name: 'manual' },
  ] });
  const root = stage(r, 'kleene_containers_list="db"');
  const run = await cli(r, ['adopt', '--root', root]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  const twinId = r.id('twin'); // the first twin, the one with restart_policy on-startup
  const list = (await rcValue(root, 'kleene_containers_list')).split(/\s+/).sort();
  t.same(list, ['db', twinId, 'web'].sort(), 'web by name, the ambiguous twin by id, db kept once');
  for (const c of r.state().containers) t.equal(c.restart_policy, 'no', `${c.name} ${c.id} policy`);
  const web = r.state().containers.find((c) => c.name === 'web')!;
  t.same(web.cmd, ['/usr/local/bin/web']);
  t.same(web.jail_param, ['allow.raw_sockets=true']);
  t.match(run.stdout, /^db \([0-9a-f]{12}\): already in kleene_containers_list; restart_policy on-startup -> no$/m);

  const again = await cli(r, ['adopt', '--root', root]);
  t.equal(again.exitCode, 0);
  t.match(again.stdout, /nothing to do/);
});

t.test('the CLI verbs run the hook\'s code on rc.conf: check, then restore', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10 } }] });
  const root = stage(r, 'kleene_containers_list="web"');
  const check = await cli(r, ['check', '--root', root]);
  // check is rc.d status: non-zero while a configured container does not run.
  t.equal(check.exitCode, 1, check.stderr);
  t.match(check.stdout, /^web \([0-9a-f]{12}\): would start$/m);
  const restore = await cli(r, ['restore', '--root', root]);
  t.equal(restore.exitCode, 0, restore.stderr);
  t.match(restore.stdout, /^web \([0-9a-f]{12}\): started$/m);
  t.equal((await cli(r, ['check', '--root', root])).exitCode, 0, 'check is ok once web runs');
  const stop = await cli(r, ['stop', '--root', root, '--json']);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.equal((JSON.parse(stop.stdout) as { containers: { outcome: string }[] }).containers[0]!.outcome, 'stopped');
});

t.test('-R puts the run records under the root, never in the host\'s /var/db/kleene-boot, and report -R reads them', async (t) => {
  // Mutation: recordDirFor (src/hook/progress.ts) returning recordDir('/') when the variable is
  // unset, with the CLI's KLEENE_BOOT_RECORD_DIR dropped (src/cli/commands/restore.ts): both
  // records went to /var/db/kleene-boot (of the namespace) and none under the root.
  const r = await rig(t, { containers: [{ name: 'web', faults: { start_delay_ms: 10 } }] });
  const root = stage(r, 'kleene_containers_list="web"');
  const restore = await cliHostVarWatched(r, ['restore', '-R', root]);
  t.equal(restore.exitCode, 0, restore.stdout + restore.stderr);
  t.same(restore.hostVar, [], 'restore -R wrote nothing under the host\'s /var');
  const stop = await cliHostVarWatched(r, ['stop', '-R', root]);
  t.equal(stop.exitCode, 0, stop.stdout + stop.stderr);
  t.same(stop.hostVar, [], 'stop -R wrote nothing under the host\'s /var');
  const dir = join(root, 'var/db/kleene-boot');
  const records = (existsSync(dir) ? readdirSync(dir) : []).map((f) => f.replace(/-\d{4}-.*$/, '')).sort();
  t.same(records, ['restore', 'stop'], 'one record of each run under ROOT/var/db/kleene-boot');
  const report = await cli(r, ['report', '-R', root]);
  t.equal(report.exitCode, 0, report.stderr);
  t.match(report.stdout, /^restore: ok: 1 container: 1 started/m, 'report -R reads the restore record under the root');
  const last = await cli(r, ['report', '-R', root, '--run', 'stop']);
  t.match(last.stdout, /^stop: ok: 1 container: 1 stopped/m, 'and the stop record');
});

t.test('-R means the host\'s / for kleened\'s socket: plan, check, restore, stop, adopt and doctor look under the root', async (t) => {
  const r = await rig(t, { containers: [{ name: 'web', restart_policy: 'on-startup' }] });
  // rc.conf names the socket by its host path; the CLI must reach it under the root, never at
  // that path on this machine (where nothing listens, or another kleened does).
  const root = stage(r, 'kleene_containers_list="web"\nkleened_socket="/var/run/kleened.sock"\nkleene_containers_wait_timeout=1');
  for (const verb of ['plan', 'check']) {
    const run = await cli(r, [verb, '-R', root]);
    t.match(run.stdout, /^\s*web \([0-9a-f]{12}\)/m, `${verb} -R reached the double under the root\n${run.stdout}${run.stderr}`);
  }
  const adopt = await cli(r, ['adopt', '--dry-run', '-R', root]);
  t.equal(adopt.exitCode, 0, adopt.stderr);
  t.match(adopt.stdout, /^web \([0-9a-f]{12}\): would be left, already in kleene_containers_list/m);
  const doctor = await cli(r, ['doctor', '-R', root]);
  t.notMatch(doctor.stdout, /kleened does not answer/, doctor.stdout);

  // Mutation tried: readHostVars in src/cli/commands/restore.ts returning readRcVars(root) as
  // is: plan reaches nothing, as below.
  const elsewhere = join(r.dir, 'other-root');
  mkdirSync(join(elsewhere, 'etc'), { recursive: true });
  writeFileSync(join(elsewhere, 'etc/rc.conf'), readFileSync(join(root, 'etc/rc.conf'), 'utf8').replace('kleened_socket="/var/run/kleened.sock"', `kleened_socket="${r.socket}"`));
  const miss = await cli(r, ['check', '-R', elsewhere]);
  t.not(miss.exitCode, 0, 'a host path outside the root is not used as is');
  t.match(miss.stdout + miss.stderr, new RegExp(`${elsewhere}${r.socket}`), 'names the socket it tried, under the root');
});

t.test('a missing -R DIR is the same clear error (exit 2) for every command', async (t) => {
  const r = await rig(t, { containers: [] });
  const gone = join(r.dir, 'no-such-root');
  const message = `kleene-boot: --root: root ${gone} does not exist\n  hint: create it first (mkdir -p ${gone}), or give the staging root you meant`;
  // The check runs before any command's handler, so one command shows it through the bundle and
  // the others through runCli in-process (the same code, without a node start each).
  const run = await cli(r, ['restore', '-R', gone]);
  t.equal(run.exitCode, 2, 'restore (the bundle): exit 2');
  t.equal(run.stderr, message, 'restore (the bundle)');
  t.equal(run.stdout, '');
  for (const args of [['generate'], ['install'], ['uninstall'], ['doctor'], ['plan'], ['check'], ['restore'], ['stop'], ['adopt'],
    ['enable', 'all'], ['disable', 'kleened'], ['rc', 'show'], ['rc', 'get', 'kleened_enable'], ['rc', 'set', 'kleened_enable=YES'], ['rc', 'lint']]) {
    const r2 = await runInProcess(...args, '-R', gone);
    t.equal(r2.code, 2, `${args.join(' ')}: exit 2`);
    t.equal(r2.stderr, `${message}\n`, args.join(' '));
    t.equal(r2.stdout, '');
  }
});
