// doctor: diagnose() over hand-made facts (one drift per row), then gatherFacts() on staged
// roots, so each drift doctor knows is caught from real files as well.
import t from 'tap';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { diagnose, fixCommand, type DoctorFacts, type Finding } from '../../src/install/doctor.ts';
import { gatherFacts } from '../../src/install/doctor-facts.ts';
import { runInstall } from '../../src/install/install.ts';
import type { ContainerSummary } from '../../src/kleened/types.ts';
import { put, PORT_SCRIPT, stagingRoot } from './tree.ts';

const SCRIPTS = { kleened: '/usr/local/etc/rc.d/kleened', kleene_containers: '/usr/local/etc/rc.d/kleene_containers' };

function healthy(): DoctorFacts {
  return {
    root: '/',
    installed: true,
    scripts: (['kleened', 'kleene_containers'] as const).map((name) => ({
      name, shown: SCRIPTS[name], present: { sha256: `gen-${name}`, mode: 0o555, generatedByKleeneBoot: true }, generatedSha256: `gen-${name}`, manifestSha256: `gen-${name}`,
    })),
    rc: {
      kleened: new Map([['kleened_enable', 'YES'], ['zfs_enable', 'YES'], ['pf_enable', 'YES']]),
      kleene_containers: new Map([['kleene_containers_enable', 'YES'], ['kleene_containers_list', 'db web']]),
    },
    nodes: [{ knob: 'kleened_node', path: '/usr/local/bin/node', ok: true }, { knob: 'kleene_containers_node', path: '/usr/local/bin/node', ok: true }],
    hooks: [{ knob: 'kleened_hook', path: '/usr/local/libexec/kleene-boot/hook.js', ok: true }, { knob: 'kleene_containers_hook', path: '/usr/local/libexec/kleene-boot/hook.js', ok: true }],
    containers: { ok: true, list: [{ id: 'aaaaaaaaaaaa', name: 'db', restart_policy: 'no' }, { id: 'bbbbbbbbbbbb', name: 'web', restart_policy: 'no' }] },
    rcorder: {
      order: ['/etc/rc.d/zfs', '/etc/rc.d/pf', '/etc/rc.d/LOGIN', SCRIPTS.kleened, SCRIPTS.kleene_containers],
      warnings: [],
      scripts: SCRIPTS,
      base: 'root',
      keywords: { kleened: ['shutdown', 'nojail'], kleene_containers: ['shutdown', 'nojail'] },
    },
  };
}

const problems = (fs: Finding[]) => fs.filter((f) => f.severity === 'problem');

t.test('a healthy host has no problem, only the boot position', async (t) => {
  const fs = diagnose(healthy());
  t.same(problems(fs), []);
  t.match(fs.find((f) => f.id === 'rcorder-position')?.message, `${SCRIPTS.kleened} runs 4 of 5, after /etc/rc.d/LOGIN`);
});

