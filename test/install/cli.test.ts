// install / uninstall / doctor through the built CLI (dist/cli.js): exit statuses and output
// shapes a script relies on.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { put, PORT_SCRIPT, snapshot, stagingRoot } from './tree.ts';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const NODE = '/usr/local/bin/node';
const kb = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

async function host(rcConf: string): Promise<string> {
  const root = await stagingRoot('kb-cli-');
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  await put(root, NODE, '#!/bin/sh\nexit 0\n', 0o755);
  await put(root, '/etc/rc.conf', rcConf);
  return root;
}

t.test('install, doctor and uninstall round trip with their exit statuses', async (t) => {
  const root = await host('zfs_enable="YES"\npf_enable="YES"\n');
  const before = await snapshot(root);
  const d0 = kb('doctor', '-R', root, '--json');
  t.equal(d0.status, 1, 'problems before install');
  const j0 = JSON.parse(d0.stdout) as { problems: number; findings: Array<{ id: string; fix?: string }> };
  t.ok(j0.findings.some((f) => f.id === 'not-installed' && f.fix === `kleene-boot install --root ${root}`));

  const i = kb('install', '--root', root, '--node', NODE, '--enable');
  t.equal(i.status, 0, i.stderr);
  const d1 = kb('doctor', '--root', root);
  t.equal(d1.status, 0, d1.stdout);
  t.match(d1.stdout, /no problems found/);
  t.match(d1.stdout, /containers not checked: kleened does not answer/);

  const u = kb('uninstall', '--root', root);
  t.equal(u.status, 0, u.stderr);
  t.same(await snapshot(root), before);
});

t.test('a refused uninstall exits 1 and names the changed file on stderr', async (t) => {
  const root = await host('');
  kb('install', '--root', root, '--node', NODE);
  await put(root, '/usr/local/bin/kleene-boot', '#!/bin/sh\necho mine\n', 0o755);
  const u = kb('uninstall', '--root', root);
  t.equal(u.status, 1);
  t.match(u.stderr, `kleene-boot: ${root}/usr/local/bin/kleene-boot: refusing to remove files changed since install`);
  t.match(u.stderr, /hint: .*--force/);
});

t.test('a bad --prefix or --node is a usage error (exit 2) and writes nothing', async (t) => {
  const root = await host('');
  const before = await snapshot(root);
  const r = kb('install', '--root', root, '--node', '/usr/bin/$(touch /tmp/pwned)');
  t.equal(r.status, 2);
  t.match(r.stderr, /--node/);
  t.same(await snapshot(root), before);
});
