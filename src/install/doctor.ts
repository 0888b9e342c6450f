// `kleene-boot doctor`, the deciding part: turns facts gathered from a host (doctor-facts.ts)
// into findings, each with the command that fixes it. Pure: no file system, no sockets.
import { NOT_RUN_HINT } from '../rcconf/static-eval.ts';
import { parseYesNo } from '../model/knobs.ts';
import { splitList } from '../model/config.ts';
import type { ContainerSummary } from '../kleened/types.ts';
import type { RcorderWarning } from '../rcorder/index.ts';
import type { AddressChoice } from '../kleened/address.ts';

export type Severity = 'problem' | 'warning' | 'info';

export interface Finding {
  /** Stable identifier tests and scripts match on. */
  id: string;
  severity: Severity;
  message: string;
  /** A command that fixes it (already carrying --root / -R when the check ran on a staged root). */
  fix?: string;
}

export interface ScriptFact {
  name: 'kleened' | 'kleene_containers';
  /** Path as the user sees it (under the root). */
  shown: string;
  present: { sha256: string; mode: number; generatedByKleeneBoot: boolean } | undefined;
  generatedSha256: string;
  /** What install recorded for it, if it did. */
  manifestSha256: string | undefined;
}

export interface NodeFact {
  knob: string;
  path: string;
  /** Exists under the root as an executable regular file (after symlinks). */
  ok: boolean;
}

export interface RcorderFact {
  order: string[];
  warnings: RcorderWarning[];
  /** Path of each of our scripts in `order` (as given to rcorder). */
  scripts: { kleened: string; kleene_containers: string };
  /** Where the base scripts came from: the root's /etc/rc.d, or the FreeBSD 14 list. */
  base: 'root' | 'freebsd14';
  /** Keyword lists of our scripts, to check `shutdown`. */
  keywords: { kleened: string[]; kleene_containers: string[] };
}

export interface DoctorFacts {
  /** '' for the running host, else ` --root DIR` style suffix handled by `cmd`. */
  root: string;
  installed: boolean;
  scripts: ScriptFact[];
  /** Effective rc.conf values per service (after load_rc_config), or why they could not be read. */
  /** notRun: warnings of a static reading under -R (notRunLines), lines not run. */
  rc: { kleened: Map<string, string>; kleene_containers: Map<string, string>; notRun?: string[] } | { error: string };
  nodes: NodeFact[];
  /** The hook bundle at each path the scripts run it from (`ok`: a readable regular file). */
  hooks: NodeFact[];
  containers: { ok: true; list: ContainerSummary[] } | { ok: false; reason: string };
  rcorder: RcorderFact | { error: string };
  /** Where kleened listens: rc.conf's kleened_socket and what kleened's config.yaml says (they must agree, or the hook asks the wrong address). */
  address?: AddressFact;
  /** The pkg trigger and the periodic script, when kleene-boot is installed. */
  hostHooks?: HostHookFact[];
}

export interface HostHookFact {
  name: 'pkg-trigger' | 'periodic-daily';
  /** Path as the user sees it (under the root). */
  shown: string;
  state: 'ok' | 'missing' | 'changed';
}

export interface AddressFact {
  /** rc.conf's kleened_socket, when set (it overrides config.yaml). */
  socket: string | undefined;
  /** kleened's config.yaml as the host sees it. */
  configPath: string;
  /** The address config.yaml gives, or why it gives none. */
  fromConfig: AddressChoice;
}

/** Builds a fix command for the checked root: `kleene-boot X --root R` / `sysrc -R R X`. */
export function fixCommand(root: string, tool: 'kleene-boot' | 'sysrc', args: string): string {
  if (root === '/' || root === '') return `${tool} ${args}`;
  if (tool === 'sysrc') return `sysrc -R ${root} ${args}`;
  const [verb, ...rest] = args.split(' ');
  // `rc set` takes --root after its subcommand.
  if (verb === 'rc') return `kleene-boot rc ${rest[0]} --root ${root} ${rest.slice(1).join(' ')}`.trimEnd();
  return `kleene-boot ${verb} --root ${root}${rest.length ? ` ${rest.join(' ')}` : ''}`;
}

