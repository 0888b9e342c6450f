// The typed model of kleene_containers' rc.conf settings, built from the variables exactly as
// rc.subr left them (the rc.d script exports them to the hook; `rc lint` reads them through
// sh). Pure: takes a plain map, returns the model plus every problem found, so one run
// reports everything. Bad values fall back to the default and are reported; nothing throws.
import { KNOBS, PER_CONTAINER_SUFFIXES, type PerContainerSuffix, knobDefault, parseYesNo } from './knobs.ts';
import { isContainerId, isContainerName, varPart } from './names.ts';

export type ReadyCheck =
  | { kind: 'started' }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string };

export interface ContainerSettings {
  depend: string[];
  /** `_depend` entries that are not container names or ids: the container is blocked on them (a dependency is never dropped). */
  badDepend?: string[];
  priority: number;
  ready: ReadyCheck;
}

export interface ContainersConfig {
  list: string[];
  importOnStartup: boolean;
  jobs: number;
  startTimeout: number;
  /** Stops at once, at most (kleene_containers_stop_jobs). */
  stopJobs: number;
  stopTimeout: number;
  waitTimeout: number;
  background: boolean;
  socket: string;
  tools: { jls: string; zfs: string; jexec: string; logger: string };
  /** Per-container settings keyed by variable part (see varPart). */
  perContainer: Map<string, Partial<ContainerSettings>>;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Stable identifier, e.g. `bad-number`, `bad-bool`, `bad-name`. */
  code: string;
  /** The rc.conf variable the problem is in. */
  variable: string;
  message: string;
  hint?: string;
}

export type VarMap = Readonly<Record<string, string | undefined>>;

export const DEFAULT_PRIORITY = 50;

const PER_CONTAINER_RE = new RegExp(`^kleene_containers_([A-Za-z0-9_]+)_(${PER_CONTAINER_SUFFIXES.join('|')})$`);

function def(name: string): string {
  const k = KNOBS.find((x) => x.name === name);
  if (!k) throw new Error(`no knob ${name}`);
  // The rc.d script always exports its own defaults; this fallback serves callers without it.
  return knobDefault(k, { prefix: '/usr/local', node: '/usr/local/bin/node' });
}

/** Splits an rc.conf list the way sh's field splitting does for IFS=' \t\n'. */
export function splitList(value: string): string[] {
  return value.split(/[ \t\n]+/).filter((x) => x !== '');
}

/** Parses `started`, `tcp:HOST:PORT` or `exec:COMMAND`; returns an error message on failure. */
export function parseReady(value: string): ReadyCheck | string {
  if (value === '' || value === 'started') return { kind: 'started' };
  if (value.startsWith('tcp:')) {
    const rest = value.slice(4);
    const i = rest.lastIndexOf(':');
    if (i <= 0) return `'${value}' needs a host and a port: tcp:HOST:PORT`;
    let host = rest.slice(0, i);
    const portText = rest.slice(i + 1);
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (!/^[A-Za-z0-9.:_-]+$/.test(host)) return `'${host}' is not a host name or address`;
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return `'${portText}' is not a port (1-65535)`;
    }
    return { kind: 'tcp', host, port: Number(portText) };
  }
  if (value.startsWith('exec:')) {
    const command = value.slice(5);
    if (command.trim() === '') return `'${value}' names no command`;
    return { kind: 'exec', command };
  }
  return `'${value}' is not a ready check`;
}

