// `kleene-boot generate` end to end through the built CLI (npm test builds dist/ first).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'dist/cli.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'kb-gen-'));

t.test('writes both scripts 0555 and the hook bundle 0444 under root/prefix', async (t) => {
  const root = tmp();
  const r = run(['generate', '--root', root, '--prefix', '/usr/local', '--node', '/usr/bin/node']);
  t.equal(r.code, 0, r.stderr);
  for (const s of ['kleened', 'kleene_containers']) {
    const p = join(root, 'usr/local/etc/rc.d', s);
    t.equal(statSync(p).mode & 0o7777, 0o555, `${s} mode`);
    t.match(readFileSync(p, 'utf8'), /: \$\{kleene(d|_containers)_node:='\/usr\/bin\/node'\}/);
  }
  const hook = join(root, 'usr/local/libexec/kleene-boot/hook.js');
  t.equal(statSync(hook).mode & 0o7777, 0o444);
  t.same(readFileSync(hook), readFileSync(join(repo, 'dist/hook.js')), 'the hook is the bundle');
  t.match(r.stdout, /usr\/local\/etc\/rc\.d\/kleened\n/);
});

t.test('--stdout prints the scripts and writes nothing', async (t) => {
  const root = tmp();
  const r = run(['generate', '--root', root, '--stdout']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^---\/usr\/local\/etc\/rc\.d\/kleened---\n#!\/bin\/sh\n/);
  t.match(r.stdout, /---\/usr\/local\/etc\/rc\.d\/kleene_containers---\n/);
  t.notOk(existsSync(join(root, 'usr')));
});

t.test('--diff exits 0 when nothing would change and 1 with a diff when something would', async (t) => {
  const root = tmp();
  t.equal(run(['generate', '--root', root, '--node', '/usr/bin/node']).code, 0);
  const same = run(['generate', '--root', root, '--node', '/usr/bin/node', '--diff']);
  t.equal(same.code, 0);
  t.equal(same.stdout, '');
  const before = readFileSync(join(root, 'usr/local/etc/rc.d/kleened'));
  const changed = run(['generate', '--root', root, '--node', '/opt/node/bin/node', '--diff']);
  t.equal(changed.code, 1);
  t.match(changed.stdout, /^-: \$\{kleened_node:='\/usr\/bin\/node'\}$/m);
  t.match(changed.stdout, /^\+: \$\{kleened_node:='\/opt\/node\/bin\/node'\}$/m);
  t.same(readFileSync(join(root, 'usr/local/etc/rc.d/kleened')), before, 'nothing written');
  const fresh = run(['generate', '--root', tmp(), '--diff']);
  t.equal(fresh.code, 1, 'missing files are a change');
  t.match(fresh.stdout, /--- \/dev\/null/);
});

t.test('never writes through a symlink at a target', async (t) => {
  const root = tmp();
  mkdirSync(join(root, 'usr/local/etc/rc.d'), { recursive: true });
  const victim = join(root, 'victim');
  writeFileSync(victim, 'keep me\n');
  symlinkSync(victim, join(root, 'usr/local/etc/rc.d/kleened'));
  const r = run(['generate', '--root', root]);
  t.not(r.code, 0);
  t.match(r.stderr, /rc\.d\/kleened: refusing to write through a symbolic link/);
  t.equal(readFileSync(victim, 'utf8'), 'keep me\n');
  t.ok(lstatSync(join(root, 'usr/local/etc/rc.d/kleened')).isSymbolicLink());
});

const canary = join(tmp(), 'pwned');
const hostile = [
  `/usr/$(touch ${canary})`,
  `/usr/\`touch ${canary}\``,
  "/usr/lo'cal",
  '/usr/lo"cal',
  '/usr/local;touch /tmp/x',
  '/usr/lo\ncal',
  'usr/local',
  '/usr/../etc',
  '',
];
for (const option of ['prefix', 'node', 'root']) {
  for (const value of hostile) {
    t.test(`--${option} ${JSON.stringify(value)} is refused naming the option`, async (t) => {
      const root = tmp();
      const args = ['generate', '--root', root, `--${option}`, value];
      const r = run(args);
      t.equal(r.code, 2, r.stderr);
      t.match(r.stderr, new RegExp(`^kleene-boot: --${option}: `));
      t.match(r.stderr, /hint: /);
      t.notOk(existsSync(join(root, 'usr')), 'nothing written');
      t.notOk(existsSync(canary), 'nothing executed');
    });
  }
}
