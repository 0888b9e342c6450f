// install / uninstall in staging roots: what lands where, idempotence, dry runs, exact undo,
// refusals. Runs the real install code in-process against the built bundles (npm test builds).
import t from 'tap';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { runInstall } from '../../src/install/install.ts';
import { runUninstall } from '../../src/install/uninstall.ts';
import { readManifest, sha256 } from '../../src/install/manifest.ts';
import { MANIFEST_PATH, ORIG_DIR } from '../../src/install/layout.ts';
import { collector, put, PORT_SCRIPT, snapshot, stagingRoot } from './tree.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NODE = '/usr/local/bin/node';

const RC_CONF = `# /etc/rc.conf of a test host
hostname="kb-test"
zfs_enable="YES"
kleened_enable="NO"   # the port's default, set by hand
`;

/** A host image like a FreeBSD box with the kleene-daemon package: its rc.d script and an rc.conf. */
async function hostWithPort(): Promise<string> {
  const root = await stagingRoot();
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  await put(root, '/etc/rc.conf', RC_CONF, 0o644);
  await put(root, NODE, '#!/bin/sh\nexit 0\n', 0o755);
  return root;
}

const install = async (root: string, extra: Record<string, unknown> = {}) => {
  const c = collector();
  const code = await runInstall({ root, prefix: '/usr/local', node: NODE, ...extra }, { out: c.out });
  return { code, text: c.text() };
};
const uninstall = async (root: string, extra: Record<string, unknown> = {}) => {
  const c = collector();
  const code = await runUninstall({ root, ...extra }, { out: c.out });
  return { code, text: c.text() };
};

