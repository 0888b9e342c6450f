// `kleene-boot plan --dot` through the bundled CLI against the kleened double: the graph of the
// real plan, piped into Graphviz dot.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SHIMS_DIR } from '../helpers/sim-state.ts';
import { rig, stageRoot, type Rig } from '../hook/rig.ts';

const CLI_JS = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const stage = (r: Rig, rcConf: string): string => stageRoot(r, [
  'kleened_socket="/var/run/kleened.sock"',
  `kleene_containers_jls="${join(SHIMS_DIR, 'jls')}"`,
  `kleene_containers_zfs="${join(SHIMS_DIR, 'zfs')}"`,
  rcConf,
]);

t.test('plan --dot draws the real plan: waves, decisions, reasons, edges', async (t) => {
  const r = await rig(t, {
    containers: [{ name: 'db' }, { name: 'web' }, { name: 'old', running: true }, { name: 'vol', volumes: ['data'] }],
    datasets: { 'zroot/kleene/volumes/data': null },
  });
  const root = stage(r, 'kleene_containers_list="web db old vol ghost"\nkleene_containers_web_depend="db"');
  const run = await execa(process.execPath, [CLI_JS, 'plan', '--dot', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  // plan answered, so 0 (a `set -e` script goes on); --strict makes "would not start" a status.
  t.equal(run.exitCode, 0, 'vol is blocked and ghost unknown, but plan printed its plan: 0');
  const strict = await execa(process.execPath, [CLI_JS, 'plan', '--dot', '--strict', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  t.equal(strict.exitCode, 1, '--strict: vol is blocked and ghost unknown, so 1');
  t.equal(strict.stdout, run.stdout, '--strict prints the same graph');
  // The text plan too: 0 once printed, --strict 1, and both print the same plan.
  const text = await execa(process.execPath, [CLI_JS, 'plan', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  t.equal(text.exitCode, 0, `plan printed its plan: 0\n${text.stderr}`);
  t.match(text.stdout, /^wave 1:$/m);
  const textStrict = await execa(process.execPath, [CLI_JS, 'plan', '--strict', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  t.equal(textStrict.exitCode, 1, 'plan --strict: a container would not start, so 1');
  t.equal(textStrict.stdout, text.stdout, '--strict changes only the status');
  t.match(run.stdout, /^digraph kleene_containers \{$/m);
  t.match(run.stdout, new RegExp(`subgraph cluster_wave_1 \\{\\n[^\\n]*\\n    "${r.id('db')}" \\[label="db\\\\nstart"`));
  t.match(run.stdout, new RegExp(`subgraph cluster_wave_2 \\{\\n[^\\n]*\\n    "${r.id('web')}" \\[label="web\\\\nstart"`));
  t.match(run.stdout, `"${r.id('old')}" [label="old\\nalready running"`);
  t.match(run.stdout, `[label="vol\\nblocked: volume data: dataset\\nzroot/kleene/volumes/data does not\\nexist"`);
  t.match(run.stdout, `"${r.id('db')}" -> "${r.id('web')}";`);
  t.match(run.stdout, 'label="ghost\\nunknown');
  t.same(r.state().events.filter((e) => e.type === 'start'), [], 'plan starts nothing');
  const svg = await execa('dot', ['-Tsvg'], { input: run.stdout, reject: false });
  t.equal(svg.exitCode, 0, svg.stderr);
  t.match(svg.stdout, />wave 2</);

  const bad = await execa(process.execPath, [CLI_JS, 'plan', '--dot', '--json', '--root', root], { reject: false });
  t.equal(bad.exitCode, 2, 'one output shape at a time');
});

t.test('plan --dot with kleened down: the graph of what rc.conf alone decides, the reason on stderr', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db' }] }, { kleened: false });
  const root = stage(r, 'kleene_containers_list="db web"\nkleene_containers_web_depend="db"\nkleene_containers_wait_timeout="1"');
  const run = await execa(process.execPath, [CLI_JS, 'plan', '--dot', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  t.equal(run.exitCode, 0, 'kleened down, but the graph was drawn: 0');
  const strict = await execa(process.execPath, [CLI_JS, 'plan', '--dot', '--strict', '--root', root], { reject: false, env: { KLEENE_SIM_STATE: r.statePath } });
  t.equal(strict.exitCode, 1, '--strict: kleened down means nothing would start');
  t.match(run.stdout, 'label="kleene_containers restore plan from rc.conf alone (kleened could not be asked)');
  t.match(run.stdout, '"db" -> "web";');
  t.match(run.stderr, /^kleened cannot be asked: .*; the graph shows what rc.conf alone decides$/m);
  const svg = await execa('dot', ['-Tsvg'], { input: run.stdout, reject: false });
  t.equal(svg.exitCode, 0, svg.stderr);
});

t.test('restore --root leaves its record under the staged root, where report --root reads it', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db', faults: { start_delay_ms: 20 } }, { name: 'web', faults: { start_delay_ms: 20 } }] });
  const root = stage(r, 'kleene_containers_list="db web"\nkleene_containers_web_depend="db"\nkleene_containers_logger="/bin/true"');
  const env = { KLEENE_SIM_STATE: r.statePath };
  const run = await execa(process.execPath, [CLI_JS, 'restore', '--root', root], { reject: false, env });
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  const rep = await execa(process.execPath, [CLI_JS, 'report', '--root', root], { reject: false, env });
  t.equal(rep.exitCode, 0, rep.stderr);
  t.match(rep.stdout, new RegExp(`^record: ${root}/var/db/kleene-boot/restore-.*\\.json$`, 'm'));
  t.match(rep.stdout, /^  web \([0-9a-f]{12}\) @\d+\.\d{3}s .*\n  └─db /m);
  const stop = await execa(process.execPath, [CLI_JS, 'stop', '--root', root], { reject: false, env });
  t.equal(stop.exitCode, 0, stop.stdout + stop.stderr);
  const srep = await execa(process.execPath, [CLI_JS, 'report', '--root', root, '--run', 'stop'], { reject: false, env });
  t.match(srep.stdout, /^stop: ok: 2 containers: 2 stopped \(/m);
  t.match(srep.stdout, /blame \(stop request to stopped, slowest first\):/);
});

t.test('hook.js plan --dot: the same graph from the boot hook', async (t) => {
  const r = await rig(t, { containers: [{ name: 'db' }, { name: 'web' }] });
  const vars = { kleene_containers_list: 'web db', kleene_containers_web_depend: 'db' };
  const run = await r.hook(['plan', '--dot'], vars);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `"${r.id('db')}" -> "${r.id('web')}";`);
  t.match(run.stdout, /label="wave 2"/);
  const svg = await execa('dot', ['-Tsvg'], { input: run.stdout, reject: false });
  t.equal(svg.exitCode, 0, svg.stderr);
  const both = await r.hook(['plan', '--dot', '--json'], vars);
  t.equal(both.code, 2);
  t.match(both.stderr, 'plan takes --json or --dot, not both');
  t.same(r.state().events.filter((e) => e.type === 'start'), [], 'plan starts nothing');
});