type Row = { name: string; change: (f: DoctorFacts) => void; id: string; fix: RegExp | string };
const rows: Row[] = [
  {
    name: "the port's script is back after pkg upgrade kleene-daemon",
    change: (f) => { f.scripts[0]!.present = { sha256: 'port', mode: 0o555, generatedByKleeneBoot: false }; },
    id: 'script-replaced:kleened', fix: 'kleene-boot install --force',
  },
  {
    name: 'an older kleene-boot generated the installed script',
    change: (f) => { f.scripts[1]!.present!.sha256 = 'old'; f.scripts[1]!.manifestSha256 = 'old'; },
    id: 'script-outdated:kleene_containers', fix: /^kleene-boot install$/,
  },
  {
    name: 'kleened_enable set, kleene_containers_enable not',
    change: (f) => { if (!('error' in f.rc)) f.rc.kleene_containers.delete('kleene_containers_enable'); },
    id: 'enable-mismatch:containers-off', fix: 'kleene-boot rc set kleene_containers_enable=YES',
  },
  {
    name: 'kleene_containers_enable set, kleened_enable not',
    change: (f) => { if (!('error' in f.rc)) f.rc.kleened.set('kleened_enable', 'NO'); },
    id: 'enable-mismatch:kleened-off', fix: 'kleene-boot rc set kleened_enable=YES',
  },
  {
    name: 'node missing at the path the scripts use',
    change: (f) => { f.nodes[1]!.ok = false; },
    id: 'node-missing:kleene_containers_node', fix: /pkg install node22/,
  },
  {
    name: 'the hook bundle missing where kleene_containers runs it',
    change: (f) => { f.hooks[1]!.ok = false; },
    id: 'hook-missing:kleene_containers_hook', fix: 'kleene-boot install',
  },
  {
    name: 'zfs_enable not set while kleened needs it',
    change: (f) => { if (!('error' in f.rc)) f.rc.kleened.delete('zfs_enable'); },
    id: 'needs:zfs_enable', fix: 'sysrc zfs_enable=YES',
  },
  {
    name: 'pf_enable not set while kleened needs it',
    change: (f) => { if (!('error' in f.rc)) f.rc.kleened.set('pf_enable', 'NO'); },
    id: 'needs:pf_enable', fix: 'sysrc pf_enable=YES',
  },
  {
    name: 'a listed container has restart_policy on-startup',
    change: (f) => { if (f.containers.ok) f.containers.list[1]!.restart_policy = 'on-startup'; },
    id: 'on-startup-listed:bbbbbbbbbbbb', fix: 'kleene-boot adopt',
  },
  {
    name: 'a requirement of kleene_containers has no provider',
    change: (f) => {
      if (!('error' in f.rcorder)) f.rcorder.warnings.push({ kind: 'missing-provider', message: `requirement 'kleenedd' in file '${SCRIPTS.kleene_containers}' has no providers`, files: [SCRIPTS.kleene_containers] });
    },
    id: 'rcorder-missing-provider', fix: 'kleene-boot install --force',
  },
  {
    name: 'kleened is in a dependency cycle',
    change: (f) => {
      if (!('error' in f.rcorder)) f.rcorder.warnings.push({ kind: 'cycle', message: 'circular dependency', files: ['/usr/local/etc/rc.d/other', SCRIPTS.kleened] });
    },
    id: 'rcorder-cycle', fix: 'kleene-boot install --force',
  },
  {
    name: 'kleene_containers would run before kleened',
    change: (f) => { if (!('error' in f.rcorder)) f.rcorder.order = [SCRIPTS.kleene_containers, '/etc/rc.d/zfs', '/etc/rc.d/pf', SCRIPTS.kleened]; },
    id: 'rcorder-containers-first', fix: 'kleene-boot install --force',
  },
  {
    name: 'a script lost KEYWORD: shutdown',
    change: (f) => { if (!('error' in f.rcorder)) f.rcorder.keywords.kleened = ['nojail']; },
    id: 'rcorder-no-shutdown:kleened', fix: 'kleene-boot install --force',
  },
  {
    name: 'kleene-boot is not installed',
    change: (f) => { f.installed = false; },
    id: 'not-installed', fix: 'kleene-boot install',
  },
];

for (const row of rows) {
  t.test(`reports ${row.name}, with its fix`, async (t) => {
    const f = healthy();
    row.change(f);
    const found = problems(diagnose(f));
    t.same(found.map((x) => x.id), [row.id], 'exactly this problem');
    t.match(found[0]?.fix, row.fix);
  });
}

t.test('names the staging root in every fix command', async (t) => {
  t.equal(fixCommand('/tmp/r', 'kleene-boot', 'install --force'), 'kleene-boot install --root /tmp/r --force');
  t.equal(fixCommand('/tmp/r', 'kleene-boot', 'rc set kleened_enable=YES'), 'kleene-boot rc set --root /tmp/r kleened_enable=YES');
  t.equal(fixCommand('/tmp/r', 'sysrc', 'zfs_enable=YES'), 'sysrc -R /tmp/r zfs_enable=YES');
  t.equal(fixCommand('/', 'sysrc', 'zfs_enable=YES'), 'sysrc zfs_enable=YES');
});

t.test('skips the container check with a note when kleened does not answer', async (t) => {
  const f = healthy();
  f.containers = { ok: false, reason: 'kleened does not answer on /var/run/kleened.sock' };
  const fs = diagnose(f);
  t.same(problems(fs), []);
  t.match(fs.find((x) => x.id === 'containers-skipped'), { severity: 'info', message: /does not answer/ });
});

// ---- from real files ----

const NODE = '/usr/local/bin/node';
async function installedHost(rcConf: string): Promise<string> {
  const root = await stagingRoot('kb-doctor-');
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  await put(root, NODE, '#!/bin/sh\nexit 0\n', 0o755);
  await put(root, '/etc/rc.conf', rcConf);
  await runInstall({ root, prefix: '/usr/local', node: NODE, enable: true }, { out: () => {} });
  return root;
}
const lister = (list: ContainerSummary[]) => async () => list;
const ids = (fs: Finding[]) => problems(fs).map((f) => f.id).sort();

