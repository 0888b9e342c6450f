// `rc apply`: the declaration checker and planner (src/rcconf/apply.ts, pure), then the command
// on staged roots, with sh as the oracle for what the files say.
// Mutations tried (each made the named tests fail, then was restored):
// - planApply: unset every kleene_containers_* (dropped `!desired.vars.has(name)`) -> planApply, rc apply on a staged root
// - planApply: set only what is missing (`a.value !== value` dropped)            -> planApply, rc apply on a staged root
// - checkDeclaration: no findCycles                                              -> cycles, bad declaration
// - checkDeclaration: any container name accepted                                -> every problem, names, bad declaration
// - rc-apply: applyEdits with dryRun: false under --check                         -> rc apply on a staged root (byte-identical)
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkDeclaration, DeclarationError, planApply, type CurrentAssignment } from '../../src/rcconf/apply.ts';
import { cli, makeRoot, readHost, writeHost } from '../rcconf/helpers.ts';
import { shReads } from './sh-reads.ts';

const problemsOf = (doc: unknown): string[] => {
  try {
    checkDeclaration(doc, 'host.json');
  } catch (e) {
    if (e instanceof DeclarationError) return e.problems;
    throw e;
  }
  return [];
};

t.test('a declaration becomes the variables rc.conf will hold', async (t) => {
  const d = checkDeclaration({
    kleened_enable: true,
    kleene_containers_enable: 'no',
    containers: [
      { name: 'db', priority: 10, ready: 'tcp:10.0.0.2:5432' },
      { name: 'web.example-1', depend: 'db cache', ready: 'exec:sh -c \'test "$(id -u)" = 0\'' },
      'cache',
      { name: 'idle', depend: [], priority: null, ready: '' },
    ],
    settings: { jobs: '8', background: true, start_timeout: 120, kleened_ready_timeout: 20 },
  }, 'host.json');
  t.same([...d.vars], [
    ['kleened_enable', 'YES'],
    ['kleene_containers_enable', 'NO'],
    ['kleene_containers_jobs', '8'],
    ['kleene_containers_background', 'YES'],
    ['kleene_containers_start_timeout', '120'],
    ['kleened_ready_timeout', '20'],
    ['kleene_containers_list', 'db web.example-1 cache idle'],
    ['kleene_containers_db_priority', '10'],
    ['kleene_containers_db_ready', 'tcp:10.0.0.2:5432'],
    ['kleene_containers_web_example_1_depend', 'db cache'],
    ['kleene_containers_web_example_1_ready', 'exec:sh -c \'test "$(id -u)" = 0\''],
  ]);
  t.same(d.warnings, []);
  t.same([...checkDeclaration({}, 'x').vars], [], 'an empty declaration sets nothing (and so removes every kleene_containers_*)');
});

