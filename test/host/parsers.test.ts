// The host parsers (src/host/jls.ts, src/host/zfs.ts) against what FreeBSD prints: literal
// outputs written from jls.c / zfs(8) (expected values typed out, not computed), and the shims'
// output for a host where nothing is what a lazy parser assumes: hostnames that are neither the
// container id nor its name (one foreign jail's hostname IS another container's id), jids that
// are not 1..n, paths under another kleene_root, jails that are not kleene containers, a dying
// jail, and ZFS mountpoints with spaces, `legacy` and `none`.
//
// Mutation tried: jails keyed on host.hostname instead of the jail name (src/host/jls.ts:
// `['--libxo', 'json', 'jid', 'host.hostname']` and `name: j['host.hostname']`): "listJails
// names jails by their name" fails (a hostname-keyed list names db's id for the foreign jail
// and web's hostname for web's jail), and the literal cases throw "a jail without a name".
import t from 'tap';
import { join } from 'node:path';
import { listJails, parseJlsJson } from '../../src/host/jls.ts';
import { listDatasets, parseZfsList } from '../../src/host/zfs.ts';
import { HostCommandError } from '../../src/errors.ts';
import { SHIMS_DIR, containerId, makeState, simTempDir, writeState } from '../helpers/sim-state.ts';

t.test('parseJlsJson reads jls --libxo json jid name as FreeBSD prints it', async (t) => {
  // jls.c emits named parameters as %s strings; the jail name of a kleene container is its id.
  const text = '{"__version": "2", "jail-information": {"jail": [{"jid": "3", "name": "4b5e57f6eb2f"}, '
    + '{"jid": "12", "name": "www"}, {"jid": "40", "name": "c0ffee00beef"}]}}\n';
  t.same(parseJlsJson(text), [{ jid: 3, name: '4b5e57f6eb2f' }, { jid: 12, name: 'www' }, { jid: 40, name: 'c0ffee00beef' }]);
  t.same(parseJlsJson('{"__version": "2", "jail-information": {"jail": []}}\n'), [], 'no jail');
  t.same(parseJlsJson('{"__version": "2", "jail-information": {}}\n'), [], 'libxo leaves the list out when no jail runs');
  // More parameters than asked for (another jls version): still keyed on the name.
  t.same(parseJlsJson('{"__version": "2", "jail-information": {"jail": [{"jid": "7", "name": "a1b2c3d4e5f6", "host.hostname": "db.example.org", "path": "/tank/k/container/a1b2c3d4e5f6"}]}}'),
    [{ jid: 7, name: 'a1b2c3d4e5f6' }]);
});

t.test('parseJlsJson refuses what it cannot read, naming jls', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['jls: jail_get: Operation not permitted\n', /\/usr\/sbin\/jls printed something that is not JSON/],
    ['{"__version": "2"}', /jls's JSON has no jail-information/],
    ['{"__version": "2", "jail-information": {"jail": {"jid": "1"}}}', /jail-information\.jail is not a list/],
    // plain `jls --libxo json` has no name: hostname is not a substitute
    ['{"__version": "2", "jail-information": {"jail": [{"jid": 1, "ipv4": "", "hostname": "web.example", "path": "/zroot/kleene/container/4b5e57f6eb2f"}]}}', /a jail without a name/],
  ];
  for (const [text, msg] of cases) {
    let err: unknown;
    try { parseJlsJson(text, '/usr/sbin/jls'); } catch (e) { err = e; }
    t.ok(err instanceof HostCommandError, `refused: ${text.trim()}`);
    t.match(err, { code: 'host-garbage', message: msg });
  }
});

t.test('parseZfsList keeps mountpoints with spaces, legacy and none as zfs prints them', async (t) => {
  // `zfs list -H -p -o name,mounted,mountpoint -t filesystem`: one tab between fields.
  const text = [
    'zroot\tyes\t/zroot',
    'zroot/kleene\tno\tlegacy',
    'zroot/kleene/volumes/data\tyes\t/srv/my data/db files',
    'zroot/kleene/volumes/off\tno\tnone',
    'zroot/kleene/volumes/tmp\tno\t/zroot/kleene/volumes/tmp',
    '',
  ].join('\n');
  t.same(parseZfsList(text), [
    { name: 'zroot', mounted: true, mountpoint: '/zroot' },
    { name: 'zroot/kleene', mounted: false, mountpoint: 'legacy' },
    { name: 'zroot/kleene/volumes/data', mounted: true, mountpoint: '/srv/my data/db files' },
    { name: 'zroot/kleene/volumes/off', mounted: false, mountpoint: 'none' },
    { name: 'zroot/kleene/volumes/tmp', mounted: false, mountpoint: '/zroot/kleene/volumes/tmp' },
  ]);
  t.same(parseZfsList(''), [], 'no dataset');
  // Without -H zfs pads with spaces: refused, not split on spaces.
  t.throws(() => parseZfsList('NAME                      MOUNTED  MOUNTPOINT\nzroot  yes  /zroot\n', '/sbin/zfs'),
    /\/sbin\/zfs list line 1 does not have 3 tab-separated fields/);
  t.throws(() => parseZfsList('zroot\tyes\n'), /line 1 does not have 3/);
});