t.test('finds no problem on a freshly installed, enabled host', async (t) => {
  const root = await installedHost('zfs_enable="YES"\npf_enable="YES"\n');
  const fs = diagnose(await gatherFacts(root, { listContainers: lister([]) }));
  t.same(ids(fs), []);
  t.match(fs.find((f) => f.id === 'rcorder-position')?.message, /FreeBSD 14 base headers.*kleened runs \d+ of \d+.*kleene_containers runs \d+ of \d+, after \/usr\/local\/etc\/rc\.d\/kleened/);
});

t.test('rc.d scripts run before securelevel (BEFORE: securelevel, as base rc.d/jail); doctor flags one that does not', async (t) => {
  // Mutation tried: deleting `# BEFORE: securelevel` from templates/kleened.hbs and
  // templates/kleene_containers.hbs: the fresh install below is then flagged.
  const root = await installedHost('zfs_enable="YES"\npf_enable="YES"\n');
  const facts = await gatherFacts(root, { listContainers: lister([]) });
  if ('error' in facts.rcorder) throw new Error(facts.rcorder.error);
  const order = facts.rcorder.order;
  const sl = order.indexOf('/etc/rc.d/securelevel');
  t.ok(sl >= 0, 'securelevel is in the FreeBSD 14 order');
  t.ok(order.indexOf(SCRIPTS.kleened) < sl, 'kleened before securelevel');
  t.ok(order.indexOf(SCRIPTS.kleene_containers) < sl, 'kleene_containers before securelevel');
  t.ok(order.indexOf('/etc/rc.d/pf') < order.indexOf(SCRIPTS.kleened), 'and still after pf');
  t.same(ids(diagnose(facts)), []);

  // Scripts from before the fix (no BEFORE: securelevel): rcorder puts them after it.
  for (const name of ['kleened', 'kleene_containers']) {
    const p = join(root, `/usr/local/etc/rc.d/${name}`);
    await fsp.chmod(p, 0o755);
    await fsp.writeFile(p, (await fsp.readFile(p, 'utf8')).replace('# BEFORE: securelevel\n', ''));
  }
  const old = diagnose(await gatherFacts(root, { listContainers: lister([]) }));
  t.ok(ids(old).includes('rcorder-after-securelevel:kleened'), ids(old).join(' '));
  t.match(old.find((f) => f.id === 'rcorder-after-securelevel:kleened'), {
    severity: 'problem', message: /kleened runs after securelevel/, fix: `kleene-boot install --root ${root} --force`,
  });
});

t.test('catches each drift on a staged host', async (t) => {
  const root = await installedHost('zfs_enable="YES"\n');
  // pkg upgrade kleene-daemon puts the port's script back; someone disables the restore;
  // node goes away; a listed container is on-startup; a third-party script requires a missing
  // provider and two others form a cycle with kleened.
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT.replace('# REQUIRE: LOGIN', '# REQUIRE: LOGIN ouroboros'), 0o555);
  await put(root, '/etc/rc.conf.d/kleene_containers', "kleene_containers_enable='NO'\nkleene_containers_list='web db'\n");
  await fsp.rm(join(root, NODE));
  await put(root, '/usr/local/etc/rc.d/ouroboros', '#!/bin/sh\n# PROVIDE: ouroboros\n# REQUIRE: kleened\n', 0o555);
  await put(root, '/usr/local/etc/rc.d/needy', '#!/bin/sh\n# PROVIDE: needy\n# REQUIRE: nosuchthing\n', 0o555);
  const facts = await gatherFacts(root, {
    listContainers: lister([{ id: '0123456789ab', name: 'web', restart_policy: 'on-startup' }, { id: 'ba9876543210', name: 'db', restart_policy: 'no' }]),
  });
  const fs = diagnose(facts);
  t.same(ids(fs), [
    'enable-mismatch:containers-off',
    'needs:pf_enable',
    'node-missing:kleened_node,kleene_containers_node',
    'on-startup-listed:0123456789ab',
    'rcorder-cycle',
    'script-replaced:kleened',
  ].sort());
  t.match(fs.find((f) => f.id === 'script-replaced:kleened')?.fix, `kleene-boot install --root ${root} --force`);
  t.ok(fs.some((f) => f.id === 'rcorder-missing-provider' && f.severity === 'warning' && /nosuchthing/.test(f.message)), 'a third-party missing provider is a warning');
});

