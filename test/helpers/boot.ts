// BootSim: a simulated FreeBSD host that boots and shuts down with kleene-boot installed, for the
// boot scenario tests. It composes:
// - SimHost (sim-host.ts): private mount+pid namespace, rc.subr double, FreeBSD shims;
// - the kleened double at /usr/local/libexec/kleened/bin/kleened with its config.yaml and the
//   shared sim state (sim-state.ts) that the jls/zfs/jexec shims read too;
// - kleene-boot installed into the sim by its own installer (`install.sh --root /`, from a
//   release-shaped copy);
// - the /etc/rc- and /etc/rc.shutdown-like drivers and base stand-ins of test/doubles/boot, with
//   /sbin/rcorder running our rcorder (src/rcorder).
// Every command it runs and everything the sim logged make up a transcript, printed when a test
// using the sim fails, so a failure can be read without rerunning it.
import type { Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { SimHost, type SimRunResult } from './sim-host.ts';
import {
  kleenedConfigYaml, makeState, readRequestLog, readState, writeState,
  type RequestLogEntry, type SimState, type StateSpec,
} from './sim-state.ts';
import { baseStandIns, EVENTS_LOG } from '../doubles/boot/stand-ins.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DRIVERS = fileURLToPath(new URL('../doubles/boot/', import.meta.url));
const KLEENED_DOUBLE = fileURLToPath(new URL('../doubles/kleened/bin/kleened', import.meta.url));

/** Paths inside the sim. */
export const SIM = {
  state: '/var/db/kleene-sim/state.json',
  kleenedProgram: '/usr/local/libexec/kleened/bin/kleened',
  kleenedConfig: '/usr/local/etc/kleened/config.yaml',
  kleenedLog: '/var/log/kleened.log',
  requestLog: '/var/log/kleened-requests.log',
  socket: '/var/run/kleened.sock',
  events: EVENTS_LOG,
  rcorderErr: '/var/log/boot-sim/rcorder.err',
  syslog: '/var/log/messages',
  rcd: '/usr/local/etc/rc.d',
  node: '/usr/local/bin/node',
  /** Where a release-shaped copy of kleene-boot is staged for install.sh. */
  release: '/var/tmp/kleene-boot-release',
} as const;

/**
 * rc.conf lines every scenario starts from: both services on, every wait short so a scenario
 * takes seconds: each scenario keeps its waits short through the timeouts it sets.
 */
export const FAST_RC_CONF: Readonly<Record<string, string>> = {
  kleened_enable: 'YES',
  kleene_containers_enable: 'YES',
  kleened_ready_timeout: '5',
  kleened_shutdown_timeout: '3',
  kleene_containers_start_timeout: '3',
  kleene_containers_stop_timeout: '2',
  kleene_containers_wait_timeout: '5',
  // rc.shutdown's watchdog only fires when something hangs; 10 s fired on a loaded 2-core
  // machine during ordinary shutdowns. Tests of the watchdog itself set their own.
  rcshutdown_timeout: '30',
};

export interface BootSimOptions {
  /** Containers, volumes, datasets, jails and faults of the host (sim-state.ts makeState). */
  state?: StateSpec;
  /** Variables for /etc/rc.conf on top of FAST_RC_CONF (a value of null leaves it out). */
  rcConf?: Record<string, string | null>;
  /** Raw text appended to /etc/rc.conf after the variables (hostile input, comments…). */
  rcConfExtra?: string;
  /** kleened's config.yaml text; default: kleened's example shape on SIM.socket. */
  kleenedConfig?: string;
  /** Install kleene-boot into the sim (default true). */
  install?: boolean;
}

/** One line of the drivers' event log (see test/doubles/boot/rc). */
export interface BootEvent {
  ms: number;
  kind: string;
  args: string[];
}

/** One rc.d script run by a driver: when it began and ended, and its exit status. */
export interface ScriptRun {
  file: string;
  name: string;
  arg: string;
  begin: number;
  end?: number;
  status?: number;
}

/** A command run in the sim, with what it printed, for the transcript. */
interface Step {
  label: string;
  result: SimRunResult;
}

/** Renders rc.conf lines `name="value"` the way sysrc writes them (value single-quote safe). */
export function rcConfText(vars: Record<string, string | null>): string {
  return Object.entries(vars)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}="${v.replace(/(["\\$`])/g, '\\$1')}"\n`)
    .join('');
}

export class BootSim {
  private readonly steps: Step[] = [];
  private consoleSeq = 0;

  private constructor(readonly host: SimHost) {}

