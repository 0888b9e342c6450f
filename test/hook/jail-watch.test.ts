// JailWatch: how soon a started jail is confirmed and how few jls calls that takes. jls is a
// fake whose every call is answered by the test (a deferred), so the order of calls and answers
// is exact, never timed.
import t from 'tap';
import { JailWatch, type JailAnswer } from '../../src/hook/jail-watch.ts';
import { monoMs } from '../../src/host/clock.ts';

function fakeJls() {
  const calls: Array<{ answer: (jails: string[]) => void; fail: (e: Error) => void }> = [];
  const watch = new JailWatch(() => new Promise<string[]>((answer, fail) => { calls.push({ answer, fail }); }));
  return { watch, calls };
}
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const far = (): number => monoMs() + 60_000;

t.test('the wants of one turn share one jls call', async (t) => {
  const { watch, calls } = fakeJls();
  const a = watch.want('a', far());
  const b = watch.want('b', far());
  const c = watch.want('c', far());
  await turn();
  t.equal(calls.length, 1, 'one call for three wants');
  calls[0]!.answer(['a', 'b', 'c']);
  t.same(await Promise.all([a, b, c]), [{ seen: true }, { seen: true }, { seen: true }]);
  t.equal(watch.calls, 1);
});

t.test('a 1001 while a jls call runs starts a call at once instead of waiting for the old one', async (t) => {
  // Mutation: waiting for the call in flight (the old `again` flag) leaves calls.length at 1
  // until calls[0] answers: confirmation then took up to two jls round trips after the 1001.
  const { watch, calls } = fakeJls();
  const a = watch.want('a', far());
  await turn();
  t.equal(calls.length, 1);
  const b = watch.want('b', far());
  await turn();
  t.equal(calls.length, 2, 'a second call begun before the first answered');
  calls[1]!.answer(['a', 'b']);
  t.same(await b, { seen: true }, 'b confirmed by the call begun after its 1001');
  t.same(await a, { seen: true }, 'a too: any call that sees a jail confirms it');
  calls[0]!.answer([]);
  await turn();
  t.equal(calls.length, 2, 'nothing left to ask');
});

t.test('a call begun before a want never says that want\'s jail is missing', async (t) => {
  // Mutation: dropping the `w.after >= seq` check resolves b as not seen from calls[0], begun
  // before b's 1001 (the jail could not have been there yet).
  const { watch, calls } = fakeJls();
  void watch.want('a', far());
  await turn();
  let settled: JailAnswer | undefined;
  void watch.want('b', monoMs() - 1).then((x) => { settled = x; });
  calls[0]!.answer(['a']);
  await turn();
  t.equal(settled, undefined, 'b still waits after the older call answered');
  t.equal(calls.length, 2);
  calls[1]!.answer(['a']);
  await turn();
  t.same(settled, { seen: false }, 'the call begun after it says it is missing (deadline passed)');
});

t.test('a want nothing needs yet starts no call; flush (the run is idle) asks for it', async (t) => {
  // Mutation: ignoring `urgent` (queueCall for every want, any pending want counted as needed)
  // makes calls.length 1 before the flush.
  const { watch, calls } = fakeJls();
  const leaf = watch.want('leaf', far(), false);
  await turn();
  t.equal(calls.length, 0, 'no jls for a start nothing waits on');
  watch.flush();
  await turn();
  t.equal(calls.length, 1, 'flush asks once');
  calls[0]!.answer(['leaf']);
  t.same(await leaf, { seen: true });
});

t.test('a want nothing needs rides on the next call something else needs', async (t) => {
  const { watch, calls } = fakeJls();
  const leaf = watch.want('leaf', far(), false);
  const dep = watch.want('dep', far(), true);
  await turn();
  t.equal(calls.length, 1);
  calls[0]!.answer(['leaf', 'dep']);
  t.same(await Promise.all([leaf, dep]), [{ seen: true }, { seen: true }]);
});

t.test('a failing jls answers every want begun before it with the error, never as missing', async (t) => {
  const { watch, calls } = fakeJls();
  const a = watch.want('a', far());
  await turn();
  calls[0]!.fail(new Error('jls: not found'));
  t.same(await a, { seen: false, error: 'jls: not found' });
});
