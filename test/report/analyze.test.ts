// Blame, critical chain and the account of the time on hand-made records with known answers.
import t from 'tap';
import { accounting, blame, criticalChain, saturatedMs } from '../../src/report/analyze.ts';
import { reportText } from '../../src/report/text.ts';
import { JOBS, KNOWN, record } from './fixtures.ts';

t.test('blame: request to ready, slowest first; containers not acted on are left out', async (t) => {
  t.same(blame(KNOWN).map((b) => [b.name, b.ms]), [['db', 250], ['api', 240], ['web', 180], ['cache', 50], ['worker', 40]]);
});

t.test('the critical chain follows the dependency that was up last', async (t) => {
  // Mutation tried: picking the dependency up FIRST (`<` for `>` in criticalChain) gives cache → api → web.
  const chain = criticalChain(KNOWN);
  t.same(chain.map((l) => l.name), ['db', 'api', 'web']);
  t.same(chain.map((l) => [l.atMs, l.ownMs, l.waitedMs]), [[550, 250, 0], [800, 240, 10], [1000, 180, 20]]);
});

t.test('the account adds up to the total', async (t) => {
  const a = accounting(KNOWN);
  t.same(a, { totalMs: 1100, kleenedWaitMs: 100, beforeChainMs: 200, chainOwnMs: 670, chainWaitMs: 30, chainJobsWaitMs: 0, afterMs: 100, links: 3 });
  t.equal(a.kleenedWaitMs + a.beforeChainMs + a.chainOwnMs + a.chainWaitMs + a.afterMs, a.totalMs);
});

t.test('a wait while jobs starts were in flight is put on the jobs limit', async (t) => {
  const chain = criticalChain(JOBS);
  t.same(chain.map((l) => l.name), ['a', 'x']);
  t.same(chain[1], { id: 'id-x', name: 'x', outcome: 'started', requestedMs: 600, atMs: 700, ownMs: 100, waitedMs: 200, jobsWaitMs: 200 });
  t.equal(saturatedMs([[0, 10], [5, 20]], 0, 20, 2), 5, 'only 5..10 has two in flight');
  t.equal(saturatedMs([[0, 10]], 20, 10, 1), 0, 'an empty window');
  const a = accounting(JOBS);
  t.equal(a.kleenedWaitMs + a.beforeChainMs + a.chainOwnMs + a.chainWaitMs + a.afterMs, 720);
});

t.test('a failed container ends the chain only when nothing came up', async (t) => {
  const rec = record([
    { name: 'ok', requestedMs: 300, readyMs: 400 },
    { name: 'bad', requestedMs: 300, doneMs: 900, outcome: 'timed-out', reason: 'kleened did not start it within 1 s' },
  ]);
  t.same(criticalChain(rec).map((l) => l.name), ['ok'], 'the last container up decides');
  const none = record([{ name: 'bad', requestedMs: 300, doneMs: 900, outcome: 'failed' }]);
  t.same(criticalChain(none).map((l) => [l.name, l.outcome]), [['bad', 'failed']]);
});

t.test('stop: the chain goes from dependents to what they depend on', async (t) => {
  const rec = record([
    { name: 'web', depends: ['id-db'], requestedMs: 50, doneMs: 300, outcome: 'stopped' },
    { name: 'db', requestedMs: 300, doneMs: 700, outcome: 'stopped' },
  ], { command: 'stop', totalMs: 750, kleenedWaitMs: 20, inventoryMs: 30 });
  t.same(criticalChain(rec).map((l) => l.name), ['web', 'db']);
});

t.test('nothing acted on: no chain, the time is kleened and the rest', async (t) => {
  const rec = record([{ name: 'front', decision: 'running', outcome: 'running' }], { totalMs: 400 });
  t.same(criticalChain(rec), []);
  t.same(accounting(rec), { totalMs: 400, kleenedWaitMs: 100, beforeChainMs: 300, chainOwnMs: 0, chainWaitMs: 0, chainJobsWaitMs: 0, afterMs: 0, links: 0 });
  t.match(reportText(rec, '/x').join('\n'), /critical chain[^\n]*\n  none: nothing was acted on/);
});

t.test('the text report names the chain as systemd-analyze does, last link first', async (t) => {
  const text = reportText(KNOWN, '/var/db/kleene-boot/restore-x.json').join('\n');
  t.match(text, /^  web \(id-web\) @1\.000s \+0\.180s waited 0\.020s\n  └─api \(id-api\) @0\.800s \+0\.240s waited 0\.010s\n    └─db \(id-db\) @0\.550s \+0\.250s waited 0\.000s$/m);
  t.match(text, /^  250 ms  db \(id-db\)$/m);
  t.match(text, /^where the time went \(1100 ms\):$/m);
  t.match(text, /^  waiting for kleened's API\s+100 ms$/m);
  t.match(text, /^  critical chain, starting\s+670 ms  \(3 containers\)$/m);
});

t.test('src/report and src/record/{schema,build} import no I/O', async (t) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../src/report/', import.meta.url).pathname;
  const files = [...readdirSync(dir).map((f) => dir + f), new URL('../../src/record/schema.ts', import.meta.url).pathname, new URL('../../src/record/build.ts', import.meta.url).pathname];
  for (const f of files) {
    for (const [, isType, from] of readFileSync(f, 'utf8').matchAll(/^import\s+(type\s+)?[^'"]*['"]([^'"]+)['"]/gm)) {
      if (isType) continue;
      t.notMatch(from!, /^(node:)?(fs|net|child_process|http|os)(\/|$)|^execa$|^ws$|\/(host|kleened)\/|\/store\.ts$/, `${f} imports ${from}`);
    }
  }
});