t.test('installs scripts, hook, CLI, wrapper and man page with their modes and records each in the manifest', async (t) => {
  const root = await hostWithPort();
  const r = await install(root);
  t.equal(r.code, 0);
  const m = await readManifest(join(root, MANIFEST_PATH));
  t.ok(m, 'manifest written');
  const expectModes: Record<string, number> = {
    '/usr/local/etc/rc.d/kleened': 0o555,
    '/usr/local/etc/rc.d/kleene_containers': 0o555,
    '/usr/local/libexec/kleene-boot/hook.js': 0o444,
    '/usr/local/libexec/kleene-boot/cli.js': 0o444,
    '/usr/local/libexec/kleene-boot/cli-rc.v8cache': 0o444,
    '/usr/local/libexec/kleene-boot/cli-generate.v8cache': 0o444,
    '/usr/local/libexec/kleene-boot/cli-all.v8cache': 0o444,
    '/usr/local/libexec/kleene-boot/package.json': 0o444,
    '/usr/local/libexec/kleene-boot/templates/kleened.hbs': 0o444,
    '/usr/local/libexec/kleene-boot/templates/kleene_containers.hbs': 0o444,
    '/usr/local/bin/kleene-boot': 0o555,
    '/usr/local/share/man/man8/kleene-boot.8.gz': 0o444,
    // pkg reads triggers (pkg-triggers(5)); periodic runs only executable files (periodic(8)).
    '/usr/local/share/pkg/triggers/kleene-boot.ucl': 0o444,
    '/usr/local/etc/periodic/daily/460.kleene-boot': 0o555,
  };
  t.same(m!.files.map((f) => f.path).sort(), Object.keys(expectModes).sort(), 'manifest lists exactly the installed files');
  for (const f of m!.files) {
    const full = join(root, f.path);
    const st = await fsp.lstat(full);
    t.equal(st.mode & 0o7777, expectModes[f.path], `${f.path} mode`);
    t.equal(f.mode, expectModes[f.path], `${f.path} mode recorded`);
    t.equal(sha256(await fsp.readFile(full)), f.sha256, `${f.path} checksum recorded`);
    t.match(r.text, full, `output names ${full}`);
  }
  t.equal((await fsp.readFile(join(root, '/usr/local/libexec/kleene-boot/hook.js'))).toString(),
    (await fsp.readFile(join(REPO, 'dist/hook.js'))).toString(), 'hook is the built bundle');
  const wrapper = await fsp.readFile(join(root, '/usr/local/bin/kleene-boot'), 'utf8');
  t.match(wrapper, /^#!\/bin\/sh\n/);
  t.match(wrapper, `exec '${NODE}' '/usr/local/libexec/kleene-boot/cli.js' "$@"`);
  const man = gunzipSync(await fsp.readFile(join(root, '/usr/local/share/man/man8/kleene-boot.8.gz')));
  t.ok(man.equals(await fsp.readFile(join(REPO, 'kleene-boot.8'))), 'man page is kleene-boot.8, gzipped');
  t.match(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleene_containers'), 'utf8'), '# PROVIDE: kleene_containers');
  t.same(m!.rcconf, [], 'no rc.conf change without --enable');
});

t.test('a second install changes nothing and says nothing to do', async (t) => {
  const root = await hostWithPort();
  await install(root, { enable: true });
  const before = await snapshot(root);
  const r = await install(root, { enable: true });
  t.equal(r.code, 0);
  t.match(r.text, /nothing to do/);
  t.same(await snapshot(root), before, 'not one byte, mode or path changed');
});

t.test('--dry-run writes nothing and prints one line per file and per rc.conf change', async (t) => {
  const root = await hostWithPort();
  const before = await snapshot(root);
  const r = await install(root, { enable: true, dryRun: true });
  t.equal(r.code, 0);
  t.same(await snapshot(root), before, 'nothing written');
  const lines = r.text.split('\n');
  // The port's rc.d/kleened being replaced is one visible line, not line 40,475.
  t.match(r.text, new RegExp(`^would replace ${root}/usr/local/etc/rc\\.d/kleened: kleene-boot did not write it \\(the port's script\\?\\); kept as ${root}/var/db/kleene-boot/orig/.*, put back by uninstall$`, 'm'));
  t.match(r.text, `would write ${root}/usr/local/etc/rc.d/kleene_containers (new, mode 0555)`);
  t.match(r.text, `would write ${root}/usr/local/libexec/kleene-boot/hook.js (new, mode 0444)`);
  t.match(r.text, `would write ${root}/usr/local/share/man/man8/kleene-boot.8.gz (new, mode 0444)`);
  t.match(r.text, `would write ${root}/usr/local/share/pkg/triggers/kleene-boot.ucl (new, mode 0444)`);
  t.match(r.text, `would write ${root}/usr/local/etc/periodic/daily/460.kleene-boot (new, mode 0555)`);
  t.match(r.text, new RegExp(`^would set kleened_enable=YES in ${root}/etc/rc\\.conf \\(was 'NO'\\)$`, 'm'));
  t.match(r.text, new RegExp(`^would set kleene_containers_enable=YES in ${root}/etc/rc\\.conf\\.d/kleene_containers \\(was unset\\)$`, 'm'));
  t.notMatch(r.text, /^[-+@]/m, 'no diff without --diff');
  t.ok(lines.length < 20, `a screenful: ${lines.length} lines`);
  t.match(lines.at(-1), /dry run, nothing written \(\d+ files and 2 rc\.conf settings would change\)/);
});

t.test('--diff adds the text diffs of the rc.d scripts and rc.conf, never of a bundle', async (t) => {
  const root = await hostWithPort();
  const before = await snapshot(root);
  const r = await install(root, { enable: true, diff: true });
  t.equal(r.code, 1, 'something would change: 1, as diff(1)');
  t.same(await snapshot(root), before, 'nothing written');
  t.match(r.text, `-# REQUIRE: LOGIN`, 'diff of the port script against the generated one');
  t.match(r.text, `+++ b${root}/usr/local/etc/rc.d/kleene_containers`);
  t.match(r.text, /^\+kleened_enable=["']YES["']/m, 'rc.conf edit shown');
  t.match(r.text, /^-kleened_enable="NO"/m);
  t.match(r.text, /^\+kleene_containers_enable=["']YES["']/m);
  const diffed = [...r.text.matchAll(/^\+\+\+ b(\S+)/gm)].map((m) => m[1]!);
  t.ok(diffed.length >= 2);
  for (const f of diffed) t.match(f, /\/rc\.d\/|\/rc\.conf/, `only rc.d scripts and rc.conf are diffed: ${f}`);
  t.notMatch(r.text, /Binary files|new binary file/);
  t.ok(r.text.split('\n').length < 1000, 'no bundle in the output');
});

t.test('--dry-run into a root that does not exist is the root error of every command', async (t) => {
  const parent = await stagingRoot();
  const root = join(parent, 'not-yet');
  await t.rejects(install(root, { dryRun: true }), { code: 'bad-root', message: `root ${root} does not exist` });
  await t.rejects(fsp.lstat(root), { code: 'ENOENT' });
});

t.test('uninstall gives back the exact tree and rc.conf bytes it had before install', async (t) => {
  const root = await hostWithPort();
  const before = await snapshot(root);
  const r = await install(root, { enable: true });
  t.equal(r.code, 0);
  t.match(await fsp.readFile(join(root, '/etc/rc.conf'), 'utf8'), /kleened_enable="YES"/, 'rc.conf edited where sysrc would');
  t.match(await fsp.readFile(join(root, '/etc/rc.conf.d/kleene_containers'), 'utf8'), /kleene_containers_enable="YES"/);
  t.notSame(await snapshot(root), before);
  const u = await uninstall(root);
  t.equal(u.code, 0);
  t.same(await snapshot(root), before, 'paths, modes, owners and checksums as before install');
  t.equal(await fsp.readFile(join(root, '/etc/rc.conf'), 'utf8'), RC_CONF);
});

t.test("keeps the port's rc.d/kleened outside every rc.d directory and puts it back on uninstall", async (t) => {
  const root = await hostWithPort();
  await install(root);
  const m = (await readManifest(join(root, MANIFEST_PATH)))!;
  const entry = m.files.find((f) => f.path === '/usr/local/etc/rc.d/kleened')!;
  t.ok(entry.original, 'original recorded');
  t.ok(entry.original!.backup.startsWith(`${ORIG_DIR}/`), 'kept under the state directory');
  t.notMatch(entry.original!.backup, /\/rc\.d\//, 'not inside any rc.d directory (rc(8) would run it)');
  t.equal(await fsp.readFile(join(root, entry.original!.backup), 'utf8'), PORT_SCRIPT);
  t.same((await fsp.readdir(join(root, '/usr/local/etc/rc.d'))).sort(), ['kleene_containers', 'kleened'], 'no copy left in rc.d');
  t.notMatch(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), PORT_SCRIPT);
  await uninstall(root);
  t.equal(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), PORT_SCRIPT, 'port script back');
  t.equal((await fsp.stat(join(root, '/usr/local/etc/rc.d/kleened'))).mode & 0o7777, 0o555, 'with its mode');
});

t.test('uninstall refuses a file changed since install, naming it, and removes it with --force', async (t) => {
  const root = await hostWithPort();
  await install(root);
  const hook = join(root, '/usr/local/libexec/kleene-boot/hook.js');
  await fsp.chmod(hook, 0o644);
  await fsp.appendFile(hook, '\n// local change\n');
  const before = await snapshot(root);
  await t.rejects(uninstall(root), { code: 'changed-since-install', message: new RegExp(hook.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  t.same(await snapshot(root), before, 'nothing removed when refusing');
  const u = await uninstall(root, { force: true });
  t.equal(u.code, 0);
  await t.rejects(fsp.lstat(hook), { code: 'ENOENT' });
  t.equal(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), PORT_SCRIPT);
});

t.test("install refuses a script a package upgrade put back; --force keeps that script as the original", async (t) => {
  const root = await hostWithPort();
  await install(root);
  const upgraded = PORT_SCRIPT.replace('load_rc_config', '# 0.1.0-rc.6\nload_rc_config');
  await put(root, '/usr/local/etc/rc.d/kleened', upgraded, 0o555);
  await t.rejects(install(root), { code: 'changed-since-install', message: /rc\.d\/kleened/ });
  t.equal(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), upgraded, 'left alone');
  const r = await install(root, { force: true });
  t.equal(r.code, 0);
  t.match(r.text, /kept the original/);
  t.notMatch(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), /0\.1\.0-rc\.6/);
  t.match((await install(root)).text, /nothing to do/, 'settled');
  await uninstall(root);
  t.equal(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleened'), 'utf8'), upgraded, 'the upgraded port script comes back');
});

t.test('uninstall sets back only the recorded variables when an rc.conf file was edited after install', async (t) => {
  const root = await hostWithPort();
  await install(root, { enable: true });
  await fsp.appendFile(join(root, '/etc/rc.conf'), 'sshd_enable="YES"\n');
  await fsp.appendFile(join(root, '/etc/rc.conf.d/kleene_containers'), 'kleene_containers_list="web"\n');
  await uninstall(root);
  t.equal(await fsp.readFile(join(root, '/etc/rc.conf'), 'utf8'), RC_CONF + 'sshd_enable="YES"\n',
    'previous value set back, the later edit kept');
  t.equal(await fsp.readFile(join(root, '/etc/rc.conf.d/kleene_containers'), 'utf8'), 'kleene_containers_list="web"\n', 'variable that was unset is unset again');
});

t.test('refuses to write through a symlink at a target or a directory link out of the root', async (t) => {
  const root = await hostWithPort();
  const outside = await stagingRoot('kb-outside-');
  await put(outside, '/victim', 'keep me\n');
  await fsp.mkdir(join(root, '/usr/local/bin'), { recursive: true });
  await fsp.symlink(join(outside, '/victim'), join(root, '/usr/local/bin/kleene-boot'));
  await t.rejects(install(root), { code: 'ESYMLINK' });
  t.equal(await fsp.readFile(join(outside, '/victim'), 'utf8'), 'keep me\n');
  await fsp.unlink(join(root, '/usr/local/bin/kleene-boot'));
  await fsp.mkdir(join(root, '/usr/local/share'), { recursive: true });
  await fsp.symlink(outside, join(root, '/usr/local/share/man'));
  await t.rejects(install(root), { code: 'path-escapes-root' });
  t.same(await fsp.readdir(outside), ['victim'], 'nothing written outside the root');
});

t.test('refuses a prefix other than the installed one', async (t) => {
  const root = await hostWithPort();
  await install(root);
  await t.rejects(runInstall({ root, prefix: '/opt/local', node: NODE }, { out: () => {} }), { code: 'prefix-mismatch' });
});

t.test('uninstall without a manifest says nothing to do and touches nothing', async (t) => {
  const root = await hostWithPort();
  const before = await snapshot(root);
  const u = await uninstall(root);
  t.equal(u.code, 0);
  t.match(u.text, /nothing to do/);
  t.same(await snapshot(root), before);
});

t.test("the port's pkg-plist lists what install writes, except the script kleene-daemon owns", async (t) => {
  const root = await stagingRoot();
  await install(root);
  const plist = (await fsp.readFile(join(REPO, 'packaging/freebsd/sysutils/kleene-boot/pkg-plist'), 'utf8')).split('\n').filter(Boolean);
  const m = (await readManifest(join(root, MANIFEST_PATH)))!;
  const written = m.files.map((f) => f.path.replace(/^\/usr\/local\//, '')).filter((p) => p !== 'etc/rc.d/kleened').sort();
  t.same(plist.slice().sort(), written);
  // The package ships the trigger and the periodic script too: pkg installs and removes them.
  t.ok(plist.includes('share/pkg/triggers/kleene-boot.ucl'), 'the pkg trigger');
  t.ok(plist.includes('etc/periodic/daily/460.kleene-boot'), 'the periodic daily script');
});

t.test('a re-install without --prefix or --node keeps the ones chosen at install', async (t) => {
  const root = await hostWithPort();
  await runInstall({ root, node: '/opt/node22/bin/node' }, { out: () => {} });
  const c = collector();
  t.equal(await runInstall({ root }, { out: c.out }), 0);
  t.match(c.text(), /nothing to do/);
  t.match(await fsp.readFile(join(root, '/usr/local/etc/rc.d/kleene_containers'), 'utf8'), '/opt/node22/bin/node');
  const r = await install(root);
  t.match(r.text, /replaced .*rc\.d\/kleene_containers/, 'an explicit --node changes it');
  t.equal((await readManifest(join(root, MANIFEST_PATH)))!.node, NODE);
});
