// ansible-lint (Debian's 6.13, installed by scripts/test-deps.sh) on the role and the example
// playbook, with the strictest profile, offline. Mutation tried: `ansible.builtin.command` ->
// `command` in tasks/apply.yml fails it (fqcn), as does a copy task without `mode`.
import t from 'tap';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../contrib/ansible/', import.meta.url));

t.test('ansible-lint passes the production profile on the role and site.yml', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kb-ansible-lint-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const r = await execa('ansible-lint', ['--offline', '--nocolor', '--profile', 'production', 'site.yml', 'roles/kleene_boot'], {
    cwd: DIR, reject: false, all: true, env: { ANSIBLE_HOME: join(home, '.ansible'), XDG_CACHE_HOME: join(home, '.cache') },
  });
  t.equal(r.exitCode, 0, String(r.all));
  t.match(String(r.all), /Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
});
