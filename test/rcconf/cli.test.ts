// sysrc-style step tests (as usr.sbin/sysrc/tests): after each CLI command, assert exact
// stdout, stderr, exit status and file contents.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, makeRoot, readHost } from './helpers.ts';

const RC = '/etc/rc.conf';
const FRAG_K = '/etc/rc.conf.d/kleened';
const FRAG_C = '/etc/rc.conf.d/kleene_containers';

interface Step { argv: string[]; code: number; stdout: string | RegExp; stderr?: string | RegExp; files?: Record<string, string | null> }

async function steps(t: Test, root: string, list: Step[]): Promise<void> {
  for (const s of list) {
    const r = await cli(...s.argv, '--root', root);
    const label = `kleene-boot ${s.argv.join(' ')}`;
    t.equal(r.code, s.code, `${label}: exit status`);
    if (typeof s.stdout === 'string') t.equal(r.stdout, s.stdout, `${label}: stdout`);
    else t.match(r.stdout, s.stdout, `${label}: stdout`);
    if (s.stderr !== undefined) {
      if (typeof s.stderr === 'string') t.equal(r.stderr, s.stderr, `${label}: stderr`);
      else t.match(r.stderr, s.stderr, `${label}: stderr`);
    }
    for (const [f, want] of Object.entries(s.files ?? {})) {
      if (want === null) t.notOk(existsSync(join(root, f)), `${label}: ${f} absent`);
      else t.equal(readHost(root, f), want, `${label}: ${f}`);
    }
  }
}

t.test('enable, set, add, remove, check, get and unset, step by step', async (t) => {
  const rc = '# rc.conf\nhostname="box"\nkleened_enable="NO" # off for now\n';
  const root = makeRoot(t, { [RC]: rc });
  await steps(t, root, [
    { argv: ['rc', 'get', 'kleened_enable'], code: 0, stdout: 'kleened_enable: NO\n', files: { [RC]: rc } },
    { argv: ['rc', 'get', '-F', 'kleened_enable'], code: 0, stdout: 'kleened_enable: /etc/rc.conf:3\n' },
    { argv: ['enable', 'kleened'], code: 0, stdout: 'kleened enabled in /etc/rc.conf\n',
      stderr: 'kleene-boot: note: kleened_enable is set at /etc/rc.conf:3, so it was changed there, not in /etc/rc.conf.d/kleened (the last assignment rc(8) reads wins, as with sysrc)\n',
      files: { [RC]: '# rc.conf\nhostname="box"\nkleened_enable="YES" # off for now\n', [FRAG_K]: null } },
    { argv: ['enable', 'all'], code: 0,
      stdout: `kleened already enabled in /etc/rc.conf\nkleene_containers enabled in ${FRAG_C}\n`,
      files: { [FRAG_C]: 'kleene_containers_enable="YES"\n' } },
    { argv: ['rc', 'set', 'kleene_containers_list+=web', 'kleene_containers_list+=db', 'kleene_containers_list+=web'], code: 0,
      stdout: `kleene_containers_list: (unset) -> web (${FRAG_C})\nkleene_containers_list: web -> web db (${FRAG_C})\nkleene_containers_list: unchanged (${FRAG_C})\n`,
      files: { [FRAG_C]: 'kleene_containers_enable="YES"\nkleene_containers_list="web db"\n' } },
    { argv: ['rc', 'check', 'kleene_containers_list=web db'], code: 0, stdout: '' },
    { argv: ['rc', 'check', '-v', 'kleene_containers_list-=web'], code: 1,
      stdout: `kleene_containers_list: would change from \`web db' to \`db' in ${FRAG_C}\n` },
    { argv: ['rc', 'set', 'kleene_containers_list-=web'], code: 0, stdout: `kleene_containers_list: web db -> db (${FRAG_C})\n`,
      files: { [FRAG_C]: 'kleene_containers_enable="YES"\nkleene_containers_list="db"\n' } },
    { argv: ['rc', 'set', 'kleene_containers_list-=nope'], code: 0, stdout: `kleene_containers_list: unchanged (${FRAG_C})\n` },
    { argv: ['rc', 'get', '-n', 'kleene_containers_list', 'kleened_enable'], code: 0, stdout: 'db\nYES\n' },
    { argv: ['rc', 'get', 'kleene_containers_list', 'no_such_var'], code: 1, stdout: 'kleene_containers_list: db\n',
      stderr: "kleene-boot: unknown variable 'no_such_var'\n" },
    { argv: ['rc', 'unset', 'kleene_containers_list'], code: 0,
      stdout: `kleene_containers_list: db -> (unset) (${FRAG_C}:2)\n`, files: { [FRAG_C]: 'kleene_containers_enable="YES"\n' } },
    { argv: ['disable', 'all'], code: 0,
      stdout: `kleened disabled in /etc/rc.conf\nkleene_containers disabled in ${FRAG_C}\n`,
      files: { [RC]: '# rc.conf\nhostname="box"\nkleened_enable="NO" # off for now\n', [FRAG_C]: 'kleene_containers_enable="NO"\n' } },
  ]);
});

