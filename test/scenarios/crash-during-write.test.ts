// Boot scenario: the process editing rc.conf is killed at each step of its write (temp
// file written, temp file synced, renamed) for each file it changes. Every file is then either
// the old or the new one, complete; sh still parses it; the next edit is not wedged by a stale
// lock; and the next boot reads a complete configuration.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const RC = '/etc/rc.conf';
const FRAG = '/etc/rc.conf.d/kleene_containers';
const EDITS = ['kleene_containers_list=db cache', 'kleene_containers_cache_depend=db'];

t.test('a kill at any step of an rc.conf write leaves each file old or new and complete, and the next boot reads it', async (t) => {
  const quick = { start_delay_ms: 50 };
  const sim = await BootSim.create(t, {
    state: { containers: ['db', 'web', 'cache'].map((name) => ({ name, faults: quick })) },
    rcConf: { kleene_containers_list: 'db web' },
  });
  const h = sim.host;
  const oldRc = await h.readFile(RC);
  const read = async (p: string) => (await h.exists(p) ? h.readFile(p) : null);
  const reset = async () => {
    await h.writeFile(RC, oldRc);
    await h.sh(`rm -f ${FRAG} /etc/rc.conf.bak /etc/rc.conf.d/*.bak`);
  };
  // Bundled once with esbuild (into /tmp, which the sim sees): each of the eight children then
  // starts as plain node instead of compiling the editor's TypeScript again.
  const dir = mkdtempSync(join(tmpdir(), 'kb-crash-edit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = join(dir, 'crash-edit.mjs');
  await build({ entryPoints: [join(REPO, 'test/doubles/boot/crash-edit.ts')], bundle: true, platform: 'node', format: 'esm',
    outfile: child, logLevel: 'silent', banner: { js: "import { createRequire as bannerCreateRequire } from 'node:module'; const require = bannerCreateRequire(import.meta.url);" } });
  const crashEdit = (file: string, step: string) => sim.run(`crash-edit ${file} ${step}`, '/bin/sh',
    ['-c', `exec ${'/usr/local/bin/node'} ${child} "$@"`, 'sh', file, step, ...EDITS]);

  // The edit run to completion, to know the new texts.
  const clean = await crashEdit('/nowhere', 'never');
  t.equal(clean.code, 0, `the edit runs to completion without a crash:\n${clean.stdout}${clean.stderr}`);
  const newRc = await read(RC);
  const newFrag = await read(FRAG);
  t.not(newRc, oldRc, 'the edit changes rc.conf');
  t.ok(newFrag, 'and creates the fragment');
  const steps = clean.stdout.split('\n').filter((l) => l.startsWith('step ')).map((l) => l.split(' ').slice(1) as [string, string]);
  t.same(new Set(steps.map((s) => s[0])), new Set([RC, FRAG]), 'both files go through the atomic write');

  for (const [file, step] of steps) {
    await reset();
    const r = await crashEdit(file, step);
    t.equal(r.code, 137, `killed at ${file} ${step}`);
    const rc = await read(RC);
    const frag = await read(FRAG);
    t.ok(rc === oldRc || rc === newRc, `${step} of ${file}: rc.conf is the old or the new file, complete`);
    t.ok(frag === null || frag === newFrag, `${step} of ${file}: the fragment is absent or complete`);
    if (file === RC) t.equal(rc, step === 'renamed' ? newRc : oldRc, `rc.conf is ${step === 'renamed' ? 'new' : 'old'} after a kill at ${step}`);
    if (file === FRAG) t.equal(frag, step === 'renamed' ? newFrag : null, `the fragment is ${step === 'renamed' ? 'there' : 'absent'} after a kill at ${step}`);
    for (const p of [RC, FRAG]) {
      if (await h.exists(p)) t.equal((await sim.run(`sh -n ${p}`, '/bin/sh', ['-n', p])).code, 0, `${p} parses as sh`);
    }
    const eff = await sim.run('effective list', '/bin/sh', ['-c', '. /etc/rc.subr; load_rc_config kleene_containers; echo "$kleene_containers_list|${kleene_containers_cache_depend-}"']);
    t.ok(['db web|\n', 'db cache|\n', 'db web|db\n', 'db cache|db\n'].includes(eff.stdout), `rc.subr reads whole values: ${eff.stdout.trim()}`);
    const next = await sim.kleeneBoot('rc', 'set', 'kleene_containers_jobs=2');
    t.equal(next.code, 0, `the next edit is not blocked by the killed one's lock: ${next.stdout.trim()}`);
  }

  // The worst moment for a boot: killed between the two files (rc.conf renamed, fragment not yet).
  await reset();
  const order = steps.map(([f]) => f);
  const first = order[0]!;
  const second = order.find((f) => f !== first)!;
  const between = await crashEdit(second, 'temp-written');
  t.equal(between.code, 137, `killed between ${first} and ${second}`);
  const eff = await sim.run('effective list', '/bin/sh', ['-c', '. /etc/rc.subr; load_rc_config kleene_containers; echo "$kleene_containers_list"']);
  const want = eff.stdout.trim().split(' ');
  t.equal((await sim.boot()).code, 0, 'the next boot ran');
  const state = sim.state();
  const started = state.events.filter((e) => e.type === 'start').map((e) => e.container).sort();
  t.same(started, want.map((n) => containerId(state, n)).sort(), `the boot started exactly the list it read (${want.join(' ')})`);
  t.match(await h.syslog(), new RegExp(`restore: ok: ${want.length} containers: ${want.length} started`), 'with no error about the configuration');
  t.notMatch(await h.syslog(), /error:/, 'no entry was read half-written');
});
