// `kleene-boot doctor`, the adapter part: reads what the checks need from a host or staging root
// (manifest, installed scripts, effective rc.conf, node binaries, kleened's container list, the
// rc.d headers) and hands plain facts to diagnose(). Each source that fails becomes a fact
// saying why, never an exception: doctor must report on a broken host.
import { constants, promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { formatError } from '../errors.ts';
import { createKleenedClient } from '../kleened/client.ts';
import type { ContainerSummary } from '../kleened/types.ts';
import { notRunLines, readEffective, type RcEvaluation } from '../rcconf/effective.ts';
import { isGeneratedScript, renderFiles } from '../render/render.ts';
import { parseHeaders, rcorder, type RcFile } from '../rcorder/index.ts';
import { freebsd14BaseScripts } from './base-rcd-headers.ts';
import type { AddressFact, DoctorFacts, HostHookFact, NodeFact, RcorderFact, ScriptFact } from './doctor.ts';
import { renderPeriodicDaily, renderPkgTrigger } from './host-hooks.ts';
import { chooseAddress } from '../kleened/address.ts';
import { readPresent } from './fsops.ts';
import { installLayout, MANIFEST_PATH } from './layout.ts';
import { readManifest, sha256 } from './manifest.ts';
import { lstatMaybe, resolveRoot, underRoot } from './paths.ts';

/** Lists kleened's containers (all of them) through the socket at `socket` (a path on this machine). */
export type ContainerLister = (socket: string, signal: AbortSignal) => Promise<ContainerSummary[]>;

export interface DoctorDeps {
  listContainers?: ContainerLister;
  /** Bound for the container list request; default 3000 ms. */
  apiTimeoutMs?: number;
}

const DEFAULT_PREFIX = '/usr/local';
/** kleened reads this path, hard-coded (FACTS); kleened_config only names it for rc.d/kleened. */
const KLEENED_CONFIG = '/usr/local/etc/kleened/config.yaml';

/** Gathers every fact diagnose() reads, for the host or staging root `rawRoot`. */
export async function gatherFacts(rawRoot: string, deps: DoctorDeps = {}): Promise<DoctorFacts> {
  const root = await resolveRoot(rawRoot);
  const manifest = await readManifest(underRoot(root, MANIFEST_PATH));
  const prefix = manifest?.prefix ?? DEFAULT_PREFIX;
  const node = manifest?.node ?? `${prefix}/bin/node`;
  const layout = installLayout(prefix);

  const generated = new Map<string, string>();
  try {
    for (const f of await renderFiles({ prefix, node }, { withHook: false })) generated.set(f.path, sha256(f.content));
  } catch {
    // Without templates nothing compares equal; the scripts are then reported as differing.
  }
  const scripts: ScriptFact[] = [];
  for (const name of ['kleened', 'kleene_containers'] as const) {
    const path = layout.rcd[name];
    let present: ScriptFact['present'];
    try {
      const p = await readPresent(root, path);
      if (p) present = { sha256: p.sha256, mode: p.mode, generatedByKleeneBoot: isGeneratedScript(p.content.toString('utf8')) };
    } catch {
      present = { sha256: '', mode: 0, generatedByKleeneBoot: false };
    }
    scripts.push({ name, shown: underRoot(root, path), present, generatedSha256: generated.get(path) ?? '', manifestSha256: manifest?.files.find((f) => f.path === path)?.sha256 });
  }

  let rc: DoctorFacts['rc'];
  try {
    const evaluations: RcEvaluation[] = [];
    const values = async (svc: 'kleened' | 'kleene_containers') => new Map([...(await readEffective(svc, { root, evaluations })).values()].map((v) => [v.name, v.value] as const));
    rc = { kleened: await values('kleened'), kleene_containers: await values('kleene_containers'), notRun: notRunLines(evaluations) };
  } catch (e) {
    rc = { error: formatError(e).replace(/^kleene-boot: /, '') };
  }
  const kd = 'error' in rc ? new Map<string, string>() : rc.kleened;
  const kc = 'error' in rc ? new Map<string, string>() : rc.kleene_containers;

  const nodes: NodeFact[] = [];
  for (const [knob, m] of [['kleened_node', kd], ['kleene_containers_node', kc]] as const) {
    const path = m.get(knob) || node;
    nodes.push({ knob, path, ok: await isExecutable(underRoot(root, path)) });
  }

  const hooks: NodeFact[] = [];
  for (const [knob, m] of [['kleened_hook', kd], ['kleene_containers_hook', kc]] as const) {
    const path = m.get(knob) || layout.hook;
    hooks.push({ knob, path, ok: await isReadableFile(underRoot(root, path)) });
  }

  const rcSocket = kd.get('kleened_socket') || undefined;
  const configPath = kd.get('kleened_config') || KLEENED_CONFIG;
  const fromConfig = await chooseAddress(undefined, configPath, (p) => fsp.readFile(underRoot(root, p), 'utf8'));
  const address: AddressFact = { socket: rcSocket, configPath, fromConfig };
  // Ask kleened where the hook would: kleened_socket, else config.yaml's address (a unix path under the root).
  const chosen = rcSocket ?? fromConfig.address;
  let containers: DoctorFacts['containers'];
  const socket = chosen.startsWith('/') ? underRoot(root, chosen) : chosen;
  try {
    const list = deps.listContainers ?? ((s, signal) => createKleenedClient(s).listContainers(signal));
    containers = { ok: true, list: await list(socket, AbortSignal.timeout(deps.apiTimeoutMs ?? 3000)) };
  } catch (e) {
    containers = { ok: false, reason: `kleened does not answer on ${socket} (${formatError(e).replace(/^kleene-boot: /, '')})` };
  }

  let order: DoctorFacts['rcorder'];
  try {
    order = await rcorderFacts(root, layout.rcd);
  } catch (e) {
    order = { error: formatError(e).replace(/^kleene-boot: /, '') };
  }

  const hostHooks: HostHookFact[] = [];
  if (manifest) {
    const opts = { prefix, node };
    for (const [name, path, text] of [['pkg-trigger', layout.pkgTrigger, renderPkgTrigger(opts)], ['periodic-daily', layout.periodicDaily, renderPeriodicDaily(opts)]] as const) {
      let state: HostHookFact['state'];
      try {
        const p = await readPresent(root, path);
        state = !p ? 'missing' : p.sha256 === sha256(text) ? 'ok' : 'changed';
      } catch {
        state = 'changed';
      }
      hostHooks.push({ name, shown: underRoot(root, path), state });
    }
  }

  return { root, installed: manifest !== undefined, scripts, rc, nodes, hooks, containers, rcorder: order, address, hostHooks };
}

async function isExecutable(full: string): Promise<boolean> {
  try {
    const st = await fsp.stat(full);
    if (!st.isFile()) return false;
    await fsp.access(full, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isReadableFile(full: string): Promise<boolean> {
  try {
    if (!(await fsp.stat(full)).isFile()) return false;
    await fsp.access(full, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Readable regular files of a directory under root, as rcorder input named by host path. */
async function headersIn(root: string, hostDir: string, localOnly: boolean): Promise<RcFile[]> {
  const dir = underRoot(root, hostDir);
  if (!(await lstatMaybe(dir))?.isDirectory()) return [];
  const out: RcFile[] = [];
  for (const name of (await fsp.readdir(dir)).sort()) {
    // rc(8) skips these in local_startup, and runs only executable files there.
    if (localOnly && (name.endsWith('.sample') || name.endsWith('.pkgsave'))) continue;
    const full = join(dir, name);
    const st = await fsp.stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (localOnly && (st.mode & 0o111) === 0) continue;
    const header = parseHeaders(await fsp.readFile(full, 'latin1'), `${hostDir}/${basename(name)}`);
    if (localOnly && header.provide.length === 0) continue;
    out.push({ file: `${hostDir}/${name}`, header });
  }
  return out;
}

async function rcorderFacts(root: string, rcd: { kleened: string; kleene_containers: string }): Promise<RcorderFact> {
  let base = await headersIn(root, '/etc/rc.d', false);
  const fromRoot = base.length > 0;
  if (!fromRoot) base = freebsd14BaseScripts();
  const localDir = rcd.kleened.slice(0, rcd.kleened.lastIndexOf('/'));
  const local = await headersIn(root, localDir, true);
  const { order, warnings } = rcorder([...base, ...local], { skipKeywords: ['nostart'] });
  const kw = (file: string) => local.find((f) => f.file === file)?.header.keyword ?? [];
  return {
    order,
    warnings,
    scripts: rcd,
    base: fromRoot ? 'root' : 'freebsd14',
    keywords: { kleened: kw(rcd.kleened), kleene_containers: kw(rcd.kleene_containers) },
  };
}
