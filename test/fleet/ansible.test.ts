// The Ansible role (contrib/ansible) run for real: ansible-playbook on site.yml against
// localhost (connection local), each inventory host a temporary staging root. Several hosts
// share one run (Ansible runs them side by side), since each ansible-playbook costs seconds.
// sh is the oracle for what the files say; every other byte of the root is compared as bytes.
// Mutations tried (each failed the named assertions, then was restored):
// - tasks/apply.yml: dropped `+ (['--check'] if ansible_check_mode else [])`
//   -> "check mode leaves every file byte-identical", "check mode reports what would change, where"
// - tasks/install.yml: `changed_when: true` on the install task
//   -> "a second run on the same declaration reports changed=0", "check mode reports ..., where"
// - tasks/apply.yml: changed_when without `(… | from_json).changed`
//   -> "a second run on the same declaration reports changed=0", "check mode reports ..., where"
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shReads } from './sh-reads.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SITE = join(REPO, 'contrib/ansible/site.yml');
const NODE = process.execPath;

// ansible-playbook is slow on a loaded machine (a python process per task, three runs: about
// 40 s of CPU): allow more than the suite's 120 s for this file. Nothing here waits on a timer.
t.setTimeout(600_000);

const tmp = mkdtempSync(join(tmpdir(), 'kb-ansible-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

/** A release tarball as install.sh expects one: one top directory, no package.json (so no npm build). */
async function makeRelease(): Promise<string> {
  const top = join(tmp, 'release', 'kleene-boot-test');
  mkdirSync(join(top, 'dist'), { recursive: true });
  for (const f of ['install.sh', 'kleene-boot.8', 'dist/cli.js', 'dist/hook.js', 'dist/package.json']) {
    writeFileSync(join(top, f), readFileSync(join(REPO, f)), { mode: f.endsWith('.sh') ? 0o755 : 0o644 });
  }
  await execa('cp', ['-R', join(REPO, 'templates'), join(top, 'templates')]);
  const tarball = join(tmp, 'kleene-boot-test.tar.gz');
  await execa('tar', ['-czf', tarball, '-C', join(tmp, 'release'), 'kleene-boot-test']);
  return tarball;
}

/** Inventory: every host in group `kleene`, run locally, its variables in host_vars/NAME.json. */
function writeInventory(hosts: Record<string, Record<string, unknown>>): string {
  const dir = join(tmp, 'inventory');
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'hosts'), `[kleene]\n${Object.keys(hosts).map((h) => `${h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3`).join('\n')}\n`);
  for (const [h, vars] of Object.entries(hosts)) writeFileSync(join(dir, 'host_vars', `${h}.json`), JSON.stringify(vars, null, 1));
  return join(dir, 'hosts');
}

interface Recap { ok: number; changed: number; failed: number }

async function playbook(inventory: string, ...args: string[]): Promise<{ code: number; out: string; recap: Map<string, Recap> }> {
  const r = await execa('ansible-playbook', ['-i', inventory, SITE, ...args], {
    reject: false,
    cwd: tmp,
    all: true,
    env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_PIPELINING: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', ANSIBLE_LOCAL_TEMP: join(tmp, '.ansible-tmp'),
      ANSIBLE_REMOTE_TEMP: join(tmp, '.ansible-tmp'), ANSIBLE_HOME: join(tmp, '.ansible'), ANSIBLE_DEPRECATION_WARNINGS: 'false' },
  });
  const out = String(r.all ?? '');
  const recap = new Map<string, Recap>();
  for (const m of out.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/gm)) {
    recap.set(m[1]!, { ok: Number(m[2]), changed: Number(m[3]), failed: Number(m[4]) });
  }
  return { code: r.exitCode ?? -1, out, recap };
}

