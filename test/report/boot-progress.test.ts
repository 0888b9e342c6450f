// Live progress at boot: in the boot simulation, containers with different start
// delays are restored by /etc/rc; the test watches the console (the rc.d script's output, as the
// driver captures it) and syslog while boot runs and stamps each line when it first appears. A
// fast container's line must be there long before the slow one is even started by kleened.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootSim, SIM, isoMs } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

/** Polls files in the sim every few ms; remembers when each line was first seen. */
class Watcher {
  readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly files: () => string[]) {}
  start(): void {
    const tick = (): void => {
      for (const f of this.files()) {
        let text = '';
        try { text = readFileSync(f, 'utf8'); } catch { continue; }
        const now = Date.now();
        for (const l of text.split('\n')) if (l && !this.seen.has(l)) this.seen.set(l, now);
      }
      this.timer = setTimeout(tick, 15);
    };
    tick();
  }
  stop(): void { clearTimeout(this.timer); }
  /** When the first line matching `re` was seen. */
  when(re: RegExp): number | undefined {
    for (const [l, at] of this.seen) if (re.test(l)) return at;
    return undefined;
  }
}

t.test('each container\'s line reaches the console and syslog as soon as its outcome is known', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: [
      { name: 'slow', faults: { start_delay_ms: 3000 } },
      { name: 'fast', faults: { start_delay_ms: 100 } },
      { name: 'after', faults: { start_delay_ms: 100 } },
    ] },
    rcConf: {
      kleene_containers_list: 'slow fast after',
      kleene_containers_after_depend: 'slow',
      kleene_containers_start_timeout: '20',
    },
  });
  const logDir = sim.host.path('/var/log/boot-sim');
  const syslog = sim.host.path(SIM.syslog);
  const watch = new Watcher(() => {
    let names: string[] = [];
    try { names = readdirSync(logDir); } catch { /* not yet */ }
    return [...names.filter((n) => n.startsWith('script.') || n.startsWith('console.')).map((n) => join(logDir, n)), syslog];
  });
  watch.start();
  const boot = await sim.boot();
  watch.stop();
  t.equal(boot.code, 0, 'rc finished');

  const id = (n: string) => containerId(sim.state(), n);
  const jailAt = (n: string) => isoMs(sim.state().events.find((e) => e.type === 'start' && e.container === id(n))!.time);
  const fastLine = watch.when(new RegExp(`^fast \\(${id('fast')}\\): started$`));
  const fastLog = watch.when(new RegExp(`^kleene_containers: fast \\(${id('fast')}\\): started$`));
  const slowLine = watch.when(new RegExp(`^slow \\(${id('slow')}\\): started$`));
  const summary = watch.when(/^restore: ok: 3 containers: 3 started$/);
  t.ok(fastLine !== undefined && slowLine !== undefined && summary !== undefined, 'every line was seen on the console');
  t.ok(fastLog !== undefined, 'and in syslog');
  // slow's jail appears 3 s after its start request; fast's line must precede it by far. Mutation
  // tried: RunProgress.line writing nothing, so every line comes out with the summary at the end:
  // fast's console line comes after slow's jail and these fail.
  const slowJail = jailAt('slow');
  t.ok(fastLine! < slowJail - 1500, `fast's console line at ${fastLine}, slow's jail at ${slowJail}`);
  t.ok(fastLog! < slowJail - 1500, `fast's syslog line at ${fastLog}, slow's jail at ${slowJail}`);
  t.ok(slowLine! >= slowJail, 'slow\'s line only once it is up');
  t.ok(summary! >= watch.when(new RegExp(`^after \\(${id('after')}\\): started$`))!, 'the summary closes the report');

  // The console shows each line once, in the order outcomes came, the summary last.
  const out = boot.stdout.split('\n');
  const idx = (re: RegExp) => out.findIndex((l) => re.test(l));
  t.ok(idx(/^fast \(/) < idx(/^slow \(/) && idx(/^slow \(/) < idx(/^after \(/) && idx(/^after \(/) < idx(/^restore: ok/), boot.stdout);
  t.equal(out.filter((l) => /^fast \(/.test(l)).length, 1, 'fast\'s line once');
  const logged = (await sim.readOr(SIM.syslog)).split('\n').filter((l) => l.startsWith('kleene_containers: '));
  t.equal(logged.filter((l) => /fast \(/.test(l)).length, 1, 'once in syslog too');

  // The run's record under /var/db/kleene-boot, read by `kleene-boot report` in the sim.
  const report = await sim.kleeneBoot('report');
  t.equal(report.code, 0, report.stdout);
  t.match(report.stdout, /^  after \([0-9a-f]{12}\) @\d+\.\d{3}s \+\d+\.\d{3}s waited \d+\.\d{3}s\n  └─slow /m, 'the chain: slow, then after');
});

t.test('in background mode the lines reach syslog as they happen', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: [
      { name: 'slow', faults: { start_delay_ms: 3000 } },
      { name: 'fast', faults: { start_delay_ms: 100 } },
    ] },
    rcConf: { kleene_containers_list: 'slow fast', kleene_containers_start_timeout: '20', kleene_containers_background: 'YES' },
  });
  const syslog = sim.host.path(SIM.syslog);
  const watch = new Watcher(() => [syslog]);
  watch.start();
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  // Boot goes on; the restore finishes in the background: wait (bounded) for its summary.
  for (const end = Date.now() + 30_000; Date.now() < end && watch.when(/restore: ok/) === undefined;) await new Promise((r) => setTimeout(r, 50));
  watch.stop();
  const id = (n: string) => containerId(sim.state(), n);
  const slowJail = isoMs(sim.state().events.find((e) => e.type === 'start' && e.container === id('slow'))!.time);
  const fast = watch.when(new RegExp(`^kleene_containers: fast \\(${id('fast')}\\): started$`));
  t.ok(fast !== undefined && fast < slowJail - 1500, `fast's syslog line at ${fast}, slow's jail at ${slowJail}`);
  t.ok(watch.when(/^kleene_containers: restore: ok: 2 containers: 2 started$/)! >= slowJail, 'the summary last');
});
