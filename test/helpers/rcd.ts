// A simulated host with kleene-boot's generated rc.d scripts, its hook and the kleened double
// installed at their FreeBSD paths: the fixture for driving the scripts through rc.subr.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderScript } from '../../src/render/render.ts';
import { SimHost } from './sim-host.ts';
import { KLEENED_BIN, kleenedConfigYaml, makeState, readRequestLog, writeState, type StateSpec, type SimState } from './sim-state.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
export const HOOK_BUNDLE = join(repo, 'dist/hook.js');
/** FreeBSD paths inside the sim. */
export const P = {
  kleenedRc: '/usr/local/etc/rc.d/kleened',
  containersRc: '/usr/local/etc/rc.d/kleene_containers',
  hook: '/usr/local/libexec/kleene-boot/hook.js',
  program: '/usr/local/libexec/kleened/bin/kleened',
  config: '/usr/local/etc/kleened/config.yaml',
  pidfile: '/var/run/kleened.pid',
  socket: '/var/run/kleened.sock',
  log: '/var/log/kleened.log',
  state: '/var/db/kleene-sim/state.json',
  requests: '/var/log/kleened-requests.log',
} as const;

export interface RcdHostOptions {
  state?: StateSpec;
  /** rc.conf text (default: both services enabled, short timeouts). */
  rcConf?: string;
  /** Install kleene_containers too (default true). */
  containers?: boolean;
}

export const FAST_RC_CONF = [
  'kleened_enable="YES"',
  'kleened_ready_timeout="5"',
  'kleened_shutdown_timeout="3"',
  'kleene_containers_enable="YES"',
  'kleene_containers_wait_timeout="3"',
  'kleene_containers_start_timeout="3"',
  '',
].join('\n');

/** Builds the sim: generated scripts (node = /usr/bin/node), the hook bundle, the kleened double, its config and state. */
export async function createRcdHost(opts: RcdHostOptions = {}): Promise<SimHost> {
  const host = await SimHost.create({ prefix: 'kb-rcd-' });
  const gen = { prefix: '/usr/local', node: '/usr/bin/node' };
  await host.installRcScript('kleened', await renderScript('kleened', gen));
  if (opts.containers !== false) await host.installRcScript('kleene_containers', await renderScript('kleene_containers', gen));
  await host.writeFile(P.hook, readFileSync(HOOK_BUNDLE), 0o444);
  const link = await host.sh(`mkdir -p ${'/usr/local/libexec/kleened/bin'} && ln -sf '${KLEENED_BIN}' ${P.program}`);
  if (link.code !== 0) throw new Error(`installing the kleened double: ${link.stderr}`);
  await host.writeFile(P.config, kleenedConfigYaml());
  setState(host, makeState(opts.state ?? {}));
  await host.writeFile('/etc/rc.conf', opts.rcConf ?? FAST_RC_CONF);
  return host;
}

export function setState(host: SimHost, state: SimState): void {
  writeState(host.path(P.state), state);
}

export function requestLog(host: SimHost) {
  try {
    return readRequestLog(host.path(P.requests));
  } catch {
    return [];
  }
}

/** Runs `/bin/sh SCRIPT ARG` as rc(8) and service(8) do. */
export function rc(host: SimHost, script: string, arg: string, timeoutMs = 20_000) {
  return host.run('/bin/sh', [script, arg], { timeoutMs });
}

/** The pid kleened wrote, or undefined. */
export async function kleenedPid(host: SimHost): Promise<number | undefined> {
  try {
    const n = Number((await host.readFile(P.pidfile)).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the API directly (GET /containers/list through the sim's socket, 1 s bound): true = 200. */
export function apiAnswers(host: SimHost): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: host.path(P.socket), path: '/containers/list', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