  /**
   * Builds a sim ready to boot and registers its teardown on `t`: the transcript is printed as
   * test comments when `t` failed, then the sim is destroyed. Rejects when a setup step fails.
   */
  static async create(t: Test, opts: BootSimOptions = {}): Promise<BootSim> {
    for (const f of ['dist/cli.js', 'dist/hook.js', 'dist/rcorder.js']) {
      if (!existsSync(REPO + f)) throw new Error(`boot-sim: ${f} is missing: run \`npm run build\` first`);
    }
    const host = await SimHost.create({ prefix: 'kleene-boot-sim-' });
    const sim = new BootSim(host);
    t.teardown(async () => {
      if (!t.passing()) {
        const text = await sim.transcript().catch((e: Error) => `(transcript unavailable: ${e.message})`);
        t.comment(`boot transcript:\n${text}`);
      }
      await host.destroy();
    });
    await sim.setup(opts);
    return sim;
  }

  private async setup(opts: BootSimOptions): Promise<void> {
    const h = this.host;
    // rcorder at its FreeBSD path, running our implementation.
    await h.writeFile('/sbin/rcorder', `#!/bin/sh\nexec ${SIM.node} ${REPO}dist/rcorder.js "$@"\n`, 0o555);
    await h.installFile(`${DRIVERS}rc`, '/etc/rc', 0o555);
    await h.installFile(`${DRIVERS}rc.shutdown`, '/etc/rc.shutdown', 0o555);
    for (const s of baseStandIns()) await h.writeFile(s.path, s.text, 0o555);
    await h.run('/bin/mkdir', ['-p', '/var/log/boot-sim', '/usr/local/libexec/kleened/bin']);
    // The double finds its main.mjs through the link, like the release script it stands for.
    await h.run('/bin/ln', ['-sf', KLEENED_DOUBLE, SIM.kleenedProgram]);
    await h.writeFile(SIM.kleenedConfig, opts.kleenedConfig ?? kleenedConfigYaml(`http://${SIM.socket}`));
    writeState(h.path(SIM.state), makeState(opts.state ?? {}));
    const vars = { ...FAST_RC_CONF, ...(opts.rcConf ?? {}) };
    await h.writeFile('/etc/rc.conf', rcConfText(vars) + (opts.rcConfExtra ?? ''));
    if (opts.install ?? true) {
      // install.sh in a checkout runs `npm run build`, which would rewrite dist/ under the feet of
      // the other test files running in parallel; a release-shaped copy (install.sh, dist/,
      // templates/, the man page, no package.json) makes it go straight to `kleene-boot install`.
      await h.run('/bin/mkdir', ['-p', `${SIM.release}/dist`]);
      for (const f of ['install.sh', 'kleene-boot.8', 'dist/cli.js', 'dist/hook.js', 'dist/package.json']) {
        await h.installFile(`${REPO}${f}`, `${SIM.release}/${f}`, f.endsWith('.sh') ? 0o555 : 0o444);
      }
      const cp = await h.run('/bin/cp', ['-R', `${REPO}templates`, `${SIM.release}/templates`]);
      if (cp.code !== 0) throw new Error(`boot-sim: cannot stage templates: ${cp.stderr}`);
      const r = await this.run('install.sh --root / --prefix /usr/local', '/bin/sh',
        [`${SIM.release}/install.sh`, '--root', '/', '--prefix', '/usr/local', '--node', SIM.node]);
      if (r.code !== 0) throw new Error(`boot-sim: install.sh failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    }
  }

  /** Runs a command in the sim, recording it for the transcript. Never rejects on failure. */
  async run(label: string, cmd: string, args: readonly string[] = [], timeoutMs = 30_000): Promise<SimRunResult> {
    const result = await this.host.run(cmd, args, { timeoutMs });
    this.steps.push({ label, result });
    return result;
  }

  /**
   * Runs a driver or service command with its output sent to a console file in the sim, not to a
   * pipe: a process it leaves behind (a hung stop, a daemon without -f) must not hold the test.
   */
  private async console(label: string, argv: readonly string[], timeoutMs: number): Promise<SimRunResult> {
    const file = `/var/log/boot-sim/console.${++this.consoleSeq}`;
    const script = `exec "$@" >${file} 2>&1 </dev/null`;
    const r = await this.host.run('/bin/sh', ['-c', script, 'sh', ...argv], { timeoutMs });
    let out = '';
    try { out = await this.host.readFile(file); } catch { /* nothing printed */ }
    const result = { ...r, stdout: out };
    this.steps.push({ label, result });
    return result;
  }

  /** Boots: /etc/rc autoboot under env -i, as init(8) starts it. Resolves when rc exits. */
  boot(timeoutMs = 60_000): Promise<SimRunResult> {
    return this.console('boot: /etc/rc autoboot',
      ['/usr/bin/env', '-i', 'HOME=/', 'PATH=/sbin:/bin:/usr/sbin:/usr/bin', '/bin/sh', '/etc/rc', 'autoboot'], timeoutMs);
  }

  /** Shuts down: /etc/rc.shutdown reboot under env -i. Resolves when it exits (or is killed). */
  shutdown(timeoutMs = 60_000): Promise<SimRunResult> {
    return this.console('shutdown: /etc/rc.shutdown reboot',
      ['/usr/bin/env', '-i', 'HOME=/', 'PATH=/sbin:/bin:/usr/sbin:/usr/bin', '/bin/sh', '/etc/rc.shutdown', 'reboot'], timeoutMs);
  }

  /** `service NAME CMD...` as a sysadmin would type it (service(8) gives the script env -i). */
  service(name: string, ...cmd: string[]): Promise<SimRunResult> {
    return this.console(`service ${name} ${cmd.join(' ')}`, ['/usr/sbin/service', name, ...cmd], 60_000);
  }

  /** `kleene-boot ARGS...` through the installed wrapper. */
  kleeneBoot(...args: string[]): Promise<SimRunResult> {
    return this.console(`kleene-boot ${args.join(' ')}`, ['/usr/local/bin/kleene-boot', ...args], 30_000);
  }

  /** The sim state (containers, jails, datasets, events, stats) as the double and shims see it. */
  state(): SimState {
    return readState(this.host.path(SIM.state));
  }

  /** Changes the sim state in place (a fault, a dataset unmounted between boots…). */
  mutateState(fn: (s: SimState) => void): void {
    const s = this.state();
    fn(s);
    writeState(this.host.path(SIM.state), s);
  }

  /** The kleened double's request log. */
  requests(): RequestLogEntry[] {
    return readRequestLog(this.host.path(SIM.requestLog));
  }

  /** The drivers' events, oldest first. */
  async events(): Promise<BootEvent[]> {
    const text = await this.readOr(SIM.events);
    return text.split('\n').filter(Boolean).map((l) => {
      const [ms, kind, ...args] = l.split(' ');
      return { ms: Number(ms), kind: kind ?? '', args };
    });
  }

  /** Every script run the drivers recorded, in order. */
  async scriptRuns(): Promise<ScriptRun[]> {
    const runs: ScriptRun[] = [];
    for (const e of await this.events()) {
      if (e.kind === 'script-begin') {
        const file = e.args[0]!;
        runs.push({ file, name: file.split('/').pop()!, arg: e.args[1] ?? '', begin: e.ms });
      } else if (e.kind === 'script-end') {
        const run = [...runs].reverse().find((r) => r.file === e.args[0] && r.end === undefined);
        if (run) { run.end = e.ms; run.status = Number(e.args[1]); }
      }
    }
    return runs;
  }

  /** The order a driver computed (`pass1`, `pass2` or `shutdown`), as script names. */
  async order(which: 'pass1' | 'pass2' | 'shutdown'): Promise<string[]> {
    const e = [...await this.events()].reverse().find((x) => x.kind === 'order' && x.args[0] === which);
    return (e?.args.slice(1) ?? []).map((f) => f.split('/').pop()!);
  }

  /** Reads a sim file, or '' when it does not exist. */
  async readOr(p: string): Promise<string> {
    try { return await this.host.readFile(p); } catch { return ''; }
  }

  /** Everything a human needs to see why a scenario failed. */
  async transcript(): Promise<string> {
    const parts: string[] = [];
    for (const s of this.steps) {
      const r = s.result;
      parts.push(`=== ${s.label}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''} in ${r.ms} ms`);
      if (r.stdout) parts.push(r.stdout.trimEnd());
      if (r.stderr) parts.push(`--- stderr\n${r.stderr.trimEnd()}`);
    }
    const file = async (label: string, p: string, keep: (line: string) => boolean = () => true) => {
      const text = (await this.readOr(p)).split('\n').filter(keep).join('\n');
      parts.push(`=== ${label} (${p})`, text.trimEnd() || '(empty)');
    };
    // The base stand-ins' own lines repeat their script-begin/end: leave them out.
    await file('driver events', SIM.events, (l) => !/^\d+ stand-in /.test(l));
    // Output of a script the driver never saw finish (killed by the watchdog, or still running).
    const left = await this.host.sh('for f in /var/log/boot-sim/script.*; do [ -e "$f" ] && { echo "=== unfinished script output ($f)"; cat "$f"; }; done; :');
    if (left.stdout) parts.push(left.stdout.trimEnd());
    await file('rcorder warnings', SIM.rcorderErr);
    await file('syslog', SIM.syslog);
    await file('kleened log', SIM.kleenedLog);
    await file('kleened request log', SIM.requestLog);
    await file('rc.conf', '/etc/rc.conf');
    try {
      const s = this.state();
      parts.push('=== sim state events', ...s.events.map((e) => `${e.time} ${e.type} ${e.container}${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`));
      parts.push(`=== jails: ${s.jails.map((j) => `${j.name}(${j.jid})`).join(' ') || 'none'}; stats ${JSON.stringify(s.stats)}`);
    } catch (e) {
      parts.push(`=== sim state unreadable: ${(e as Error).message}`);
    }
    return parts.join('\n');
  }
}

/** Milliseconds since the epoch of an ISO time (the double's event and request log times). */
export function isoMs(time: string): number {
  return Date.parse(time);
}
