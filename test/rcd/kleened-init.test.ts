// `service kleened init` and `dryinit` (the port's extra commands, kept by kleene-boot's script)
// through the rc.subr double, against the kleened double's `kleened eval
// "Kleened.Core.Config.initialize_host(...)"`, with the kldstat/kldload/sysrc shims: dryinit
// changes nothing, init loads the modules, sets the rc.conf knobs and creates the datasets,
// and a module that cannot load makes init fail.
import t from 'tap';
import type { SimHost } from '../helpers/sim-host.ts';
import { createRcdHost, P, rc } from '../helpers/rcd.ts';
import { readState } from '../helpers/sim-state.ts';

t.jobs = 3;

async function initHost(t: Tap.Test, missing = ''): Promise<SimHost> {
  const host = await createRcdHost({ containers: false, state: { datasets: { 'zroot/kleene/image': null, 'zroot/kleene/volumes': null } } });
  t.teardown(() => host.destroy());
  await host.writeFile('/var/run/sim-kld-unloaded', 'pf\npflog\n');
  if (missing) await host.writeFile('/var/run/sim-kld-missing', `${missing}\n`);
  return host;
}
type Tap = { Test: import('tap').Test };
declare namespace Tap { type Test = import('tap').Test }

const datasets = (host: SimHost) => readState(host.path(P.state)).datasets.map((d) => d.name);

t.test('dryinit reports what init would change and changes nothing', async (t) => {
  const host = await initHost(t);
  const rcBefore = await host.readFile('/etc/rc.conf');
  const r = await rc(host, P.kleenedRc, 'dryinit');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^Testing kleened host configuration\.\.\.$/m);
  t.match(r.stdout, /^kernel module pf: not loaded, would load it$/m);
  t.match(r.stdout, /^rc\.conf pf_enable: not YES, would set it$/m);
  t.match(r.stdout, /^dataset zroot\/kleene\/image: missing, would create it$/m);
  t.match(r.stdout, /^Host configuration test completed successfully$/m);
  t.equal(await host.readFile('/etc/rc.conf'), rcBefore, 'rc.conf untouched');
  t.notOk(await host.exists('/var/run/sim-kld-loaded'), 'no module loaded');
  t.notOk(datasets(host).includes('zroot/kleene/image'), 'no dataset created');
});

t.test('init loads the modules, sets the knobs through sysrc and creates the datasets', async (t) => {
  const host = await initHost(t);
  const r = await rc(host, P.kleenedRc, 'init');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^Initializing kleened host configuration\.\.\.$/m);
  t.match(r.stdout, /^Host initialization completed successfully$/m);
  t.same((await host.readFile('/var/run/sim-kld-loaded')).split('\n').filter(Boolean).sort(), ['pf', 'pflog']);
  const knobs = await host.sh('. /etc/rc.conf; echo "$zfs_enable $pf_enable $pflog_enable"');
  t.equal(knobs.stdout, 'YES YES YES\n');
  for (const d of ['zroot/kleene', 'zroot/kleene/image', 'zroot/kleene/container', 'zroot/kleene/volumes']) t.ok(datasets(host).includes(d), d);
  const again = await rc(host, P.kleenedRc, 'dryinit');
  t.notMatch(again.stdout, /would/, 'a second dryinit finds nothing to do');
});

t.test('init fails, and says so, when a module cannot be loaded', async (t) => {
  const host = await initHost(t, 'pflog');
  const r = await rc(host, P.kleenedRc, 'init');
  t.equal(r.code, 1);
  t.match(r.stdout, /^kernel module pflog: could not load it: kldload: can't load pflog: No such file or directory$/m);
  t.match(r.stdout, /^Host initialization failed$/m);
});
