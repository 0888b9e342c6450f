// install.sh: shellcheck-clean, refuses an old node with the right advice, and runs end to end
// from a copy of the checkout into a staging root (the README's main-job command). The copy
// shares node_modules with this checkout through a symlink; an npm stand-in refuses `npm ci`
// and `npm install` so the test can never reinstall the shared tree.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stagingRoot } from './tree.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

t.test('install.sh is shellcheck-clean as POSIX sh', { skip: which('shellcheck') ? false : 'shellcheck is not installed' }, async (t) => {
  const r = spawnSync('shellcheck', ['-s', 'sh', join(REPO, 'install.sh')], { encoding: 'utf8' });
  t.equal(r.stdout + r.stderr, '');
  t.equal(r.status, 0);
});

t.test('install.sh names the missing Node.js version and how to get it', async (t) => {
  const bin = await stagingRoot('kb-oldnode-');
  await fsp.writeFile(join(bin, 'node'), '#!/bin/sh\ncase "$1" in -p) echo 18 ;; --version) echo v18.19.0 ;; esac\n', { mode: 0o755 });
  const r = spawnSync('sh', [join(REPO, 'install.sh'), '--root', join(bin, 'root')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
  t.equal(r.status, 1);
  t.match(r.stderr, /Node\.js v18\.19\.0; kleene-boot needs 20 or newer/);
  t.match(r.stderr, /hint: .*Node\.js 20/);
  const empty = await stagingRoot('kb-nonode-');
  await fsp.symlink('/bin/sh', join(empty, 'sh'));
  const r2 = spawnSync('/bin/sh', [join(REPO, 'install.sh')], { encoding: 'utf8', env: { PATH: empty } });
  t.equal(r2.status, 1);
  t.match(r2.stderr, /node not found in PATH/);
});

t.test('install.sh rejects an unknown option with a usage status', async (t) => {
  const r = spawnSync('sh', [join(REPO, 'install.sh'), '--rot', '/tmp/x'], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /unknown option '--rot'/);
});

const NPM = which('npm');
t.test('install.sh from a checkout builds and installs into a staging root, then has nothing to do', { skip: NPM ? false : 'npm is not installed' }, async (t) => {
  const npm = NPM;
  const work = await stagingRoot('kb-installsh-');
  const checkout = join(work, 'checkout');
  await fsp.mkdir(checkout);
  for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'install.sh', 'kleene-boot.8', 'scripts', 'src', 'templates']) {
    await fsp.cp(join(REPO, p), join(checkout, p), { recursive: true, preserveTimestamps: true });
  }
  await fsp.symlink(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
  // Older than node_modules: install.sh must find the dependencies up to date.
  const old = new Date('2000-01-01T00:00:00Z');
  await fsp.utimes(join(checkout, 'package-lock.json'), old, old);
  await fsp.utimes(join(checkout, 'package.json'), old, old);
  const shim = join(work, 'bin');
  await fsp.mkdir(shim);
  await fsp.writeFile(join(shim, 'npm'), `#!/bin/sh\ncase "$1" in ci|install|i|add|update) echo "npm stand-in: refusing npm $1 in a test" >&2; exit 97 ;; esac\nexec '${npm}' "$@"\n`, { mode: 0o755 });
  const env = { ...process.env, PATH: `${shim}:${process.env.PATH}` };
  const root = join(work, 'kleene-demo');

  const r = spawnSync('sh', ['./install.sh', '--root', root], { cwd: checkout, encoding: 'utf8', env, timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stderr, /npm stand-in/, 'dependencies were found up to date');
  t.match(r.stderr, /building the bundles/);
  for (const p of ['/usr/local/etc/rc.d/kleened', '/usr/local/etc/rc.d/kleene_containers', '/usr/local/libexec/kleene-boot/hook.js',
    '/usr/local/libexec/kleene-boot/cli.js', '/usr/local/bin/kleene-boot', '/usr/local/share/man/man8/kleene-boot.8.gz', '/var/db/kleene-boot/manifest.json']) {
    t.match(r.stdout, `${root}${p}`, `prints ${p}`);
    t.ok((await fsp.stat(join(root, p))).isFile(), `${p} installed`);
  }
  t.ok(await fsp.stat(join(checkout, 'dist/cli.js')), 'built in the checkout');

  // The installed CLI runs on its own (templates and man page found beside it) and sees the install.
  const again = spawnSync(process.execPath, [join(root, '/usr/local/libexec/kleene-boot/cli.js'), 'install', '--root', root], { encoding: 'utf8' });
  t.equal(again.status, 0, again.stderr);
  t.match(again.stdout, /nothing to do/);
  const second = spawnSync('sh', ['./install.sh', '--root', root], { cwd: checkout, encoding: 'utf8', env, timeout: 120_000 });
  t.equal(second.status, 0, second.stderr);
  t.match(second.stdout, /nothing to do/);
});