// One host where nothing matches a lazy parser's assumptions.
function awkwardHost() {
  const state = makeState({
    kleene_root: 'tank/k',
    containers: [
      { name: 'web', running: true },
      { name: 'db' },
      { name: 'old', running: true },
      { name: 'cache', running: true, jail_param: ['host.hostname=cache'] },
    ],
    jails: [
      // not kleene's: a hand-made jail whose hostname is db's container id
      { name: 'www', jid: 40, path: '/usr/jails/www', hostname: '', ipv4: '192.0.2.40' },
    ],
    volumes: ['data', 'off', 'tmp'],
    datasets: {
      'tank/k': { mountpoint: 'legacy', mounted: 'no' },
      'tank/k/volumes/data': { mountpoint: '/srv/my data/db files' },
      'tank/k/volumes/off': { mountpoint: 'none', mounted: 'no' },
      'tank/k/volumes/tmp': { mounted: 'no' },
    },
  });
  const db = containerId(state, 'db');
  state.jails.find((j) => j.name === 'www')!.hostname = db;
  // jids as a long-running host has them, and old's jail is dying (jail -r in progress)
  const jids: Record<string, number> = { web: 17, old: 5, cache: 23 };
  for (const [name, jid] of Object.entries(jids)) state.jails.find((j) => j.name === containerId(state, name))!.jid = jid;
  state.jails.find((j) => j.name === containerId(state, 'old'))!.dying = true;
  state.next_jid = 41;
  return state;
}

t.test('listJails names jails by their name, never hostname, jid or path', async (t) => {
  const state = awkwardHost();
  const dir = simTempDir((fn) => t.teardown(fn));
  writeState(join(dir, 'state.json'), state);
  const saved = process.env.KLEENE_SIM_STATE;
  process.env.KLEENE_SIM_STATE = join(dir, 'state.json');
  t.teardown(() => { if (saved === undefined) delete process.env.KLEENE_SIM_STATE; else process.env.KLEENE_SIM_STATE = saved; });
  const jails = await listJails(join(SHIMS_DIR, 'jls'), { timeoutMs: 30_000 });
  const id = (n: string) => containerId(state, n);
  t.same(jails, [
    { jid: 17, name: id('web') },
    { jid: 23, name: id('cache') },
    { jid: 40, name: 'www' },
  ], 'by jid; the dying jail (old) is left out, as jls does without -d');
  t.notOk(jails.some((j) => j.name === id('db')), 'db does not run, whatever a foreign jail calls itself');
});

t.test('listDatasets reads the shim\'s zfs list with spaces, legacy and none', async (t) => {
  const state = awkwardHost();
  const dir = simTempDir((fn) => t.teardown(fn));
  writeState(join(dir, 'state.json'), state);
  const saved = process.env.KLEENE_SIM_STATE;
  process.env.KLEENE_SIM_STATE = join(dir, 'state.json');
  t.teardown(() => { if (saved === undefined) delete process.env.KLEENE_SIM_STATE; else process.env.KLEENE_SIM_STATE = saved; });
  const ds = await listDatasets(join(SHIMS_DIR, 'zfs'), { timeoutMs: 30_000 });
  const by = new Map(ds.map((d) => [d.name, d]));
  t.same(by.get('tank/k'), { name: 'tank/k', mounted: false, mountpoint: 'legacy' });
  t.same(by.get('tank/k/volumes/data'), { name: 'tank/k/volumes/data', mounted: true, mountpoint: '/srv/my data/db files' });
  t.same(by.get('tank/k/volumes/off'), { name: 'tank/k/volumes/off', mounted: false, mountpoint: 'none' });
  t.same(by.get('tank/k/volumes/tmp'), { name: 'tank/k/volumes/tmp', mounted: false, mountpoint: '/tank/k/volumes/tmp' });
});