t.test('every problem is reported at once, each naming its field', async (t) => {
  const p = problemsOf({
    containers: [{ name: 'bad name' }, { name: 'ok1', prio: 3 }, { priority: 5 }, { name: 'ok2', priority: 1000, ready: 'http://x' },
      { name: 'ok3', depend: ['$(reboot)'] }, { name: 'ok4', ready: 'exec:a\nb' }, 42],
    setings: {},
    kleened_enable: 'maybe',
    settings: { jobs: 0, node: 'bin/node', bogus: 1, wait_timeout: 'soon' },
  });
  const want = [
    /^\(top level\): unknown field 'setings'; did you mean 'settings'\?/,
    /^containers\[0\]\.name: 'bad name' is not a container name or id \(kleened's pattern/,
    /^containers\[1\]: unknown field 'prio' \(known: name, depend, priority, ready\)/,
    /^containers\[2\]\.name: missing; every container needs a name/,
    /^containers\[3\] \(ok2\)\.priority: 1000 is not a whole number from 0 to 999/,
    /^containers\[3\] \(ok2\)\.ready: 'http:\/\/x' is not a ready check \(use started, tcp:HOST:PORT or exec:COMMAND\)/,
    /^containers\[4\] \(ok3\)\.depend\[0\]: '\$\(reboot\)' is not a container name or id/,
    /^containers\[5\] \(ok4\)\.ready: the value contains a line break/,
    /^containers\[6\]: 42 is neither a container name nor an object/,
    /^kleened_enable: "maybe" is not a boolean/,
    /^settings\.jobs: 0 is not a whole number from 1 to 256 \(default 4\)/,
    /^settings\.node: 'bin\/node' is not an absolute path/,
    /^settings: unknown field 'bogus' \(known: .*\bjobs\b/,
    /^settings\.wait_timeout: "soon" is not a whole number/,
  ];
  t.equal(p.length, want.length, p.join('\n'));
  for (const re of want) t.ok(p.some((x) => re.test(x)), `${re}\n${p.join('\n')}`);
});

t.test('names, duplicates and variable-part collisions are refused', async (t) => {
  t.match(problemsOf({ containers: ['a'] }), [/'a' is not a container name/], "kleened's pattern needs two characters");
  t.same(problemsOf({ containers: ['abcdef012345', '/web'] }), [], 'an id and a leading / are what kleened accepts');
  t.match(problemsOf({ containers: ['web', 'web'] }), [/'web' is declared twice/]);
  t.match(problemsOf({ containers: ['web.1', 'web-1'] }), [/'web\.1' and 'web-1' both map to kleene_containers_web_1_\*/]);
});

t.test('dependency cycles are refused, spelled out; a dependency not declared is only a warning', async (t) => {
  t.match(problemsOf({ containers: [{ name: 'aa', depend: ['bb'] }, { name: 'bb', depend: 'cc' }, { name: 'cc', depend: ['aa'] }] }),
    [/^containers\[0\] \(aa\)\.depend: dependency cycle: aa -> bb -> cc -> aa/]);
  t.match(problemsOf({ containers: [{ name: 'self', depend: ['self'] }] }), [/dependency cycle: self -> self/]);
  const d = checkDeclaration({ containers: [{ name: 'web', depend: ['db'] }] }, 'x');
  t.match(d.warnings, [/web depends on 'db', which is not declared/]);
  t.throws(() => checkDeclaration([], 'x'), /not a JSON object/);
});

const at = (name: string, value: string | undefined, file = '/etc/rc.conf.d/kleene_containers', line = 1): CurrentAssignment => ({ file, line, name, value });

t.test('planApply: every undeclared variable it owns removed (kleene_containers_*, kleened knobs), others left, changed values set, equal ones kept', async (t) => {
  const d = checkDeclaration({ kleened_enable: true, containers: [{ name: 'db', priority: 5 }, 'web'] }, 'x');
  const current = [
    at('kleene_containers_list', 'db', '/etc/rc.conf'),
    at('kleene_containers_list', 'db web'),                // the last one read wins: already right
    at('kleene_containers_db_priority', '7'),
    at('kleene_containers_old_ready', 'started', '/etc/rc.conf'),
    at('kleene_containers_jobs', undefined),               // $(sysctl …): not what was declared (nothing)
    at('kleened_socket', '/var/run/k.sock', '/etc/rc.conf.d/kleened'),
    at('kleened_flags', '-v', '/etc/rc.conf.d/kleened'),   // not a knob: the declaration cannot own it
  ];
  t.same(planApply(d, current), [
    { op: 'unset', name: 'kleene_containers_jobs' },
    { op: 'unset', name: 'kleene_containers_old_ready' },
    { op: 'unset', name: 'kleened_socket' },
    { op: 'set', name: 'kleened_enable', value: 'YES' },
    { op: 'set', name: 'kleene_containers_db_priority', value: '5' },
  ]);
  const settled = [at('kleened_enable', 'YES'), at('kleene_containers_list', 'db web'), at('kleene_containers_db_priority', '5')];
  t.same(planApply(d, settled), [], 'nothing to do when the files already say it');
  t.same(planApply(d, [...settled, at('kleene_containers_db_priority', undefined)]), [{ op: 'set', name: 'kleene_containers_db_priority', value: '5' }],
    'a value sh would expand is replaced by the declared literal');
});

/** Every file under root (relative path → bytes and mode), to compare before and after. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p.slice(root.length), `${st.mode.toString(8)} ${readFileSync(p, 'base64')}`);
    }
  };
  walk(root);
  return out;
}

t.test('rc apply on a staged root: applies, then has nothing to do; --check changes nothing and exits 1 (diff(1)\'s "would change")', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf': 'hostname="h1" # keep\nkleene_containers_list="old"\nkleene_containers_old_depend=db\nkleened_env="X=1"\n' });
  const hostile = 'exec:sh -c \'printf "%s" "$(hostname)"; test -e "/a b"\' ; `id` \\ $HOME';
  const decl = join(root, 'host.json');
  writeHost(root, '/host.json', JSON.stringify({ kleened_enable: true, kleene_containers_enable: true,
    containers: [{ name: 'db', priority: 10 }, { name: 'web', depend: ['db'], ready: hostile }], settings: { jobs: 8 } }));

  const before = snapshot(root);
  const c = await cli('rc', 'apply', '--root', root, '--check', '--json', decl);
  t.equal(c.code, 1, c.stderr);
  const cj = JSON.parse(c.stdout);
  t.equal(cj.changed, true);
  t.equal(cj.files.length, 3, "rc.conf and both services' fragments");
  t.ok(cj.files.includes('/etc/rc.conf'));
  t.equal(cj.diff, null, 'no diff unless --diff');
  t.same(snapshot(root), before, '--check leaves every file byte-identical');

  const a = await cli('rc', 'apply', '--root', root, '--json', '--diff', decl);
  t.equal(a.code, 0, a.stderr);
  const aj = JSON.parse(a.stdout);
  t.equal(aj.changed, true);
  t.match(aj.diff, /^--- \/etc\/rc\.conf\n\+\+\+ \/etc\/rc\.conf\n/);
  t.match(aj.diff, /^-kleene_containers_old_depend=db$/m);
  t.match(aj.diff, /^--- \/dev\/null\n\+\+\+ \/etc\/rc\.conf\.d\/kleened/m);

  const v = await shReads(root);
  t.equal(v.get('kleened_env'), undefined, 'a kleened knob not declared is removed, as every variable the declaration owns');
  t.equal(v.get('kleene_containers_old_depend'), undefined, 'kleene_containers_* not declared is removed');
  t.equal(v.get('kleened_enable'), 'YES');
  t.equal(v.get('kleene_containers_enable'), 'YES');
  t.equal(v.get('kleene_containers_jobs'), '8');
  t.equal(v.get('kleene_containers_list'), 'db web');
  t.equal(v.get('kleene_containers_db_priority'), '10');
  t.equal(v.get('kleene_containers_web_depend'), 'db');
  t.equal(v.get('kleene_containers_web_ready'), hostile, 'sh reads the hostile ready command back exactly');
  t.match(readHost(root, '/etc/rc.conf'), /^hostname="h1" # keep\n/, 'unowned bytes stay');

  const settled = snapshot(root);
  const again = await cli('rc', 'apply', '--root', root, '--check', decl);
  t.equal(again.code, 0, 'a second --check finds nothing to change');
  t.equal(again.stdout, '');
  const b = await cli('rc', 'apply', '--root', root, '--json', decl);
  t.same(JSON.parse(b.stdout), { changed: false, check: false, files: [], changes: [], warnings: [], diff: null });
  t.same(snapshot(root), settled, 'a second apply writes nothing');
});

t.test('a bad declaration exits 2 (trouble, never "would change") naming the field and writes nothing', async (t) => {
  const root = makeRoot(t, { '/etc/rc.conf': 'kleene_containers_list="x1"\n' });
  const decl = join(root, 'bad.json');
  writeHost(root, '/bad.json', JSON.stringify({ containers: [{ name: 'aa', depend: ['bb'] }, { name: 'bb', depend: ['aa'] }, 'no way'] }));
  const before = snapshot(root);
  const r = await cli('rc', 'apply', '--root', root, decl);
  t.equal(r.code, 2);
  const rc = await cli('rc', 'apply', '--root', root, '--check', decl);
  t.equal(rc.code, 2, '--check with a bad declaration is trouble too, not "would change"');
  t.match(r.stderr, /^kleene-boot: .*bad\.json: 2 problems:\n {2}containers\[2\]\.name: 'no way' is not a container name/);
  t.match(r.stderr, /containers\[0\] \(aa\)\.depend: dependency cycle: aa -> bb -> aa/);
  t.same(snapshot(root), before);
  writeHost(root, '/broken.json', '{"containers": [');
  t.match((await cli('rc', 'apply', '--root', root, join(root, 'broken.json'))).stderr, /broken\.json: the declaration is not JSON/);
});

// Mutation tried: enableRemovals returning [] (the removal silent again) fails this test; so does
// ownedByDeclaration without kleened's knobs (kleened_enable kept while kleene_containers_enable goes).
t.test('a declaration without the _enable variables removes them, and says so in every mode', async (t) => {
  const rc = 'kleened_enable="YES"\nkleene_containers_enable="YES"\nkleene_containers_list="db"\nkleened_flags="-v"\n';
  const root = makeRoot(t, { '/etc/rc.conf': rc });
  writeHost(root, '/host.json', JSON.stringify({ containers: ['db'] }));
  const decl = join(root, 'host.json');
  const said = (name: string, service: string) =>
    new RegExp(`warning: ${name} is not declared, so it is removed \\(/etc/rc\\.conf:\\d says YES\\): ${service} falls back to its default NO and will no longer start at boot; declare "${name}": true to keep it`);

  const check = await cli('rc', 'apply', '--root', root, '--check', decl);
  t.equal(check.code, 1, '--check: would change');
  t.match(check.stdout, /^kleene_containers_enable: would change from `YES' to `' in \/etc\/rc\.conf$/m);
  t.match(check.stdout, /^kleened_enable: would change from `YES' to `' in \/etc\/rc\.conf$/m);
  t.match(check.stderr, said('kleene_containers_enable', 'kleene_containers'));
  t.match(check.stderr, said('kleened_enable', 'kleened'));
  t.equal(readHost(root, '/etc/rc.conf'), rc, '--check writes nothing');

  const diff = await cli('rc', 'apply', '--root', root, '--check', '--diff', decl);
  t.equal(diff.code, 1);
  t.match(diff.stdout, /^-kleene_containers_enable="YES"$/m);
  t.match(diff.stderr, said('kleene_containers_enable', 'kleene_containers'), '--diff names it too');

  const json = await cli('rc', 'apply', '--root', root, '--check', '--json', decl);
  t.match(JSON.parse(json.stdout).warnings, [said('kleene_containers_enable', 'kleene_containers'), said('kleened_enable', 'kleened')].map((r) => new RegExp(r.source.replace(/^warning: /, ''))));

  const apply = await cli('rc', 'apply', '--root', root, decl);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /^kleene_containers_enable: YES -> \(unset\) \(\/etc\/rc\.conf\)$/m);
  t.match(apply.stderr, said('kleene_containers_enable', 'kleene_containers'));
  const v = await shReads(root);
  t.equal(v.get('kleene_containers_enable'), undefined);
  t.equal(v.get('kleened_enable'), undefined, 'kleened_enable follows the same rule');
  t.equal(v.get('kleened_flags'), '-v', 'a variable the declaration cannot own stays');

  const again = await cli('rc', 'apply', '--root', root, decl);
  t.equal(again.stderr, '', 'once removed, nothing more to say');
});
