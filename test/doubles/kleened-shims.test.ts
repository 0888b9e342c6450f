// jls, zfs and jexec shims: FreeBSD 14 / OpenZFS 2.2 output formats, answering from the same sim
// state as the kleened double.
import t from 'tap';
import type { Test } from 'tap';

// Subtests are independent (own temp dir, own state, own daemon): run them side by side.
t.jobs = 4;
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startKleened } from './kleened/server.mjs';
import { request, startContainer } from './kleened/client.ts';
import { SHIMS_DIR, containerId, makeState, readState, simTempDir, waitFor, writeState } from '../helpers/sim-state.ts';
import type { SimState, StateSpec } from '../helpers/sim-state.ts';

interface Run { code: number; stdout: string; stderr: string }
function shim(name: string, args: string[], statePath: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(join(SHIMS_DIR, name), args, statePath, extraEnv);
}
function run(file: string, args: string[], statePath: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const { NODE_OPTIONS: _tapLoader, ...env } = process.env; // see prepareSimDir
    execFile(file, args, { env: { ...env, KLEENE_SIM_STATE: statePath, ...extraEnv } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function stateFile(t: Test, spec: StateSpec | SimState): { path: string; state: SimState } {
  const path = join(simTempDir((fn) => t.teardown(fn)), 'state.json');
  const state = 'next_jid' in spec ? spec : makeState(spec);
  writeState(path, state);
  return { path, state };
}

// Two kleened jails (one with a jail_param hostname) and one foreign jail with an address.
const twoJails: StateSpec = {
  containers: [{ name: 'web', running: true, jail_param: ['host.hostname=web.example'] }, { name: 'db', running: true }],
  jails: [{ name: 'legacy', jid: 7, path: '/jails/legacy', hostname: 'legacy.lan', ipv4: '192.0.2.7' }],
};

t.test('jls prints the default table: jid, ip, hostname, path and no name', async (t) => {
  const { path, state } = stateFile(t, twoJails);
  const web = containerId(state, 'web');
  const db = containerId(state, 'db');
  const r = await shim('jls', [], path);
  t.equal(r.code, 0);
  t.equal(r.stdout, [
    '   JID  IP Address      Hostname                      Path',
    `     1                  web.example                   /zroot/kleene/container/${web}`,
    `     2                  db-0.jail.test                /zroot/kleene/container/${db}`,
    '     7  192.0.2.7       legacy.lan                    /jails/legacy',
    '',
  ].join('\n'));
});

t.test('jls --libxo json has jid, ipv4, hostname, path but no name', async (t) => {
  const { path, state } = stateFile(t, twoJails);
  const r = await shim('jls', ['--libxo', 'json'], path);
  t.equal(r.code, 0);
  t.match(r.stdout, /^\{"__version": "2", "jail-information": \{"jail": \[/);
  const doc = JSON.parse(r.stdout);
  t.same(doc['jail-information'].jail[0], { jid: 1, ipv4: '', hostname: 'web.example', path: `/zroot/kleene/container/${containerId(state, 'web')}` });
  t.notOk('name' in doc['jail-information'].jail[0]);
  t.equal(doc['jail-information'].jail[2].ipv4, '192.0.2.7');
});

t.test('jls -v --libxo json and named parameters carry the jail name', async (t) => {
  const { path, state } = stateFile(t, twoJails);
  const web = containerId(state, 'web');
  const v = JSON.parse((await shim('jls', ['-v', '--libxo', 'json'], path)).stdout);
  t.match(v['jail-information'].jail[0], { jid: 1, name: web, hostname: 'web.example', state: 'ACTIVE', ipv4_addrs: [] });
  const named = JSON.parse((await shim('jls', ['--libxo=json', 'jid', 'name', 'path'], path)).stdout);
  t.same(named['jail-information'].jail.map((j: any) => j.name), [web, containerId(state, 'db'), 'legacy']);
  t.same(named['jail-information'].jail[0], { jid: '1', name: web, path: `/zroot/kleene/container/${web}` }, 'named values are %s strings');
});

t.test('jls -N puts the name in the first column', async (t) => {
  const { path, state } = stateFile(t, twoJails);
  const r = await shim('jls', ['-N'], path);
  const lines = r.stdout.split('\n');
  t.equal(lines[0], ' JID             IP Address      Hostname                      Path');
  t.equal(lines[1], ` ${containerId(state, 'web')}    ${' '.repeat(15)} ${'web.example'.padEnd(29)} /zroot/kleene/container/${containerId(state, 'web')}`);
});

t.test('jls named params in text: one space apart, "-" for an empty value; -n gives name=value', async (t) => {
  const { path } = stateFile(t, twoJails);
  const r = await shim('jls', ['jid', 'name', 'ip4.addr'], path);
  t.equal(r.stdout.split('\n')[2], '7 legacy 192.0.2.7');
  t.match(r.stdout.split('\n')[0], /^1 [0-9a-f]{12} -$/);
  const n = await shim('jls', ['-n', 'jid', 'name'], path);
  t.equal(n.stdout.split('\n')[2], 'jid=7 name=legacy');
});

t.test('jls -j finds a jail by name or jid and fails with FreeBSD\'s message when missing', async (t) => {
  const { path, state } = stateFile(t, twoJails);
  t.equal((await shim('jls', ['-j', containerId(state, 'db')], path)).code, 0);
  const byJid = await shim('jls', ['-j', '7', 'name'], path);
  t.equal(byJid.stdout, 'legacy\n');
  const missing = await shim('jls', ['-j', 'abcdefabcdef'], path);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'jls: jail "abcdefabcdef" not found\n');
  const missingJson = await shim('jls', ['-j', 'nope', '--libxo', 'json'], path);
  t.equal(missingJson.code, 1);
  t.equal(missingJson.stdout, '');
  const missingJid = await shim('jls', ['-j', '99'], path);
  t.equal(missingJid.stderr, 'jls: jail 99 not found\n');
  t.equal((await shim('jls', ['-q', '-x'], path)).code, 1, 'an unknown option is a usage error');
});

t.test('jls with no state file lists nothing', async (t) => {
  const r = await shim('jls', ['--libxo', 'json'], join(simTempDir((fn) => t.teardown(fn)), 'missing.json'));
  t.equal(r.code, 0);
  t.same(JSON.parse(r.stdout)['jail-information'].jail, []);
});

t.test('shim faults replace the output: a failing jls, a garbled zfs', async (t) => {
  const { path } = stateFile(t, { ...twoJails, faults: { jls: { stderr: 'jls: sysctl: Operation not permitted', exit_code: 1 }, zfs: { stdout: 'garbage\u0000\n', exit_code: 0 } } });
  const j = await shim('jls', ['--libxo', 'json'], path);
  t.equal(j.code, 1);
  t.equal(j.stdout, '');
  t.equal(j.stderr, 'jls: sysctl: Operation not permitted\n');
  const z = await shim('zfs', ['list', '-H'], path);
  t.equal(z.code, 0);
  t.equal(z.stdout, 'garbage\u0000\n');
});

const volumes: StateSpec = {
  containers: [{ name: 'web', volumes: ['data', 'logs'] }],
  datasets: { 'zroot/kleene/volumes/logs': { mounted: 'no' }, 'zroot/kleene/volumes/gone': null },
};

t.test('zfs list -H -p -o name,mounted,mountpoint -t filesystem -r: tab-separated, sorted, no header', async (t) => {
  const { path, state } = stateFile(t, volumes);
  const r = await shim('zfs', ['list', '-H', '-p', '-o', 'name,mounted,mountpoint', '-t', 'filesystem', '-r', 'zroot/kleene'], path);
  t.equal(r.code, 0);
  const id = containerId(state, 'web');
  t.equal(r.stdout, [
    'zroot/kleene\tyes\t/zroot/kleene',
    'zroot/kleene/container\tyes\t/zroot/kleene/container',
    `zroot/kleene/container/${id}\tyes\t/zroot/kleene/container/${id}`,
    'zroot/kleene/image\tyes\t/zroot/kleene/image',
    'zroot/kleene/volumes\tyes\t/zroot/kleene/volumes',
    'zroot/kleene/volumes/data\tyes\t/zroot/kleene/volumes/data',
    'zroot/kleene/volumes/logs\tno\t/zroot/kleene/volumes/logs',
    '',
  ].join('\n'));
});

t.test('zfs list of a missing dataset: "cannot open", exit 1, the others still printed', async (t) => {
  const { path } = stateFile(t, volumes);
  const r = await shim('zfs', ['list', '-H', '-o', 'name', 'zroot/kleene/volumes/gone', 'zroot/kleene/volumes/data'], path);
  t.equal(r.code, 1);
  t.equal(r.stderr, "cannot open 'zroot/kleene/volumes/gone': dataset does not exist\n");
  t.equal(r.stdout, 'zroot/kleene/volumes/data\n');
});

t.test('zfs list without -H prints a padded header; zfs get answers one property', async (t) => {
  const { path } = stateFile(t, volumes);
  const r = await shim('zfs', ['list', '-o', 'name,mounted', 'zroot/kleene/volumes/logs'], path);
  t.equal(r.stdout, 'NAME                       MOUNTED\nzroot/kleene/volumes/logs  no\n');
  const g = await shim('zfs', ['get', '-H', '-p', '-o', 'value', 'mounted', 'zroot/kleene/volumes/logs'], path);
  t.equal(g.stdout, 'no\n');
  const full = await shim('zfs', ['get', '-H', 'mountpoint', 'zroot/kleene'], path);
  t.equal(full.stdout, 'zroot/kleene\tmountpoint\t/zroot/kleene\tdefault\n');
});

t.test('zfs mount mounts a dataset in the shared state and refuses a mounted one', async (t) => {
  const { path } = stateFile(t, volumes);
  t.equal((await shim('zfs', ['mount', 'zroot/kleene/volumes/logs'], path)).code, 0);
  t.equal(readState(path).datasets.find((d) => d.name === 'zroot/kleene/volumes/logs')!.mounted, 'yes');
  const again = await shim('zfs', ['mount', 'zroot/kleene/volumes/logs'], path);
  t.equal(again.code, 1);
  t.equal(again.stderr, "cannot mount 'zroot/kleene/volumes/logs': filesystem already mounted\n");
  const missing = await shim('zfs', ['mount', 'zroot/kleene/volumes/gone'], path);
  t.equal(missing.stderr, "cannot open 'zroot/kleene/volumes/gone': dataset does not exist\n");
});

t.test('jexec runs the command with KLEENE_SIM_JAIL when the jail runs, fails otherwise', async (t) => {
  const { path, state } = stateFile(t, { containers: [{ name: 'web', running: true }, { name: 'db' }] });
  const web = containerId(state, 'web');
  const ok = await shim('jexec', [web, 'sh', '-c', 'echo "$KLEENE_SIM_JAIL $KLEENE_SIM_JID"; exit 3'], path);
  t.equal(ok.code, 3, 'the command\'s exit status');
  t.equal(ok.stdout, `${web} 1\n`);
  const down = await shim('jexec', [containerId(state, 'db'), 'true'], path);
  t.equal(down.code, 1);
  t.equal(down.stderr, `jexec: jail "${containerId(state, 'db')}" not found\n`);
  const logDir = simTempDir((fn) => t.teardown(fn));
  await shim('jexec', ['1', 'true'], path, { KLEENE_SIM_JEXEC_LOG: join(logDir, 'jexec.log') });
  const { readFileSync } = await import('node:fs');
  t.match(JSON.parse(readFileSync(join(logDir, 'jexec.log'), 'utf8')), { jail: '1', cmd: ['true'], found: true });
});

t.test('the double and the shims share one state: a start shows in jls, a stop removes it', async (t) => {
  let removeDir = () => {};
  const dir = simTempDir((fn) => { removeDir = fn; });
  const statePath = join(dir, 'state.json');
  const socket = join(dir, 'k.sock');
  const state = makeState({ containers: [{ name: 'web', faults: { start_delay_ms: 10 } }] });
  writeState(statePath, state);
  const k = await startKleened({ socket, statePath, autostart: false });
  t.teardown(async () => {
    await k.close();
    removeDir();
  });
  const id = containerId(state, 'web');
  t.equal((await shim('jls', ['-j', id], statePath)).code, 1, 'not running yet');
  t.equal((await startContainer(socket, 'web')).close?.code, 1001);
  // 1001 comes before `jail -c` is done: the jail shows in jls a little later
  const jls = await waitFor('the jail in jls', async () => { const r = await shim('jls', ['-j', id, 'jid', 'name', 'path'], statePath); return r.code === 0 && r; });
  t.equal(jls.code, 0);
  t.equal(jls.stdout, `1 ${id} /zroot/kleene/container/${id}\n`);
  t.equal((await shim('jexec', [id, 'true'], statePath)).code, 0);
  t.equal((await request(socket, 'POST', `/containers/${id}/stop`)).status, 200);
  t.equal((await shim('jls', ['-j', id], statePath)).code, 1, 'gone after stop');
});

// The sh fronts of jls and zfs print the hook's forms from views state.mjs keeps beside the
// state; the view must be exactly what the node half prints, and must step aside for a fault.
const JLS_HOOK = ['--libxo', 'json', 'jid', 'name'];
const ZFS_HOOK = ['list', '-H', '-p', '-o', 'name,mounted,mountpoint', '-t', 'filesystem'];
function nodeHalf(name: string, args: string[], statePath: string): Promise<Run> {
  return run(process.execPath, [join(SHIMS_DIR, `${name}.cjs`), ...args], statePath);
}

t.test('the fronts answer the hook\'s forms from the views, byte for byte what the node half prints', async (t) => {
  const { existsSync } = await import('node:fs');
  const spec: StateSpec = {
    ...twoJails,
    jails: [...twoJails.jails!, { name: 'going', jid: 3, dying: true }],
    volumes: ['data'],
    datasets: { 'zroot/kleene/volumes/data': { mounted: 'no' }, 'zroot/kleene/image': { mountpoint: 'legacy' } },
  };
  const { path } = stateFile(t, spec);
  for (const [name, args, suffix] of [['jls', JLS_HOOK, '.jls'], ['zfs', ZFS_HOOK, '.zfs']] as const) {
    t.ok(existsSync(path + suffix), `${name}'s view is kept`);
    const front = await shim(name, [...args], path);
    const full = await nodeHalf(name, [...args], path);
    t.equal(full.code, 0);
    t.not(full.stdout, '', `${name} has something to print`);
    t.same(front, full, `${name}: the front prints what ${name}.cjs prints`);
  }
  t.notMatch((await shim('jls', JLS_HOOK, path)).stdout, /going/, 'a dying jail is left out, as jls.cjs leaves it out');
});

t.test('a fault removes the view, so the front runs the node half and the fault shows', async (t) => {
  const { existsSync } = await import('node:fs');
  const { path, state } = stateFile(t, twoJails);
  writeState(path, { ...state, faults: { jls: { stderr: 'jls: jail_get: Operation not permitted', exit_code: 1 }, zfs: { exit_code: 1, stderr: 'internal error' } } });
  t.notOk(existsSync(`${path}.jls`), 'no jls view while jls fails');
  t.notOk(existsSync(`${path}.zfs`), 'no zfs view while zfs fails');
  const j = await shim('jls', JLS_HOOK, path);
  t.equal(j.code, 1);
  t.match(j.stderr, /Operation not permitted/);
  const z = await shim('zfs', ZFS_HOOK, path);
  t.equal(z.code, 1);
  t.match(z.stderr, /internal error/);
  writeState(path, { ...state, faults: {} });
  t.same(await shim('jls', JLS_HOOK, path), await nodeHalf('jls', JLS_HOOK, path), 'the fault cleared, the view is back and right');
});

t.test('zfs mount drops the list view before it changes the state', async (t) => {
  const { existsSync } = await import('node:fs');
  const { path } = stateFile(t, { volumes: ['v'], datasets: { 'zroot/kleene/volumes/v': { mounted: 'no' } } });
  t.match((await shim('zfs', ZFS_HOOK, path)).stdout, /^zroot\/kleene\/volumes\/v\tno\t/m);
  t.equal((await shim('zfs', ['mount', 'zroot/kleene/volumes/v'], path)).code, 0);
  t.notOk(existsSync(`${path}.zfs`), 'the view is gone: it would say "no"');
  t.match((await shim('zfs', ZFS_HOOK, path)).stdout, /^zroot\/kleene\/volumes\/v\tyes\t/m);
});
