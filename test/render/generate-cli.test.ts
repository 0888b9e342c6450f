// `kleene-boot generate` end to end through the built CLI (npm test builds dist/ first). The
// hostile option values are each refused by the option checks before anything runs: those go
// through the CLI in-process (runCli, the same code the bundle runs), with one of them through
// the bundle as well.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as runInProcess } from '../rcconf/helpers.ts';

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
t.test('the bundle refuses a hostile --prefix naming the option, running nothing', async (t) => {
  const root = tmp();
  const r = run(['generate', '--root', root, '--prefix', hostile[0]!]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /^kleene-boot: --prefix: /);
  t.notOk(existsSync(join(root, 'usr')), 'nothing written');
  t.notOk(existsSync(canary), 'nothing executed');
});

for (const option of ['prefix', 'node', 'root']) {
  for (const value of hostile) {
    t.test(`--${option} ${JSON.stringify(value)} is refused naming the option`, async (t) => {
      const root = tmp();
      // -R once: a second --root is its own usage error.
      const args = option === 'root' ? ['generate', '--root', value] : ['generate', '--root', root, `--${option}`, value];
      const r = await runInProcess(...args);
      t.equal(r.code, 2, r.stderr);
      t.match(r.stderr, new RegExp(`^kleene-boot: --${option}: `));
      t.match(r.stderr, /hint: /);
      t.notOk(existsSync(join(root, 'usr')), 'nothing written');
      t.notOk(existsSync(canary), 'nothing executed');
    });
  }
}

t.test("refuses to replace an rc.d script kleene-boot did not generate, unless --force", async (t) => {
  const root = tmp();
  mkdirSync(join(root, 'usr/local/etc/rc.d'), { recursive: true });
  const port = '#!/bin/sh\n# PROVIDE: kleened\n# REQUIRE: LOGIN\n. /etc/rc.subr\n';
  writeFileSync(join(root, 'usr/local/etc/rc.d/kleened'), port);
  const r = run(['generate', '--root', root]);
  t.equal(r.code, 1);
  t.match(r.stderr, /rc\.d\/kleened: \/usr\/local\/etc\/rc\.d\/kleened was not generated by kleene-boot/);
  t.match(r.stderr, /hint: `kleene-boot install` replaces it and keeps it for uninstall/);
  t.equal(readFileSync(join(root, 'usr/local/etc/rc.d/kleened'), 'utf8'), port, 'the port\'s script is untouched');
  t.notOk(existsSync(join(root, 'usr/local/etc/rc.d/kleene_containers')), 'nothing else written either');
  const again = run(['generate', '--root', root]);
  t.equal(again.code, 1);
  const forced = run(['generate', '--root', root, '--force']);
  t.equal(forced.code, 0, forced.stderr);
  t.match(readFileSync(join(root, 'usr/local/etc/rc.d/kleened'), 'utf8'), /^# Generated by kleene-boot/m);
  t.equal(run(['generate', '--root', root]).code, 0, 'its own scripts are replaced without --force');
});

// On an installed host, generate and install share one owner model: the scripts stay
// kleene-boot's (the manifest records what generate wrote), and a hand-edited one is refused
// unless --force, exactly as install refuses it.
// Mutations tried: dropping the manifest update in generate.ts -> doctor calls both scripts
// "edited" and uninstall refuses; dropping refuseChangedSinceInstall in generate.ts -> the
// hand edit is silently overwritten.
t.test('generate on an installed host updates the manifest, and refuses a hand-edited script unless --force', async (t) => {
  const root = tmp();
  for (const n of ['node', 'node22']) {
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    writeFileSync(join(root, 'usr/local/bin', n), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  mkdirSync(join(root, 'etc'), { recursive: true });
  t.equal(run(['install', '--root', root, '--node', '/usr/local/bin/node']).code, 0);
  const scripts = ['kleened', 'kleene_containers'].map((s) => join(root, 'usr/local/etc/rc.d', s));
  t.match(readFileSync(scripts[1]!, 'utf8'), /^# Generated by kleene-boot; installed and updated by `kleene-boot install` \(or\n# `kleene-boot generate`\), which refuse to replace it once edited\./m,
    'the header says who owns the script');

  const g = run(['generate', '--root', root, '--node', '/usr/local/bin/node22']);
  t.equal(g.code, 0, g.stderr);
  t.match(g.stdout, /recorded them in .*\/var\/db\/kleene-boot\/manifest\.json\n$/);
  const manifest = JSON.parse(readFileSync(join(root, 'var/db/kleene-boot/manifest.json'), 'utf8')) as { node: string };
  t.equal(manifest.node, '/usr/local/bin/node22', 'the node the scripts now run is the one install keeps');
  const doctor = run(['doctor', '--root', root, '--json']);
  const ids = (JSON.parse(doctor.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id);
  t.same(ids.filter((i) => i.startsWith('script-')), [], `doctor: the scripts are kleene-boot's, not edited (${ids.join(', ')})`);
  t.equal(run(['generate', '--root', root, '--diff']).code, 0, 'generate --diff: the recorded node is the default, nothing would change');
  const dry = run(['uninstall', '--root', root, '--dry-run']);
  t.equal(dry.code, 0, `uninstall would remove them: ${dry.stderr}`);

  const edited = `${readFileSync(scripts[1]!, 'utf8')}# my local change\n`;
  writeFileSync(scripts[1]!, edited);
  const refused = run(['generate', '--root', root]);
  t.equal(refused.code, 1);
  t.equal(refused.stdout, '', 'nothing written');
  t.match(refused.stderr, /rc\.d\/kleene_containers: changed since kleene-boot installed it: .*rc\.d\/kleene_containers\n {2}hint: see 'kleene-boot generate --diff' for the edit; 'kleene-boot generate --force' replaces it/);
  t.equal(readFileSync(scripts[1]!, 'utf8'), edited, 'the hand edit is kept');
  t.equal(run(['install', '--root', root]).code, 1, 'install refuses it the same way');
  const forced = run(['generate', '--root', root, '--force']);
  t.equal(forced.code, 0, forced.stderr);
  t.notMatch(readFileSync(scripts[1]!, 'utf8'), /my local change/);
  const after = JSON.parse(run(['doctor', '--root', root, '--json']).stdout) as { findings: { id: string }[] };
  t.same(after.findings.map((f) => f.id).filter((i) => i.startsWith('script-')), [], 'after --force the script is kleene-boot\'s again');
  t.equal(run(['uninstall', '--root', root]).code, 0, 'uninstall removes what generate wrote');
  t.notOk(existsSync(scripts[0]!), 'rc.d/kleened removed');
});
