// `-R DIR` is a root: nothing of DIR's rc.conf runs on this host and every path it names is
// DIR's. With a /bin/sh under DIR (and root), the files are read by that sh inside chroot(8), as
// sysrc -R does; without, statically, with every line that needs a command reported. Each
// command that reads rc.conf (rc get, rc show, rc lint, doctor, plan) is driven through the CLI.
//
// The staged rc.conf runs `touch` on two markers: /MARKER (a root path) and HOST/host-marker,
// an absolute path of this test's own temp dir, outside the root. It includes HOST/inc.conf,
// which exists twice: on this machine (inc_var=host) and under the root (inc_var=root).
import t from 'tap';
import type { Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli } from './helpers.ts';
import { stageShell } from '../helpers/root-shell.ts';

interface World { host: string; root: string; hostMarker: string; rootMarker: string }

function world(t: Test, opts: { shell: boolean }): World {
  const host = mkdtempSync(join(tmpdir(), 'kb-root-eval-'));
  t.teardown(() => rmSync(host, { recursive: true, force: true }));
  const root = join(host, 'root');
  const put = (p: string, text: string) => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  put(join(host, 'inc.conf'), 'inc_var=host\n');
  put(join(root, host, 'inc.conf'), 'inc_var=root\n');
  put(join(root, 'etc/rc.conf'), [
    'kleene_containers_list="web"',
    'pwn_test="$(touch /MARKER)"',
    `pwn_host="$(touch ${host}/host-marker)"`,
    `. ${host}/inc.conf`,
    'shown="from-$inc_var"',
    '',
  ].join('\n'));
  if (opts.shell) stageShell(root, ['/usr/bin/touch']);
  return { host, root, hostMarker: join(host, 'host-marker'), rootMarker: join(root, 'MARKER') };
}

const COMMANDS: [string, string[]][] = [
  ['rc get', ['rc', 'get', 'inc_var', 'shown']],
  ['rc get -F', ['rc', 'get', '-F', 'shown']],
  ['rc get -f', ['rc', 'get', '-f', '/etc/rc.conf', 'inc_var']],
  ['rc show', ['rc', 'show', '--all']],
  ['rc lint', ['rc', 'lint']],
  ['doctor', ['doctor']],
  ['plan', ['plan']],
];

for (const [what, argv] of COMMANDS) {
  t.test(`${what} -R, root with a /bin/sh: the root's rc.conf runs inside chroot(8), never on this host`, async (t) => {
    // Mutation: chooseEvaluator returning 'host' (this host's sh, the old behaviour) -> the host
    // marker appears and inc_var reads 'host'.
    const w = world(t, { shell: true });
    const r = await cli(...argv, '-R', w.root);
    t.notOk(existsSync(w.hostMarker), `nothing was created on this host (${w.hostMarker})`);
    t.ok(existsSync(w.rootMarker), '$(touch /MARKER) ran inside the root');
    t.ok(existsSync(join(w.root, w.host, 'host-marker')), 'the absolute path it touched was the root\'s');
    if (what.startsWith('rc get') && what !== 'rc get -F') t.match(r.stdout, /inc_var: root\n/, 'the include was read under the root');
    if (what === 'rc get -F') t.equal(r.stdout, 'shown: /etc/rc.conf:5\n');
    if (what === 'rc get') t.match(r.stdout, /shown: from-root\n/);
    if (what === 'rc show') t.match(r.stdout, /^inc_var: root {2}# /m);
    t.notMatch(r.stderr, /not run/, 'read by sh: nothing reported');
  });

  t.test(`${what} -R, root without a /bin/sh: read statically, the command reported, never run`, async (t) => {
    // Mutation: dropping the `$(` check in static-eval.ts (Expander.dollar) stored the command
    // text as pwn_test's value, and no warning was printed.
    const w = world(t, { shell: false });
    const r = await cli(...argv, '-R', w.root);
    t.notOk(existsSync(w.hostMarker), 'nothing was created on this host');
    t.notOk(existsSync(w.rootMarker), 'nor under the root: nothing ran at all');
    if (what === 'rc lint') {
      t.match(r.stdout, /^\/etc\/rc\.conf:2: warning: not run: pwn_test's value needs a command substitution \$\(.+\) \[not-run\]$/m);
      t.match(r.stdout, /^\/etc\/rc\.conf:3: warning: not run: pwn_host's value/m);
    } else if (what === 'doctor') {
      t.match(r.stdout, /warning: \/etc\/rc\.conf:2: not run: pwn_test's value needs a command substitution/);
    } else {
      t.match(r.stderr, /^kleene-boot: warning: \/etc\/rc\.conf:2: not run: pwn_test's value needs a command substitution \$\(.+\)$/m);
      t.match(r.stderr, /^ {2}hint: with -R DIR, rc\.conf's commands run only inside chroot\(8\) DIR/m);
    }
    if (what === 'rc get' || what === 'rc get -f') t.match(r.stdout, /inc_var: root\n/, 'the include was read under the root');
    if (what === 'rc get') t.match(r.stdout, /shown: from-root\n/);
  });
}

t.test('a root whose /bin/sh cannot run here is read statically, saying why', async (t) => {
  // A FreeBSD root on Linux is the real case: its sh exists and cannot be executed here.
  const w = world(t, { shell: false });
  mkdirSync(join(w.root, 'bin'), { recursive: true });
  writeFileSync(join(w.root, 'bin/sh'), '#!/no/such/interpreter\n', { mode: 0o755 });
  const r = await cli('rc', 'get', 'inc_var', '-R', w.root);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'inc_var: root\n');
  t.match(r.stderr, new RegExp(`^kleene-boot: warning: cannot run ${w.root}/bin/sh in chroot\\(8\\) .*; read without running anything$`, 'm'));
  t.notOk(existsSync(w.hostMarker));
  t.notOk(existsSync(w.rootMarker));
});

t.test('a symlink in the root that points at an absolute path stays inside the root', async (t) => {
  const w = world(t, { shell: false });
  // DIR/etc/rc.conf.local -> /etc/real.local: the root's /etc/real.local, never this host's.
  writeFileSync(join(w.root, 'etc/real.local'), 'linked=root\n');
  symlinkSync('/etc/real.local', join(w.root, 'etc/rc.conf.local'));
  const r = await cli('rc', 'get', '-F', 'linked', '-R', w.root);
  t.equal(r.stdout, 'linked: /etc/rc.conf.local:1\n', r.stderr);
  t.equal(readFileSync(join(w.root, 'etc/real.local'), 'utf8'), 'linked=root\n');
});