/** Every finding for these facts, problems first, in a stable order. Pure. */
export function diagnose(f: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const kb = (args: string) => fixCommand(f.root, 'kleene-boot', args);
  const sysrc = (args: string) => fixCommand(f.root, 'sysrc', args);
  // Where kleene-boot never installed, plain install replaces (and keeps) whatever is there;
  // --force is for files changed since an install, which install otherwise refuses to touch.
  const reinstall = kb(f.installed ? 'install --force' : 'install');

  if (!f.installed) {
    out.push({ id: 'not-installed', severity: 'problem', message: 'kleene-boot is not installed here (no manifest in /var/db/kleene-boot)', fix: kb('install') });
  }

  for (const s of f.scripts) {
    if (!s.present) {
      out.push({ id: `script-missing:${s.name}`, severity: 'problem', message: `${s.shown} is missing: ${s.name === 'kleened' ? 'kleened will not start' : 'no container will be restored'} at boot`, fix: kb('install') });
      continue;
    }
    if ((s.present.mode & 0o111) === 0) {
      out.push({ id: `script-not-executable:${s.name}`, severity: 'problem', message: `${s.shown} is not executable: rc(8) skips it at boot`, fix: reinstall });
    }
    if (s.present.sha256 === s.generatedSha256) continue;
    if (s.manifestSha256 !== undefined && s.present.sha256 === s.manifestSha256) {
      out.push({ id: `script-outdated:${s.name}`, severity: 'problem', message: `${s.shown} is what an older kleene-boot generated, not what this one generates`, fix: kb('install') });
    } else if (!s.present.generatedByKleeneBoot) {
      out.push({
        id: `script-replaced:${s.name}`,
        severity: 'problem',
        message: `${s.shown} is not kleene-boot's script (did 'pkg upgrade kleene-daemon' put the port's back?)${s.name === 'kleened' ? ': its stop hangs and its status always fails' : ''}`,
        fix: reinstall,
      });
    } else {
      out.push({ id: `script-edited:${s.name}`, severity: 'problem', message: `${s.shown} was edited: it differs from the generated script (see ${kb('generate --diff')})`, fix: reinstall });
    }
  }

  if ('error' in f.rc) {
    // An unreadable file names itself ("cannot read /etc/rc.conf: permission denied").
    out.push({ id: 'rcconf-unreadable', severity: 'problem', message: /^cannot read /.test(f.rc.error) ? f.rc.error : `cannot read rc.conf: ${f.rc.error}`, fix: kb('rc lint') });
  } else {
    for (const l of f.rc.notRun ?? []) {
      if (l.startsWith('  ')) continue;
      out.push({ id: 'rcconf-not-run', severity: 'warning', message: `${l.replace(/^warning: /, '')} (${NOT_RUN_HINT})` });
    }
    const kd = f.rc.kleened;
    const kc = f.rc.kleene_containers;
    const flag = (m: Map<string, string>, name: string): boolean | 'bad' => {
      const v = m.get(name);
      if (v === undefined || v === '') return false;
      return parseYesNo(v) ?? 'bad';
    };
    const kEnabled = flag(kd, 'kleened_enable');
    const cEnabled = flag(kc, 'kleene_containers_enable');
    for (const [name, v, m] of [['kleened_enable', kEnabled, kd], ['kleene_containers_enable', cEnabled, kc]] as const) {
      if (v === 'bad') out.push({ id: `bad-bool:${name}`, severity: 'problem', message: `${name}="${m.get(name)}" is neither YES nor NO: rc.subr treats it as NO and warns at every boot`, fix: kb(`rc set ${name}=YES`) });
    }
    if (kEnabled === true && cEnabled !== true) {
      out.push({ id: 'enable-mismatch:containers-off', severity: 'problem', message: 'kleened_enable is set but kleene_containers_enable is not: kleened starts at boot, the listed containers do not', fix: kb('rc set kleene_containers_enable=YES') });
    }
    if (cEnabled === true && kEnabled !== true) {
      out.push({ id: 'enable-mismatch:kleened-off', severity: 'problem', message: 'kleene_containers_enable is set but kleened_enable is not: nothing starts kleened at boot, so the restore waits for it and fails', fix: kb('rc set kleened_enable=YES') });
    }
    if (kEnabled !== true && cEnabled !== true) {
      out.push({ id: 'not-enabled', severity: 'warning', message: 'neither kleened_enable nor kleene_containers_enable is set: nothing starts at boot', fix: kb('install --enable') });
    }
    // kleened needs ZFS for every container and rewrites pf.conf and runs pfctl at each start (FACTS).
    if (kEnabled === true) {
      for (const [name, why] of [['zfs_enable', 'kleened keeps images, containers and volumes on ZFS; without it datasets are not mounted at boot'],
        ['pf_enable', 'kleened loads its pf rules (pfctl) at every start; without pf at boot, container networking breaks']] as const) {
        if (flag(kd, name) !== true) {
          out.push({ id: `needs:${name}`, severity: 'problem', message: `${name} is not set while kleened_enable is: ${why}`, fix: sysrc(`${name}=YES`) });
        }
      }
    }

    // Containers kleened starts by itself (restart_policy on-startup) that are also in the list:
    // kleened starts them first, one by one and without checks, re-running the command of one
    // whose jail still runs (FACTS); the list's order, dependencies and volume checks never apply.
    if (f.containers.ok) {
      const list = splitList(kc.get('kleene_containers_list') ?? '');
      const listed = (c: ContainerSummary) => list.some((e) => e === c.name || e === c.id || (e.length >= 12 && c.id.startsWith(e)));
      const onStartup = f.containers.list.filter((c) => c.restart_policy === 'on-startup');
      for (const c of onStartup.filter(listed)) {
        out.push({ id: `on-startup-listed:${c.id}`, severity: 'problem', message: `container ${c.name} (${c.id}) has restart_policy on-startup and is in kleene_containers_list: kleened starts it first, without checks, then kleene_containers finds it running`, fix: kb('adopt') });
      }
      const unlisted = onStartup.filter((c) => !listed(c));
      if (unlisted.length > 0 && flag(kc, 'kleene_containers_import_on_startup') !== true) {
        out.push({ id: 'on-startup-unlisted', severity: 'warning', message: `kleened starts ${unlisted.map((c) => c.name).join(', ')} by itself (restart_policy on-startup), with none of kleene_containers' checks`, fix: kb('adopt') });
      }
    } else {
      out.push({ id: 'containers-skipped', severity: 'info', message: `containers not checked: ${f.containers.reason}` });
    }
  }

  const missingNodes = new Map<string, string[]>();
  for (const n of f.nodes.filter((x) => !x.ok)) missingNodes.set(n.path, [...(missingNodes.get(n.path) ?? []), n.knob]);
  for (const [path, knobs] of missingNodes) {
    out.push({ id: `node-missing:${knobs.join(',')}`, severity: 'problem', message: `no executable node at ${path} (${knobs.join(', ')}), which the rc.d scripts run`, fix: `pkg install node22 (or ${kb('install --node PATH')})` });
  }

  // One finding per missing path, naming every knob that points there.
  const missingHooks = new Map<string, string[]>();
  for (const h of f.hooks.filter((x) => !x.ok)) missingHooks.set(h.path, [...(missingHooks.get(h.path) ?? []), h.knob]);
  for (const [path, knobs] of missingHooks) {
    out.push({ id: `hook-missing:${knobs.join(',')}`, severity: 'problem', message: `no hook bundle at ${path} (${knobs.join(', ')}): kleened's start cannot wait for its API and no container is restored`, fix: kb('install') });
  }

  if ('error' in f.rcorder) {
    out.push({ id: 'rcorder-failed', severity: 'warning', message: `boot order not computed: ${f.rcorder.error}` });
  } else {
    const r = f.rcorder;
    const ours = [r.scripts.kleened, r.scripts.kleene_containers];
    const pos = (file: string) => r.order.indexOf(file);
    const describe = (file: string) => {
      const i = pos(file);
      if (i < 0) return `${file}: not in the boot order`;
      return `${file} runs ${i + 1} of ${r.order.length}, after ${r.order[i - 1] ?? '(nothing)'}`;
    };
    out.push({ id: 'rcorder-position', severity: 'info', message: `boot order (${r.base === 'root' ? 'this root\'s rc.d headers' : 'FreeBSD 14 base headers'}): ${ours.map(describe).join('; ')}` });
    for (const w of r.warnings) {
      const mine = w.files.some((x) => ours.includes(x));
      // The FreeBSD 14 list is partial: its own missing providers say nothing about this host.
      if (!mine && r.base === 'freebsd14' && w.files.every((x) => x.startsWith('/etc/rc.d/'))) continue;
      out.push({ id: `rcorder-${w.kind}`, severity: mine ? 'problem' : 'warning', message: `rcorder: ${w.message}`, fix: mine ? reinstall : undefined });
    }
    const k = pos(r.scripts.kleened);
    const c = pos(r.scripts.kleene_containers);
    if (k >= 0 && c >= 0 && c < k) {
      out.push({ id: 'rcorder-containers-first', severity: 'problem', message: 'kleene_containers runs before kleened at boot', fix: reinstall });
    }
    for (const dep of ['/etc/rc.d/pf', '/etc/rc.d/zfs']) {
      const d = pos(dep);
      if (k >= 0 && d >= 0 && d > k) out.push({ id: `rcorder-before-${dep.slice('/etc/rc.d/'.length)}`, severity: 'problem', message: `kleened runs before ${dep}`, fix: reinstall });
    }
    // As base rc.d/jail: kleened loads pf rules and manages ZFS, which a raised securelevel
    // forbids, and the restore has kleened do both for each container.
    const sl = pos('/etc/rc.d/securelevel');
    for (const [name, i] of [['kleened', k], ['kleene_containers', c]] as const) {
      if (sl >= 0 && i > sl) {
        out.push({ id: `rcorder-after-securelevel:${name}`, severity: 'problem', message: `${name} runs after securelevel: once kern.securelevel is raised, pf rules and ZFS changes are refused (its header needs BEFORE: securelevel)`, fix: reinstall });
      }
    }
    for (const [name, kws] of Object.entries(r.keywords)) {
      if (pos(r.scripts[name as keyof typeof r.scripts]) < 0) continue;
      if (!kws.includes('shutdown')) out.push({ id: `rcorder-no-shutdown:${name}`, severity: 'problem', message: `${name} has no KEYWORD: shutdown, so rc.shutdown never stops it`, fix: reinstall });
    }
  }

  if (f.address) out.push(...addressFindings(f.address, kb));

  for (const h of f.hostHooks ?? []) {
    if (h.state === 'ok') continue;
    const what = h.name === 'pkg-trigger'
      ? { label: 'the pkg trigger', loss: "the next 'pkg upgrade kleene-daemon' puts the port's rc.d/kleened back and nothing notices" }
      : { label: 'the periodic daily script', loss: "the daily mail says nothing of containers that are down or of drift" };
    out.push(h.state === 'missing'
      ? { id: `${h.name}-missing`, severity: h.name === 'pkg-trigger' ? 'problem' : 'warning', message: `${what.label} ${h.shown} is missing: ${what.loss}`, fix: kb('install') }
      : { id: `${h.name}-changed`, severity: 'warning', message: `${what.label} ${h.shown} differs from what kleene-boot installs`, fix: kb('install --force') });
  }

  const rank: Record<Severity, number> = { problem: 0, warning: 1, info: 2 };
  return out.map((x, i) => ({ x, i })).sort((a, b) => rank[a.x.severity] - rank[b.x.severity] || a.i - b.i).map((e) => e.x);
}

