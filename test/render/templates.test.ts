// The templates: only the quoting helpers print values, every knob is documented, the output is
// valid sh for dash and shellcheck, and rc.d/ plus test/golden/ match what the templates render.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOBS } from '../../src/model/knobs.ts';
import { renderScript, SCRIPTS } from '../../src/render/render.ts';
import { validateGenerateOptions } from '../../src/render/options.ts';
import { compileShellTemplate } from '../../src/render/handlebars.ts';

const root = new URL('../../', import.meta.url).pathname;
const DEFAULTS = { prefix: '/usr/local', node: '/usr/local/bin/node' };

// Allowed mustaches: {{sh …}}, {{default "name" …}}, comments {{! …}}, block syntax
// {{#if}}/{{/if}}/{{else}}. Anything else prints a value unquoted.
const ALLOWED_MUSTACHE = /^\{\{(sh |default "|!|#(if|unless|each) |\/(if|unless|each)\}\}|else\}\})/;
/** The mustaches of a template source that print a value without the quoting helpers. */
function unquotedMustaches(src: string): string[] {
  const triple = src.match(/\{\{\{[^}]*\}\}\}/g) ?? [];
  const rest = src.replace(/\{\{\{[^}]*\}\}\}/g, '');
  return [...triple, ...(rest.match(/\{\{[^}]*\}\}/g) ?? []).filter((m) => !ALLOWED_MUSTACHE.test(m))];
}

t.test('templates print values only through sh and default', async (t) => {
  for (const s of SCRIPTS) {
    const src = readFileSync(join(root, 'templates', `${s}.hbs`), 'utf8');
    t.ok((src.match(/\{\{[^}]*\}\}/g) ?? []).length > 0, `${s}.hbs has mustaches`);
    t.same(unquotedMustaches(src), [], `${s}.hbs prints every value through sh or default`);
  }
});

t.test('the check finds a bare or triple-stash value put into the real templates', async (t) => {
  for (const s of SCRIPTS) {
    const src = readFileSync(join(root, 'templates', `${s}.hbs`), 'utf8');
    const bad = src.replace(/^(\. \/etc\/rc\.subr)$/m, '$1\nprog={{d.kleened_program}}\nraw={{{d.kleened_program}}}');
    t.not(bad, src, `${s}.hbs: injected`);
    t.same(unquotedMustaches(bad), ['{{{d.kleened_program}}}', '{{d.kleened_program}}'], `${s}.hbs: both found`);
  }
});

t.test('sh is the oracle: {{sh}} reads back exactly, a bare value would run code', async (t) => {
  // Why the check matters, shown by /bin/sh itself rather than by a copy of the rule.
  const hostile = `a'b "c" $(echo RAN) \`echo RAN\`; echo RAN\\ $HOME`;
  const quoted = compileShellTemplate('v={{sh x}}\nprintf %s "$v"\n', 'quoted')({ x: hostile });
  const q = spawnSync('/bin/sh', ['-c', quoted], { encoding: 'utf8', env: { HOME: '/home/x', PATH: '/usr/bin:/bin' } });
  t.equal(q.status, 0, q.stderr);
  t.equal(q.stdout, hostile, 'sh reads the quoted value back byte for byte');
  const bare = compileShellTemplate('v={{x}}\nprintf %s "$v"\n', 'bare')({ x: hostile });
  const b = spawnSync('/bin/sh', ['-c', bare], { encoding: 'utf8', env: { HOME: '/home/x', PATH: '/usr/bin:/bin' } });
  t.not(b.stdout, hostile, 'a bare value is not read back');
  t.match(b.stdout + b.stderr, /RAN|unterminated|Syntax error|EOF/, 'it runs code or breaks the script');
});

t.test('every rc.conf knob of a service is documented in its script header', async (t) => {
  for (const s of SCRIPTS) {
    const out = await renderScript(s, DEFAULTS);
    for (const k of KNOBS.filter((k) => k.service === s)) {
      t.ok(out.includes(`# ${k.name} (`), `${s} documents ${k.name}`);
    }
  }
});

t.test('rendered scripts keep the rc.d shape', async (t) => {
  const kleened = await renderScript('kleened', DEFAULTS);
  t.match(kleened, /^# PROVIDE: kleened\n# REQUIRE: LOGIN pf\n# BEFORE: securelevel\n# KEYWORD: shutdown nojail\n/m);
  const kc = await renderScript('kleene_containers', DEFAULTS);
  t.match(kc, /^# PROVIDE: kleene_containers\n# REQUIRE: kleened\n# BEFORE: securelevel\n# KEYWORD: shutdown nojail\n/m);
  for (const out of [kleened, kc]) {
    const lines = out.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    t.ok(at(/^\. \/etc\/rc\.subr$/) < at(/^name=/), 'rc.subr before name');
    t.ok(at(/^load_rc_config "\$\{name\}"$/) < at(/^: \$\{/), 'defaults after load_rc_config');
    t.ok(at(/^required_files=/) > at(/^load_rc_config "\$\{name\}"$/), 'required_files after load_rc_config');
    t.equal(lines.filter((l) => l !== '').at(-1), 'run_rc_command "$1"');
  }
});

t.test('generated scripts pass dash -n and shellcheck', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-tpl-'));
  for (const opts of [DEFAULTS, { prefix: '/opt/local', node: '/opt/node20/bin/node' }]) {
    for (const s of SCRIPTS) {
      const f = join(dir, s);
      writeFileSync(f, await renderScript(s, opts));
      t.equal(spawnSync('dash', ['-n', f]).status, 0, `dash -n ${s}`);
      const sc = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC1091,SC2034', f], { encoding: 'utf8' });
      t.equal(sc.status, 0, `shellcheck ${s}: ${sc.stdout}${sc.error ? String(sc.error) : ''}`);
    }
  }
});

t.test('rc.d/ holds the scripts rendered with the defaults (run `npm run golden` after a template change)', async (t) => {
  for (const s of SCRIPTS) {
    t.equal(readFileSync(join(root, 'rc.d', s), 'utf8'), await renderScript(s, DEFAULTS), `rc.d/${s} is current`);
  }
});

t.test('golden cases render as recorded', async (t) => {
  for (const c of readdirSync(join(root, 'test/golden'))) {
    const dir = join(root, 'test/golden', c);
    const opts = validateGenerateOptions(JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')));
    for (const s of SCRIPTS) {
      const want = readFileSync(join(dir, s), 'utf8');
      const got = await renderScript(s, opts);
      t.equal(got, want, `${c}/${s}`);
    }
  }
});

t.test('the defaults in a rendered script are what sh sees', async (t) => {
  const out = await renderScript('kleened', { prefix: '/opt/local', node: '/opt/n/bin/node' });
  const defaults = out.split('\n').filter((l) => l.startsWith(': ${kleened_')).join('\n');
  const env = execFileSync('dash', ['-c', `${defaults}\nprintf '%s|%s|%s' "$kleened_program" "$kleened_node" "$kleened_env"`]).toString();
  t.equal(env, '/opt/local/libexec/kleened/bin/kleened|/opt/n/bin/node|LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 PATH=/opt/local/libexec/kleened/bin:/sbin:/bin:/usr/sbin:/usr/bin:/opt/local/sbin:/opt/local/bin');
});