t.test('reports when kleene-boot was never installed', async (t) => {
  const root = await stagingRoot('kb-doctor-');
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  const fs = diagnose(await gatherFacts(root, { listContainers: async () => { throw new Error('ENOENT'); } }));
  t.ok(problems(fs).some((f) => f.id === 'not-installed'));
  t.ok(problems(fs).some((f) => f.id === 'script-replaced:kleened'));
  t.ok(fs.some((f) => f.id === 'containers-skipped'));
});

t.test("kleened's address: kleened_socket against config.yaml", async (t) => {
  // Mutation tried: addressFindings() returning [] in src/install/doctor.ts: the disagreement
  // and the unreadable config below go unreported.
  const root = await installedHost('zfs_enable="YES"\npf_enable="YES"\n');
  const config = '/usr/local/etc/kleened/config.yaml';
  const yaml = (address: string) => `kleene_root: zroot/kleene\napi_listening_sockets:\n  - address: "${address}"\nenable_logging: true\n`;
  let asked: string | undefined;
  const recording = async (socket: string) => { asked = socket; return []; };
  const findings = async () => diagnose(await gatherFacts(root, { listContainers: recording }));

  await put(root, config, yaml('http:///var/run/kleened/api.sock'));
  let fs = await findings();
  t.same(ids(fs), [], 'config.yaml alone decides: nothing to disagree with');
  t.equal(asked, join(root, '/var/run/kleened/api.sock'), "doctor asks kleened where config.yaml says it listens");

  await put(root, '/etc/rc.conf.d/kleened', 'kleened_enable="YES"\nkleened_socket="/var/run/kleened.sock"\n');
  fs = await findings();
  const d = fs.find((f) => f.id === 'kleened-socket-disagrees');
  t.match(d, { severity: 'problem', message: /kleened_socket=\/var\/run\/kleened\.sock \(rc\.conf\) but .*config\.yaml has kleened listen on \/var\/run\/kleened\/api\.sock/,
    fix: `kleene-boot rc unset --root ${root} kleened_socket` });
  t.equal(asked, join(root, '/var/run/kleened.sock'), 'kleened_socket, set, is what the hook and doctor ask');

  await put(root, config, 'api_listening_sockets: [unclosed\n');
  fs = await findings();
  t.notOk(fs.some((f) => f.id === 'kleened-socket-disagrees'));
  t.match(fs.find((f) => f.id === 'kleened-config-unreadable'), { severity: 'warning', message: /config\.yaml is not valid YAML.*trusts kleened_socket=\/var\/run\/kleened\.sock/ });

  await put(root, '/etc/rc.conf.d/kleened', 'kleened_enable="YES"\n');
  await put(root, config, yaml('https://10.0.0.1:8085'));
  fs = await findings();
  t.match(fs.find((f) => f.id === 'kleened-config-tls-only'), { severity: 'problem', message: /only TLS listeners/ });
});

t.test('knows the pkg trigger and the periodic script: missing or changed, each with its fix', async (t) => {
  // Mutation tried: gatherFacts() leaving hostHooks empty: neither finding below appears.
  const root = await installedHost('zfs_enable="YES"\npf_enable="YES"\n');
  const trigger = '/usr/local/share/pkg/triggers/kleene-boot.ucl';
  const daily = '/usr/local/etc/periodic/daily/460.kleene-boot';
  t.same(ids(diagnose(await gatherFacts(root, { listContainers: lister([]) }))), [], 'both in place: nothing to say');
  await fsp.rm(join(root, trigger));
  await fsp.chmod(join(root, daily), 0o755);
  await fsp.appendFile(join(root, daily), 'echo local\n');
  const fs = diagnose(await gatherFacts(root, { listContainers: lister([]) }));
  t.match(fs.find((f) => f.id === 'pkg-trigger-missing'), {
    severity: 'problem', message: `the pkg trigger ${join(root, trigger)} is missing: the next 'pkg upgrade kleene-daemon' puts the port's rc.d/kleened back and nothing notices`,
    fix: `kleene-boot install --root ${root}`,
  });
  t.match(fs.find((f) => f.id === 'periodic-daily-changed'), {
    severity: 'warning', message: `the periodic daily script ${join(root, daily)} differs from what kleene-boot installs`, fix: `kleene-boot install --root ${root} --force`,
  });
});