/** One line per finding, with its fix on the next line. */
/**
 * kleened_socket against config.yaml: rc.d/kleened's start wait, status and the restore use
 * kleened_socket when it is set, but kleened itself listens where config.yaml says.
 */
function addressFindings(a: AddressFact, kb: (args: string) => string): Finding[] {
  const c = a.fromConfig;
  if (c.unreadable) {
    return [{ id: 'kleened-config-unreadable', severity: 'problem', message: c.problem!, fix: `run as root, or make ${a.configPath} readable` }];
  }
  if (c.fatal) {
    if (a.socket !== undefined) return [];
    return [{ id: 'kleened-config-tls-only', severity: 'problem', message: c.problem ?? `${a.configPath} lists only TLS listeners`, fix: kb('rc set kleened_socket=PATH') }];
  }
  if (c.problem !== undefined) {
    // A missing config.yaml is kleened's install to make (`service kleened init`), not drift.
    return [{ id: 'kleened-config-unreadable', severity: /\(ENOENT\)/.test(c.problem) ? 'info' : 'warning',
      message: `${c.problem.replace(/; using .*$/, '')}: kleene-boot cannot tell where kleened listens, and ${a.socket === undefined ? `assumes ${c.address}` : `trusts kleened_socket=${a.socket}`}`,
      fix: `check ${a.configPath} (the file kleened reads), or ${kb('rc set kleened_socket=PATH')}` }];
  }
  if (a.socket !== undefined && c.address !== a.socket) {
    return [{ id: 'kleened-socket-disagrees', severity: 'problem',
      message: `kleened_socket=${a.socket} (rc.conf) but ${a.configPath} has kleened listen on ${c.address}: rc.d/kleened's start wait, status and the restore would ask the wrong address`,
      fix: kb('rc unset kleened_socket') }];
  }
  return [];
}

export function formatFindings(findings: Finding[]): string {
  if (findings.every((f) => f.severity === 'info')) {
    return [...findings.map((f) => `info: ${f.message}`), 'kleene-boot doctor: no problems found'].join('\n');
  }
  return findings.map((f) => `${f.severity}: ${f.message}${f.fix ? `\n  fix: ${f.fix}` : ''}`).join('\n');
}
