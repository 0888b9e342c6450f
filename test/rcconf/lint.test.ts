import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closestName, editDistance, findCycles, lintRc } from '../../src/rcconf/lint.ts';
import { cli, FIXTURES, fixture, makeRoot } from './helpers.ts';
import { stageShell } from '../helpers/root-shell.ts';

// Quadlet-style: each fixture's leading comments state the diagnostics it must produce,
// `# expect-error LINE CODE [text in message or hint]`, and nothing else may appear.
interface Expect { severity: string; line: number; code: string; text: string }

function expectations(text: string): Expect[] {
  const out: Expect[] = [];
  for (const l of text.split('\n')) {
    const m = /^# expect-(error|warning) (\d+) (\S+)(?: (.*?))?\r?$/.exec(l);
    if (m) out.push({ severity: m[1]!, line: Number(m[2]), code: m[3]!, text: m[4] ?? '' });
  }
  return out;
}

const fixtures = readdirSync(join(FIXTURES, 'lint')).sort();

for (const f of fixtures) {
  t.test(`lint fixture ${f} reports exactly its expected diagnostics`, async (t) => {
    const text = fixture(`lint/${f}`);
    const root = makeRoot(t, { '/etc/rc.conf': text });
    // Read by sh (in chroot), as on a host: the fixtures' blocks are evaluated, not reported.
    stageShell(root);
    const r = await lintRc({ root });
    const want = expectations(text);
    const got = r.diagnostics.map((d) => `${d.severity} ${d.file}:${d.line} ${d.code}`).sort();
    t.same(got, want.map((w) => `${w.severity} /etc/rc.conf:${w.line} ${w.code}`).sort(),
      `${f}\n${r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.severity}: ${d.message} [${d.code}] ${d.hint ?? ''}`).join('\n')}`);
    for (const w of want) {
      if (!w.text) continue;
      const d = r.diagnostics.find((x) => x.line === w.line && x.code === w.code && `${x.message} ${x.hint ?? ''}`.includes(w.text));
      t.ok(d, `${f}:${w.line} ${w.code} mentions "${w.text}"`);
    }
    t.equal(r.errors, want.filter((w) => w.severity === 'error').length);
  });
}

t.test('rc lint exits 1 on errors and 0 on a clean configuration', async (t) => {
  const bad = makeRoot(t, { '/etc/rc.conf': fixture('lint/depends.conf') });
  const r1 = await cli('rc', 'lint', '--root', bad);
  t.equal(r1.code, 1);
  t.match(r1.stdout, /^\/etc\/rc\.conf:6: error: dependency cycle: api -> web -> api \[depend-cycle\]$/m);
  t.match(r1.stdout, /1 error, 2 warnings\n$/);
  const good = makeRoot(t, { '/etc/rc.conf': fixture('lint/clean.conf') });
  const r2 = await cli('rc', 'lint', '--root', good, '--json');
  t.equal(r2.code, 0);
  t.same(JSON.parse(r2.stdout), { diagnostics: [], errors: 0, warnings: 0 });
});

t.test('lints values set in the service fragments too', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf': 'kleene_containers_list="ab"\n', '/etc/rc.conf.d/kleene_containers': 'x=1\nkleene_containers_jobs="many"\n' });
  const r = await lintRc({ root });
  t.match(r.diagnostics, [{ file: '/etc/rc.conf.d/kleene_containers', line: 2, code: 'bad-number', severity: 'error' }]);
});

t.test('edit distance and suggestions', async (t) => {
  t.equal(editDistance('kitten', 'sitting'), 3);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(closestName('kleened_enabel', ['kleened_enable', 'kleened_socket']), 'kleened_enable');
  t.equal(closestName('completely_else', ['kleened_enable']), undefined);
});

t.test('finds each dependency cycle once, spelled from its smallest name', async (t) => {
  t.same(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', []]])), [['a', 'b', 'c', 'a'], ['d', 'd']]);
  t.same(findCycles(new Map([['a', ['b']], ['b', []]])), []);
});
