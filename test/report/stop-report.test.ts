// `kleene-boot report --run stop` from the outside: the CLI stops containers against the
// kleened double (a chain web -> api -> db beside independent ones, 2 stops at once), then the
// report of that stop, read through the CLI, speaks of stops: its chain follows what each stop
// waited for, its waits are filed against the stop jobs limit, its header states the bounds.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SHIMS_DIR } from '../helpers/sim-state.ts';
import { rig, stageRoot } from '../hook/rig.ts';

const CLI_JS = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

// Mutations tried: the chain taken as a restore's (src/report/analyze.ts predecessorsOf:
// `rec.run.command !== 'stop'` -> `true`): a one-link chain, "the chain follows the waits" fails;
// the stop heights ignored (src/plan/stop.ts: the `order.sort` removed): "web … among the first
// two" fails.
t.test('report --run stop tells the stop as it ran: its chain, its waits, its concurrency, in stop wording', async (t) => {
  const slow = { stop_delay_ms: 300 };
  const names = ['db', 'api', 'web', 'c1', 'c2', 'c3'];
  const r = await rig(t, { containers: names.map((name) => ({ name, running: true, faults: slow })) });
  const root = stageRoot(r, [
    'kleened_socket="/var/run/kleened.sock"',
    `kleene_containers_jls="${join(SHIMS_DIR, 'jls')}"`,
    `kleene_containers_zfs="${join(SHIMS_DIR, 'zfs')}"`,
    'kleene_containers_logger="/bin/true"',
    `kleene_containers_list="${names.join(' ')}"`,
    'kleene_containers_api_depend="db"',
    'kleene_containers_web_depend="api"',
    'kleene_containers_stop_jobs="2"',
  ]);
  const env = { KLEENE_SIM_STATE: r.statePath };
  const stop = await execa(process.execPath, [CLI_JS, 'stop', '--root', root], { reject: false, env });
  t.equal(stop.exitCode, 0, stop.stdout + stop.stderr);

  const rep = await execa(process.execPath, [CLI_JS, 'report', '--root', root, '--run', 'stop'], { reject: false, env });
  t.equal(rep.exitCode, 0, rep.stderr);
  t.equal(rep.stderr, '');
  const out = rep.stdout;
  t.match(out, new RegExp(`^record: ${root}/var/db/kleene-boot/stop-.*\\.json$`, 'm'));
  // 6 stops, 2 at once, a chain 3 deep: 4.5 stop timeouts of 30 s do not fit rcshutdown_timeout's 90 s.
  t.match(out, /^stop: ok: 6 containers: 6 stopped \(.*; took \d+ ms, up to 2 stops at once \(2 ran at once\), each cut at [\d.]+ s \(of 30 s\) to fit rcshutdown_timeout\)$/m,
    'the header states what bounded the stop: 2 at once (and that 2 ran), each stop\'s timeout');
  t.notMatch(out, /jobs 4/, 'not the restore\'s jobs');
  t.match(out, /^blame \(stop request to stopped, slowest first\):$/m);
  t.match(out, /^critical chain \(@ when it was stopped, \+ its own stop, waited: since it could have been asked to stop, its dependents stopped\):$/m);
  // The chain, last link first: db stopped last, after api, after web.
  t.match(out, /^  db \([0-9a-f]{12}\) @\d+\.\d{3}s \+\d+\.\d{3}s waited \d+\.\d{3}s.*\n  └─api \([0-9a-f]{12}\) @.*\n    └─web \([0-9a-f]{12}\) @/m,
    'the chain follows the waits: db after api after web');
  t.match(out, /^  critical chain, stopping\s+\d+ ms  \(3 containers\)$/m);
  t.match(out, /^  after the last stop\s+\d+ ms  \(checking the jails are gone, the report\)$/m);
  t.notMatch(out, /when it was up|between one link up|after the last was up|critical chain, starting/, 'no start wording');
  // The head of the longest chain goes first: web is not kept waiting behind the independent ones.
  const first = r.state().events.filter((e) => e.type === 'stop').sort((a, b) => String(a.detail!.requested).localeCompare(String(b.detail!.requested)))
    .slice(0, 2).map((e) => e.container);
  t.ok(first.includes(r.id('web')), 'web, heading the chain, was among the first two stops asked for');
  const wait = /^  critical chain, waiting\s+(\d+) ms(?:  \((\d+) ms at the limit of 2 stops at once, (\d+) ms between one stop ending and the next asked for\))?$/m.exec(out);
  if (t.ok(wait, 'the chain\'s waits are filed against the stop jobs limit') && wait && wait[2] !== undefined) {
    t.equal(+wait[2] + +wait[3]!, +wait[1]!, 'and add up');
  }

  const json = await execa(process.execPath, [CLI_JS, 'report', '--root', root, '--run', 'stop', '--json'], { reject: false, env });
  t.equal(json.exitCode, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { run: { jobs: number; stop?: { timeoutMs: number; configuredTimeoutMs: number } }; criticalChain: { name: string }[] };
  t.same(doc.criticalChain.map((l) => l.name), ['web', 'api', 'db']);
  t.equal(doc.run.jobs, 2);
  t.equal(doc.run.stop?.configuredTimeoutMs, 30_000);
  t.ok(doc.run.stop !== undefined && doc.run.stop.timeoutMs < 30_000, 'shortened');

  const svg = join(r.dir, 'stop.svg');
  const pic = await execa(process.execPath, [CLI_JS, 'report', '--root', root, '--run', 'stop', '--svg', svg], { reject: false, env });
  t.equal(pic.exitCode, 0, pic.stderr);
  const png = join(r.dir, 'stop.png');
  const conv = await execa('rsvg-convert', ['-o', png, svg], { reject: false });
  t.equal(conv.exitCode, 0, `rsvg-convert renders the stop's timeline: ${conv.stderr}`);
});
