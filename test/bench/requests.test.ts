// What a restore costs in requests and jls calls, counted exactly from the kleened double's
// request log and the bench's jls stand-in (times are noisy on a shared machine, counts are
// not): kleene-boot's hook against the reference restorer (bench/reference-restore.mjs) on the
// same graph, as `npm run bench` runs them. Every fourth container mounts a volume.
import t from 'tap';
import { layeredGraph } from '../../bench/graph.ts';
import { runRestore } from '../../bench/sim.ts';

t.test('a restore makes at most the reference\'s requests + one per volume + the volume list; jls at most once per batch', async (t) => {
  // Mutation: inspecting every volume (not only those whose dataset is not in place, in
  // src/hook/restore.ts) adds V requests. (Inspecting every container before its start, as the
  // restore once did, added one request per container.) How jls calls are batched is tested in
  // test/hook/jail-watch.test.ts.
  const graph = layeredGraph({ n: 40 });
  const opts = { graph, jobs: 8, delayMs: 30 };
  const hook = await runRestore(opts);
  const ref = await runRestore({ ...opts, restorer: 'reference' });
  t.equal(hook.exitCode, 0, hook.hookOutput);
  t.equal(ref.exitCode, 0, ref.hookOutput);
  t.equal(hook.starts, 40);
  t.equal(hook.jailsAtEnd, 40);
  t.equal(hook.volumes, 10, 'V = 10 volumes');
  t.equal(ref.httpRequests, 1 + 2 * 40, 'reference: the list, then exec/create and the WebSocket per container');
  t.equal(hook.inspectCalls, 0, 'no container inspect');
  t.equal(hook.volumeInspectCalls, 0, 'no volume inspect: every volume\'s dataset is in place');
  t.equal(hook.volumeListCalls, 1);
  t.ok(hook.httpRequests <= ref.httpRequests + hook.volumes + 1,
    `${hook.httpRequests} requests ≤ reference ${ref.httpRequests} + V ${hook.volumes} + 1`);
  t.equal(hook.httpRequests, ref.httpRequests + 1, 'exactly the reference\'s and the volume list: every container was started through kleened');
  t.equal(hook.jlsKind, 'c', 'the bench\'s jls is the C stand-in');
  t.equal(hook.uncachedProbes, 0, 'every jls call had the hook\'s arguments');
  // The jail exists at the 1001 here (the bench's default): each call after the inventory's
  // answers at least one start no earlier call could.
  t.ok(hook.jlsCalls >= 2 && hook.jlsCalls <= 1 + hook.starts, `${hook.jlsCalls} jls calls for ${hook.starts} starts`);
  t.equal(ref.jlsCalls, 0);
});