/** Every file and symlink under dir: relative path -> mode and bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.set(`${p.slice(dir.length)}/`, st.mode.toString(8));
        walk(p);
      } else out.set(p.slice(dir.length), `${st.mode.toString(8)} ${st.isSymbolicLink() ? 'link' : readFileSync(p, 'base64')}`);
    }
  };
  walk(dir);
  return out;
}

/** A root where kleene-boot's CLI is already in place (the bad declarations need nothing else). */
function rootWithCli(name: string, rcConf: string): string {
  const root = join(tmp, name);
  mkdirSync(join(root, 'usr/local/libexec/kleene-boot'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  symlinkSync(join(REPO, 'dist/cli.js'), join(root, 'usr/local/libexec/kleene-boot/cli.js'));
  writeFileSync(join(root, 'etc/rc.conf'), rcConf);
  return root;
}

// A ready command with every kind of quoting trouble; `{{` is Jinja's and stays out.
const HOSTILE = `exec:sh -c 'test "$(id -u)" = 0 && echo "a  b" > /dev/null' ; echo \`hostname\` $HOME \\ "it's"`;

/** t.ok that prints the play's output only when it fails. */
function okOr(t: Test, cond: boolean, msg: string, out: string): void {
  if (!t.ok(cond, msg)) t.comment(out);
}

t.test('the role converges hosts, then does nothing; check mode changes nothing; undeclared containers go', async (t) => {
  const tarball = await makeRelease();
  // fresh: installed from the tarball by the role. shrink: kleene-boot already there, no source;
  // it loses a container later. bad: an invalid name and a dependency cycle, which rc apply
  // refuses (both reported at once).
  const root = join(tmp, 'fresh');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/rc.conf'), 'hostname="fresh" # not ours\nkleene_containers_stale_ready=started\n');
  const shrink = rootWithCli('shrink', 'hostname="shrink"\n');
  const bad = rootWithCli('bad', 'hostname="bad"\nkleene_containers_list="keep"\n');
  const declared = [
    { name: 'db', priority: 10, ready: 'tcp:10.13.37.2:5432' },
    { name: 'web.example-1', depend: ['db'], ready: HOSTILE },
    { name: 'cache', priority: 20 },
  ];
  const shrunk = declared.filter((c) => c.name !== 'cache').map((c) => (c.name === 'db' ? { ...c, priority: 5 } : c));
  const settings = { jobs: 8, background: true };
  const host = (r: string, containers: unknown[], more: Record<string, unknown> = {}) => ({
    kleene_boot_root: r, kleene_boot_node: NODE, kleene_boot_containers: containers, kleene_boot_settings: settings, ...more,
  });
  const fresh = host(root, declared, { kleene_boot_source: tarball, kleene_boot_work_dir: join(tmp, 'work') });
  const inventory = writeInventory({
    fresh,
    shrink: host(shrink, declared),
    bad: host(bad, [{ name: 'aa', depend: ['bb'] }, { name: 'no such name!' }, { name: 'bb', depend: 'aa' }]),
  });
  const badBefore = snapshot(bad);

  // Run 1: every host.
  const first = await playbook(inventory);
  t.equal(first.code, 2, 'the play fails (for the bad host)');
  for (const h of ['fresh', 'shrink']) {
    okOr(t, (first.recap.get(h)?.changed ?? 0) > 0 && first.recap.get(h)?.failed === 0, `the first run changes ${h}`, first.out);
  }
  const v = await shReads(root);
  t.equal(v.get('kleened_enable'), 'YES');
  t.equal(v.get('kleene_containers_enable'), 'YES');
  t.equal(v.get('kleene_containers_list'), 'db web.example-1 cache');
  t.equal(v.get('kleene_containers_db_priority'), '10');
  t.equal(v.get('kleene_containers_db_ready'), 'tcp:10.13.37.2:5432');
  t.equal(v.get('kleene_containers_web_example_1_depend'), 'db');
  t.equal(v.get('kleene_containers_web_example_1_ready'), HOSTILE, 'the hostile ready command round-trips exactly');
  t.equal(v.get('kleene_containers_cache_priority'), '20');
  t.equal(v.get('kleene_containers_jobs'), '8');
  t.equal(v.get('kleene_containers_background'), 'YES');
  t.equal(v.get('kleene_containers_stale_ready'), undefined, 'an undeclared kleene_containers_* variable is removed');
  t.match(readFileSync(join(root, 'etc/rc.conf'), 'utf8'), /^hostname="fresh" # not ours\n/);
  t.ok(lstatSync(join(root, 'usr/local/etc/rc.d/kleene_containers')).isFile(), 'kleene-boot was installed into the root');
  t.same(await shReads(shrink), v, 'shrink says the same');

  t.equal(first.recap.get('bad')?.failed, 1);
  const fatal = /^fatal: \[bad\].*$/m.exec(first.out)?.[0] ?? '';
  okOr(t, /"stderr": "kleene-boot: -: 2 problems:/.test(fatal), "the bad host fails with kleene-boot's message", first.out);
  okOr(t, /containers\[1\]\.name: 'no such name!' is not a container name or id/.test(fatal), 'naming the invalid name', first.out);
  okOr(t, /containers\[0\] \(aa\)\.depend: dependency cycle: aa -> bb -> aa/.test(fatal), 'and the cycle', first.out);
  t.same(snapshot(bad), badBefore, 'a bad declaration changes no file');

  // Run 2, check mode with diff: shrink would lose cache and change db's priority; a new host
  // would get kleene-boot and its containers; nothing is written anywhere.
  const newRoot = join(tmp, 'new');
  mkdirSync(join(newRoot, 'etc'), { recursive: true });
  writeFileSync(join(newRoot, 'etc/rc.conf'), 'hostname="new"\n');
  writeInventory({ fresh, shrink: host(shrink, shrunk),
    new: host(newRoot, declared, { kleene_boot_source: tarball, kleene_boot_work_dir: join(tmp, 'work-new') }) });
  const before = [snapshot(root), snapshot(shrink), snapshot(join(tmp, 'work')), snapshot(newRoot)];
  const check = await playbook(inventory, '--check', '--diff');
  t.equal(check.code, 0, 'the check run succeeds');
  okOr(t, check.recap.get('shrink')?.changed === 1 && check.recap.get('fresh')?.changed === 0 && (check.recap.get('new')?.changed ?? 0) > 0,
    'check mode reports what would change, where', check.out);
  okOr(t, /"-kleene_containers_cache_priority=.*20.*"/.test(check.out), 'diff mode shows the rc.conf diff', check.out);
  t.same([snapshot(root), snapshot(shrink), snapshot(join(tmp, 'work')), snapshot(newRoot)], before, 'check mode leaves every file byte-identical');
  t.notOk(existsSync(join(tmp, 'work-new')), 'check mode copies no tarball to a new host');

  // Run 3: fresh is already as declared; shrink loses cache.
  const apply = await playbook(inventory);
  t.equal(apply.code, 0, 'the third run succeeds');
  okOr(t, apply.recap.get('fresh')?.changed === 0, 'a second run on the same declaration reports changed=0', apply.out);
  okOr(t, (apply.recap.get('shrink')?.changed ?? 0) > 0, 'the changed declaration is applied', apply.out);
  const w = await shReads(shrink);
  t.equal(w.get('kleene_containers_list'), 'db web.example-1');
  t.equal(w.get('kleene_containers_cache_priority'), undefined, 'the removed container is gone from rc.conf');
  t.equal(w.get('kleene_containers_db_priority'), '5');
  t.equal(w.get('kleene_containers_web_example_1_ready'), HOSTILE);
});