/** Parses a whole number in [min, max]; returns undefined when it is not one. */
export function parseWhole(value: string, min: number, max: number): number | undefined {
  if (!/^[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/** Builds the model from rc.conf variables; every bad value is a diagnostic and gets its default. */
export function parseContainersConfig(vars: VarMap): { config: ContainersConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const get = (name: string): string => vars[name] ?? def(name);

  const bool = (name: string): boolean => {
    const raw = get(name);
    const v = parseYesNo(raw);
    if (v === undefined) {
      diagnostics.push({ severity: 'warning', code: 'bad-bool', variable: name,
        message: `'${raw}' is not a boolean; rc.subr treats it as NO`, hint: 'use YES or NO (also TRUE/FALSE, ON/OFF, 1/0)' });
      return false;
    }
    return v;
  };
  const whole = (name: string): number => {
    const k = KNOBS.find((x) => x.name === name)!;
    const raw = get(name);
    const v = parseWhole(raw.trim(), k.min ?? 0, k.max ?? Number.MAX_SAFE_INTEGER);
    if (v === undefined) {
      diagnostics.push({ severity: 'error', code: 'bad-number', variable: name,
        message: `'${raw}' is not a whole number from ${k.min} to ${k.max}`, hint: `the default is ${k.default}` });
      return Number(k.default);
    }
    return v;
  };
  const path = (name: string): string => {
    const raw = get(name);
    if (!raw.startsWith('/') || /[\0\n]/.test(raw)) {
      diagnostics.push({ severity: 'error', code: 'bad-path', variable: name,
        message: `'${raw}' is not an absolute path`, hint: `the default is ${def(name)}` });
      return def(name);
    }
    return raw;
  };
  const nameList = (variable: string, raw: string, bad?: string[]): string[] => {
    const out: string[] = [];
    // A Set beside the list: kleene_containers_list may name hundreds of containers.
    const seen = new Set<string>();
    for (const entry of splitList(raw)) {
      if (!isContainerName(entry) && !isContainerId(entry)) {
        bad?.push(entry);
        diagnostics.push({ severity: 'error', code: 'bad-name', variable,
          message: `'${entry}' is not a container name or id`,
          hint: 'names match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (kleened\'s pattern)' });
        continue;
      }
      if (!seen.has(entry)) {
        seen.add(entry);
        out.push(entry);
      }
    }
    return out;
  };

  const list = nameList('kleene_containers_list', get('kleene_containers_list'));

  const perContainer = new Map<string, Partial<ContainerSettings>>();
  // Only the per-container variables are sorted (for the order of diagnostics): the hook gets
  // every variable of rc.conf, a thousand on a busy host.
  const own: [string, string][] = [];
  for (const variable in vars) {
    const raw = vars[variable];
    if (raw !== undefined && variable.startsWith('kleene_containers_')) own.push([variable, raw]);
  }
  for (const [variable, raw] of own.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const m = PER_CONTAINER_RE.exec(variable);
    if (!m) continue;
    const part = m[1]!;
    const suffix = m[2] as PerContainerSuffix;
    // A knob such as kleene_containers_start_timeout never ends in a per-container suffix,
    // so this cannot swallow a global setting.
    const s = perContainer.get(part) ?? {};
    if (suffix === 'depend') {
      const bad: string[] = [];
      s.depend = nameList(variable, raw, bad);
      if (bad.length > 0) s.badDepend = bad;
    }
    else if (suffix === 'priority') {
      const v = parseWhole(raw.trim(), 0, 999);
      if (v === undefined) {
        diagnostics.push({ severity: 'error', code: 'bad-number', variable,
          message: `'${raw}' is not a whole number from 0 to 999`, hint: `the default is ${DEFAULT_PRIORITY}` });
      } else s.priority = v;
    } else {
      const r = parseReady(raw);
      if (typeof r === 'string') {
        diagnostics.push({ severity: 'error', code: 'bad-ready', variable, message: r,
          hint: 'use started, tcp:HOST:PORT or exec:COMMAND' });
      } else s.ready = r;
    }
    perContainer.set(part, s);
  }

  const config: ContainersConfig = {
    list,
    importOnStartup: bool('kleene_containers_import_on_startup'),
    jobs: whole('kleene_containers_jobs'),
    startTimeout: whole('kleene_containers_start_timeout'),
    stopJobs: whole('kleene_containers_stop_jobs'),
    stopTimeout: whole('kleene_containers_stop_timeout'),
    waitTimeout: whole('kleene_containers_wait_timeout'),
    background: bool('kleene_containers_background'),
    socket: path('kleened_socket'),
    tools: {
      jls: path('kleene_containers_jls'),
      zfs: path('kleene_containers_zfs'),
      jexec: path('kleene_containers_jexec'),
      logger: path('kleene_containers_logger'),
    },
    perContainer,
  };
  return { config, diagnostics };
}

/** Settings for one container name, with defaults filled in. */
export function settingsFor(config: ContainersConfig, name: string): ContainerSettings {
  const s = config.perContainer.get(varPart(name)) ?? {};
  return {
    depend: s.depend ?? [],
    ...(s.badDepend ? { badDepend: s.badDepend } : {}),
    priority: s.priority ?? DEFAULT_PRIORITY,
    ready: s.ready ?? { kind: 'started' },
  };
}
