// A file that exists and cannot be read is an error, never an empty file: the built CLI run as
// `nobody` on a staged root whose rc.conf (or fragment, or config.yaml) is mode 000 fails every
// command with exit 1 and "cannot read FILE: permission denied", and changes nothing.
import t from 'tap';
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const RC = 'zfs_enable="YES"\nhostname="box"\nkleened_enable="YES"\n';

/** A root nobody can walk into, with `files` (host path → text, mode). */
function stage(t: Test, files: Record<string, [string, number]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-unreadable-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  for (const [p, [text, mode]] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, text);
    chmodSync(full, mode);
  }
  return dir;
}

function asNobody(...argv: string[]): { code: number; stdout: string; stderr: string } {
  // env -i: the test runner adds NODE_OPTIONS to every child, and nobody cannot write its files.
  const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
    process.execPath, CLI, ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const DEFAULTS = 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\nlocal_startup="/usr/local/etc/rc.d"\nzfs_enable="NO"\nhostname=""\n';

const COMMANDS: [string, string[]][] = [
  ['rc get', ['rc', 'get', 'zfs_enable']],
  ['rc get -F', ['rc', 'get', '-F', 'zfs_enable']],
  ['rc get -f', ['rc', 'get', '-f', '/etc/rc.conf', 'hostname']],
  ['rc show', ['rc', 'show']],
  ['rc lint', ['rc', 'lint']],
  ['doctor', ['doctor']],
  ['rc set -f', ['rc', 'set', '-f', '/etc/rc.conf', 'foo_flags=x']],
  ['plan', ['plan']],
];

for (const [what, argv] of COMMANDS) {
  t.test(`${what}: an unreadable /etc/rc.conf fails with the file named, and nothing changes`, async (t) => {
    // Mutation: dropping the unreadable checks (static-eval.ts loadStatic src(): `if (kind !== 'file') return` first)
    // made rc get -F answer zfs_enable from /etc/defaults/rc.conf with exit 0.
    const root = stage(t, { '/etc/defaults/rc.conf': [DEFAULTS, 0o644], '/etc/rc.conf': [RC, 0o000] });
    const r = asNobody(...argv, '-R', root);
    t.equal(r.code, 1, `exit 1 (${r.stderr})`);
    t.match(r.stdout + r.stderr, /cannot read \/etc\/rc\.conf: permission denied/);
    t.notMatch(r.stdout + r.stderr, /EACCES|unknown variable|0 errors|zfs_enable is not set/);
    if (what !== 'doctor') t.equal(r.stdout, '', 'nothing on stdout');
    t.equal(readFileSync(join(root, 'etc/rc.conf'), 'utf8'), RC, 'rc.conf unchanged');
  });
}

t.test('an unreadable rc.conf.d fragment and an unreadable rc.conf.d directory are errors too', async (t) => {
  const root = stage(t, {
    '/etc/defaults/rc.conf': [DEFAULTS, 0o644], '/etc/rc.conf': [RC, 0o644],
    '/etc/rc.conf.d/kleene_containers': ['kleene_containers_list="web"\n', 0o000],
    '/usr/local/etc/rc.conf.d/kleened/10-a': ['kleened_socket=/x\n', 0o644],
  });
  let r = asNobody('rc', 'get', 'kleene_containers_list', '-R', root);
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot read \/etc\/rc\.conf\.d\/kleene_containers: permission denied/);
  chmodSync(join(root, 'usr/local/etc/rc.conf.d/kleened'), 0o000);
  r = asNobody('rc', 'get', 'kleened_socket', '-R', root);
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot read \/usr\/local\/etc\/rc\.conf\.d\/kleened: permission denied/);
  chmodSync(join(root, 'usr/local/etc/rc.conf.d/kleened'), 0o755);
});

t.test('rc set -f of an unreadable file rc(8) does not read names that file, not its lock', async (t) => {
  // Mutation: dropping the read check before locking (editor.ts applyEdits) reported
  // "cannot write /etc: permission denied" for the lock instead.
  const root = stage(t, { '/etc/defaults/rc.conf': [DEFAULTS, 0o644], '/etc/rc.conf': [RC, 0o644], '/etc/other.conf': ['a=1\n', 0o000] });
  const r = asNobody('rc', 'set', '-f', '/etc/other.conf', 'a=2', '-R', root);
  t.equal(r.code, 1);
  t.match(r.stderr, /^kleene-boot: cannot read \/etc\/other\.conf: permission denied$/m);
  t.notMatch(r.stderr, /EACCES|lock/);
  t.equal(readFileSync(join(root, 'etc/other.conf'), 'utf8'), 'a=1\n');
});

t.test('rc set of a readable file whose directory nobody can write names the directory, not a raw EACCES', async (t) => {
  const root = stage(t, { '/etc/defaults/rc.conf': [DEFAULTS, 0o644], '/etc/rc.conf': [RC, 0o644] });
  const r = asNobody('rc', 'set', '-f', '/etc/rc.conf', 'hostname=other', '-R', root);
  t.equal(r.code, 1);
  t.match(r.stderr, /^kleene-boot: \/etc\/rc\.conf: cannot write \/etc: permission denied \(the edit of \/etc\/rc\.conf needs its lock file there\)$/m);
  t.notMatch(r.stderr, /EACCES/);
  t.equal(readFileSync(join(root, 'etc/rc.conf'), 'utf8'), RC);
});

t.test("without -R, this host's sh reads the file and an unreadable one is still an error", async (t) => {
  // rc get -f FILE without -R is read by /bin/sh (the driver's __kb_src); the file is this test's own.
  const dir = stage(t, { '/my.conf': ['hostname="box"\n', 0o000] });
  const r = asNobody('rc', 'get', '-f', join(dir, 'my.conf'), 'hostname');
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, new RegExp(`^kleene-boot: cannot read ${join(dir, 'my.conf')}: permission denied$`, 'm'));
});

t.test("an unreadable config.yaml fails plan and doctor, naming it (kleened's default address is not guessed)", async (t) => {
  const root = stage(t, {
    '/etc/defaults/rc.conf': [DEFAULTS, 0o644], '/etc/rc.conf': ['kleene_containers_list="web"\n', 0o644],
    '/usr/local/etc/kleened/config.yaml': ['api_listening_sockets: []\n', 0o000],
  });
  const p = asNobody('plan', '-R', root);
  t.equal(p.code, 1);
  t.match(p.stdout + p.stderr, /^kleened cannot be asked: cannot read \/usr\/local\/etc\/kleened\/config\.yaml: permission denied$/m);
  t.notMatch(p.stdout + p.stderr, /using \/var\/run\/kleened\.sock/);
  const d = asNobody('doctor', '-R', root);
  t.equal(d.code, 1);
  t.match(d.stdout, /problem: cannot read \/usr\/local\/etc\/kleened\/config\.yaml: permission denied/);
});
