// The host-wide lock's decisions (src/plan/lock.ts), table-driven: who holds it, whether that
// process runs, who asks, how long it has waited. Mutations tried: `!alive` made `alive` (a live
// restore taken over: "a live holder is waited for" fails); `>=` made `>` on the wait bound
// ("at the bound exactly" fails); the preempt check without `holder.command === 'restore'`
// ("a stop waits for another stop" fails).
import t from 'tap';
import { decideLock, lockText, parseLockText, type LockSeen, type LockWant, type LockProgress, type LockStep } from '../../src/plan/lock.ts';

const PATH = '/var/run/kleene-boot.lock';
const restore: LockWant = { pid: 200, command: 'restore', preempt: false, waitMs: 30_000, onTimeout: 'refuse' };
const stop: LockWant = { pid: 300, command: 'stop', preempt: true, waitMs: 10_000, onTimeout: 'proceed' };
const held = (pid: number, command: string, alive: boolean): LockSeen => ({ kind: 'held', holder: { pid, command }, alive });

const cases: { name: string; seen: LockSeen; want: LockWant; p?: LockProgress; step: LockStep }[] = [
  { name: 'a free lock is created', seen: { kind: 'free' }, want: restore, step: { do: 'create' } },
  { name: 'a holder that is gone is taken over, saying whose it was', seen: held(100, 'restore', false), want: restore,
    step: { do: 'take-over', line: `took over ${PATH} from pid 100 (restore), which is gone` } },
  { name: 'a file naming no pid is taken over', seen: { kind: 'garbled' }, want: restore,
    step: { do: 'take-over', line: `took over ${PATH}: it named no holder` } },
  { name: 'our own pid in it is a leftover, never waited for', seen: held(200, 'restore', true), want: restore,
    step: { do: 'take-over', line: `took over ${PATH}: it named this process (pid 200), left from an earlier run` } },
  { name: 'a live holder is waited for, the first time with a line naming its pid and command and the bound', seen: held(100, 'restore', true), want: restore,
    step: { do: 'wait', pid: 100, line: `waiting up to 30 s for pid 100 (restore) to finish: it holds ${PATH}` } },
  { name: 'the wait line is said once per holder', seen: held(100, 'restore', true), want: restore, p: { elapsedMs: 500, announced: 100 },
    step: { do: 'wait', pid: 100 } },
  { name: 'a new holder gets its own line', seen: held(101, 'adopt', true), want: restore, p: { elapsedMs: 500, announced: 100 },
    step: { do: 'wait', pid: 101, line: `waiting up to 30 s for pid 101 (adopt) to finish: it holds ${PATH}` } },
  { name: 'just under the bound it still waits', seen: held(100, 'restore', true), want: restore, p: { elapsedMs: 29_999, announced: 100 },
    step: { do: 'wait', pid: 100 } },
  { name: 'at the bound exactly a restore gives up and does nothing', seen: held(100, 'restore', true), want: restore, p: { elapsedMs: 30_000, announced: 100 },
    step: { do: 'refuse', reason: `pid 100 (restore) still holds ${PATH} after 30 s` } },
  { name: 'a stop ends a restore that holds it first (SIGTERM)', seen: held(100, 'restore', true), want: stop,
    step: { do: 'signal', pid: 100, line: `ending the restore in progress first (pid 100): SIGTERM, then waiting up to 10 s for it to release ${PATH}` } },
  { name: 'and signals it once, then waits without another line', seen: held(100, 'restore', true), want: stop, p: { elapsedMs: 200, signalled: 100 },
    step: { do: 'wait', pid: 100 } },
  { name: 'a stop waits for another stop, never signals it', seen: held(100, 'stop', true), want: stop,
    step: { do: 'wait', pid: 100, line: `waiting up to 10 s for pid 100 (stop) to finish: it holds ${PATH}` } },
  { name: 'a restore never signals anyone', seen: held(100, 'restore', true), want: { ...restore, preempt: false },
    step: { do: 'wait', pid: 100, line: `waiting up to 30 s for pid 100 (restore) to finish: it holds ${PATH}` } },
  { name: 'a stop past its bound goes on without the lock, with a warning', seen: held(100, 'restore', true), want: stop, p: { elapsedMs: 10_000, signalled: 100 },
    step: { do: 'proceed', line: `warning: pid 100 (restore) still holds ${PATH} after 10 s; going on without it` } },
  { name: 'a holder gone after the bound is still taken over', seen: held(100, 'restore', false), want: restore, p: { elapsedMs: 60_000 },
    step: { do: 'take-over', line: `took over ${PATH} from pid 100 (restore), which is gone` } },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(decideLock(c.seen, c.want, c.p ?? { elapsedMs: 0 }, PATH), c.step);
  });
}

t.test('the lock file holds the pid and the verb, and reads back', async (t) => {
  t.equal(lockText({ pid: 4242, command: 'restore' }), '4242\nrestore\n');
  t.same(parseLockText('4242\nrestore\n'), { kind: 'held', holder: { pid: 4242, command: 'restore' } });
  t.same(parseLockText('4242\n'), { kind: 'held', holder: { pid: 4242, command: 'unknown' } }, 'a holder with no verb is still waited for');
  t.same(parseLockText('4242\nre$(x)\n'), { kind: 'held', holder: { pid: 4242, command: 'rex' } }, 'the verb is shown only as safe characters');
  for (const bad of ['', '\n', 'x\nrestore\n', '0\nrestore\n', '-1\nstop\n', '99999999999\nstop\n']) {
    t.same(parseLockText(bad), { kind: 'garbled' }, JSON.stringify(bad));
  }
});
