// `kleene-boot adopt` when kleened refuses an update: kleened runs `jail -m` on a running
// container whose config changes, and when that fails answers 409 and saves nothing
// (FACTS: lib/core/container.ex update_). adopt must say so for that container, keep going with
// the others, exit 1, and never claim the policy changed.
//
// Mutation tried: adopt ignoring the update's answer (src/cli/commands/adopt.ts: the catch
// printing "restart_policy NOT changed" replaced by the success line, failed++ dropped): this
// test fails on the exit code and on web's line.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { rig, stageRoot } from './rig.ts';

const CLI_JS = process.env.KLEENE_CLI_JS ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

async function adopt(t: Tap.Test, rcConf: string) {
  const r = await rig(t, { containers: [
    { name: 'web', running: true, restart_policy: 'on-startup', faults: { jail_m_fails: 'jail: cannot set host.hostname' } },
    { name: 'db', running: true, restart_policy: 'on-startup' },
  ] });
  const root = stageRoot(r, ['kleened_socket="/var/run/kleened.sock"', rcConf]);
  const run = await execa(process.execPath, [CLI_JS, 'adopt', '--root', root], {
    reject: false, timeout: 60_000, env: { KLEENE_SIM_STATE: r.statePath, KLEENE_SIM_SYSLOG: r.syslog },
  });
  const list = (await execa('/bin/sh', ['-c', `for f in '${root}/etc/rc.conf' '${root}/etc/rc.conf.d/kleene_containers'; do [ -f "$f" ] && . "$f"; done; printf %s "$kleene_containers_list"`])).stdout;
  return { r, run, list: list.split(/\s+/).filter(Boolean).sort() };
}
type Tap = { Test: import('tap').Test };
declare namespace Tap { type Test = import('tap').Test }

t.test('a 409 from kleened leaves that container on-startup, the others are adopted, exit 1', async (t) => {
  const { r, run, list } = await adopt(t, 'kleene_containers_list="other"\n');
  t.equal(run.exitCode, 1, run.stdout + run.stderr);
  t.match(run.stdout, /^web \([0-9a-f]{12}\): added to kleene_containers_list as web; restart_policy NOT changed: .*409.*an error ocurred while updating the container: jail: cannot set host\.hostname/m);
  t.match(run.stdout, /^db \([0-9a-f]{12}\): added to kleene_containers_list as db; restart_policy on-startup -> no$/m);
  t.match(run.stderr, /adopt: 1 container\(s\) keep restart_policy on-startup/);
  const policy = (name: string) => r.state().containers.find((c) => c.name === name)!.restart_policy;
  t.equal(policy('web'), 'on-startup', 'kleened saved nothing for web');
  t.equal(policy('db'), 'no');
  t.same(list, ['db', 'other', 'web'], 'both listed: web is restored by kleene-boot and, until fixed, also by kleened');
});

// Found here (fixed in src/rcconf/editor.ts): with kleene_containers_list unset, each 'add' edit of one applyEdits call appends
// its own assignment (src/rcconf/editor.ts plans every edit against the original text), so
// `kleene_containers_list='web'` is followed by `kleene_containers_list='db'` and web is lost.
t.test('adopt of two containers into an unset list keeps both', async (t) => {
  const { list } = await adopt(t, '');
  t.same(list, ['db', 'web']);
});