t.test('-f, --dry-run and -s pick the file and preview the change', async (t) => {
  const root = makeRoot(t, { [RC]: 'hostname="box"\n' });
  await steps(t, root, [
    { argv: ['rc', 'set', '--dry-run', 'kleened_socket=/var/run/k.sock'], code: 0,
      stdout: '--- /dev/null\n+++ /etc/rc.conf.d/kleened\n@@ -0,0 +1 @@\n+kleened_socket="/var/run/k.sock"\n', files: { [FRAG_K]: null } },
    { argv: ['rc', 'set', '-f', RC, 'kleened_socket=/var/run/k.sock'], code: 0, stdout: 'kleened_socket: (unset) -> /var/run/k.sock (/etc/rc.conf)\n',
      files: { [RC]: 'hostname="box"\nkleened_socket="/var/run/k.sock"\n' } },
    { argv: ['rc', 'set', '-s', 'kleene_containers', 'kleened_socket=/other'], code: 0, stdout: 'kleened_socket: /var/run/k.sock -> /other (/etc/rc.conf)\n',
      files: { [RC]: 'hostname="box"\nkleened_socket="/other"\n' } },
    { argv: ['rc', 'set', '-f', '/etc/rc.conf.d/kleened', 'kleened_socket=/frag'], code: 0, stdout: 'kleened_socket: (unset) -> /frag (/etc/rc.conf.d/kleened)\n' },
    { argv: ['rc', 'set', '-f', RC, 'kleened_socket=/again'], code: 0, stdout: 'kleened_socket: /other -> /again (/etc/rc.conf)\n',
      stderr: /warning: kleened_socket is also set at \/etc\/rc\.conf\.d\/kleened:1, which rc\(8\) reads later; that value wins/ },
    { argv: ['rc', 'get', '-F', 'kleened_socket'], code: 0, stdout: 'kleened_socket: /etc/rc.conf.d/kleened:1\n' },
  ]);
});

t.test('bad input gets a clear error and exit status, and changes nothing', async (t) => {
  const rc = 'if [ -f /x ]; then\n\tkleened_enable="YES"\nfi\n';
  const root = makeRoot(t, { [RC]: rc });
  await steps(t, root, [
    { argv: ['rc', 'set', 'bad-name=1'], code: 2, stdout: '', stderr: /'bad-name' is not a valid sh variable name\n  hint: names start/ },
    { argv: ['rc', 'set', 'novalue'], code: 2, stdout: '', stderr: /'novalue' is not NAME=VALUE, NAME\+=ITEM or NAME-=ITEM/ },
    { argv: ['rc', 'set', '-f', RC, 'kleened_enable=NO'], code: 1, stdout: '',
      stderr: "kleene-boot: /etc/rc.conf:2: kleened_enable is set inside an if block (lines 1-3); kleene-boot does not rewrite inside sh constructs\n  hint: edit this file by hand, or move the assignment out of the block\n",
      files: { [RC]: rc } },
    { argv: ['enable', 'nginx'], code: 2, stdout: '', stderr: /Invalid values:[\s\S]*Given: "nginx", Choices: "kleened", "kleene_containers", "all"/ },
  ]);
});

t.test('rc show lists kleene-boot variables with their origin, as text and JSON', async (t) => {
  const root = makeRoot(t, { [RC]: 'kleened_enable="YES"\n', [FRAG_C]: 'kleene_containers_list="web"\nkleene_containers_web_ready="tcp:127.0.0.1:80"\n' });
  const r = await cli('rc', 'show', '--root', root);
  t.equal(r.code, 0);
  t.match(r.stdout, /^kleened_enable: YES {2}# \/etc\/rc\.conf:1$/m);
  t.match(r.stdout, /^kleene_containers_web_ready: tcp:127\.0\.0\.1:80 {2}# \/etc\/rc\.conf\.d\/kleene_containers:2$/m);
  t.match(r.stdout, /^kleene_containers_jobs: 4 {2}# default$/m);
  t.notMatch(r.stdout, /rc_conf_files/);
  const j = await cli('rc', 'show', '--json', '--root', root);
  const rows = JSON.parse(j.stdout) as { name: string; file?: string; line?: number; isDefault: boolean }[];
  t.match(rows.find((x) => x.name === 'kleene_containers_list'), { file: FRAG_C, line: 1, isDefault: false });
  const all = await cli('rc', 'show', '--all', '--root', root);
  t.match(all.stdout, /^rc_conf_files: /m);
});
