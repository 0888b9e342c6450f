// `kleene-boot adopt` takes the host-wide lock that restore and stop take (under -R ROOT): a
// restore going meanwhile would read a kleene_containers_list and restart policies half
// changed. It waits for the holder up to kleene_containers_wait_timeout, saying for whom; past
// that it changes nothing. Mutation tried: takeAdoptLock not called (adopt changed rc.conf and
// the policy while a restore held the lock: "refuses" fails).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { rig, stageRoot } from './rig.ts';

const CLI_JS = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

async function staged(t: Parameters<typeof rig>[0]) {
  const r = await rig(t, { containers: [{ name: 'web', restart_policy: 'on-startup' }, { name: 'db' }] });
  const root = stageRoot(r, ['kleene_containers_list="db"', 'kleene_containers_wait_timeout="3"']);
  const lock = join(root, 'var/run/kleene-boot.lock');
  // A live restore holds the lock.
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => { holder.kill('SIGKILL'); });
  writeFileSync(lock, `${holder.pid}\nrestore\n`);
  const adopt = () => execa(process.execPath, [CLI_JS, 'adopt', '--root', root],
    { reject: false, timeout: 30_000, env: { KLEENE_SIM_STATE: r.statePath } });
  return { r, root, lock, holder, adopt };
}

t.test('adopt refuses, changing nothing, while a restore holds the lock past the wait timeout', async (t) => {
  const { r, root, lock, holder, adopt } = await staged(t);
  const before = readFileSync(join(root, 'etc/rc.conf'), 'utf8');
  const run = await adopt();
  t.equal(run.exitCode, 1, run.stdout + run.stderr);
  t.match(run.stderr, new RegExp(`^kleene-boot: adopt: waiting up to 3 s for pid ${holder.pid} \\(restore\\) to finish: it holds ${lock}$`, 'm'));
  t.match(run.stderr, new RegExp(`^kleene-boot: adopt: nothing changed: pid ${holder.pid} \\(restore\\) still holds ${lock} after 3 s$`, 'm'));
  t.equal(readFileSync(join(root, 'etc/rc.conf'), 'utf8'), before, 'rc.conf is unchanged');
  t.equal(r.state().containers.find((c) => c.name === 'web')!.restart_policy, 'on-startup', 'the policy is unchanged');
  t.equal(readFileSync(lock, 'utf8'), `${holder.pid}\nrestore\n`, 'the holder keeps its lock');
});

t.test('adopt goes on once the holder releases the lock, and releases it in turn', async (t) => {
  const { r, lock, adopt } = await staged(t);
  const run = adopt();
  // The restore ends once adopt is waiting for it.
  let err = '';
  run.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (/waiting up to/.test(err) && existsSync(lock)) unlinkSync(lock);
  });
  const done = await run;
  t.equal(done.exitCode, 0, String(done.stdout) + String(done.stderr));
  t.match(done.stderr, /waiting up to 3 s for pid \d+ \(restore\)/);
  t.equal(r.state().containers.find((c) => c.name === 'web')!.restart_policy, 'no', 'adopted');
  t.notOk(existsSync(lock), 'released');
});
