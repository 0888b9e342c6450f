// `rc apply`: one host's whole kleene state, declared (a JSON document, what a configuration
// manager such as the Ansible role in contrib/ansible sends), checked, then turned into the
// rc.conf edits that make the files say exactly that. Pure: the command (src/cli/commands/
// rc-apply.ts) reads the document and the files, and hands the edits to the editor.
//
// What "exactly" means, one rule for all: the declaration owns every variable it could declare
// (every kleene_containers_* variable, and kleened's knobs: kleened_enable and the kleened_*
// settings), so one it owns and does not declare is removed and its default applies again.
// Other variables (the port's own kleened_* beyond the knobs, anything else) are never touched.
// Removing an _enable switches a service off at boot: that is never silent (enableRemovals).
import { ConfigError } from '../errors.ts';
import { KNOBS, parseYesNo, type Knob } from '../model/knobs.ts';
import { parseReady, parseWhole, splitList } from '../model/config.ts';
import { isContainerId, isContainerName, varPart } from '../model/names.ts';
import type { RcEdit } from './editor.ts';
import { closestName, findCycles } from './lint.ts';

export interface DesiredContainer {
  name: string;
  depend: string[];
  priority: number | undefined;
  ready: string | undefined;
}

/** A checked declaration: the variables it sets, in the order they are written. */
export interface DesiredState {
  containers: DesiredContainer[];
  /** Variable → value, as rc.conf will hold it. */
  vars: Map<string, string>;
  /** Things worth saying that do not stop the apply. */
  warnings: string[];
}

/** One top-level assignment rc(8) reads for the variable's service, in load order. */
export interface CurrentAssignment {
  /** Host path. */
  file: string;
  line: number;
  name: string;
  /** The literal value; undefined when sh would expand it ($x, `cmd`). */
  value: string | undefined;
}

/** Every problem in a declaration, each naming its field; thrown after the whole document was read. */
export class DeclarationError extends ConfigError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('EDECLARATION', problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
      { file: source }, 'nothing was changed; `kleene-boot rc apply --help` shows the format');
    this.problems = problems;
  }
}
DeclarationError.prototype.name = 'DeclarationError';

const TOP_KEYS = ['containers', 'settings', 'kleened_enable', 'kleene_containers_enable'] as const;
const CONTAINER_KEYS = ['name', 'depend', 'priority', 'ready'] as const;
const OWNED = 'kleene_containers_';

/**
 * The settings a declaration may hold: kleene_containers' global knobs by their short name
 * (`jobs` for kleene_containers_jobs), kleened's by their full name. `enable` and `list` are
 * not settings: the first is a top-level key, the second comes from `containers`.
 */
const SETTING_KNOBS: ReadonlyMap<string, Knob> = new Map(
  KNOBS.filter((k) => !k.name.includes('<name>') && !k.name.endsWith('_enable') && k.name !== 'kleene_containers_list')
    .map((k) => [k.name.startsWith(OWNED) ? k.name.slice(OWNED.length) : k.name, k]),
);

export function settingNames(): string[] {
  return [...SETTING_KNOBS.keys()];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const absent = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function unknownKey(field: string, key: string, known: readonly string[]): string {
  const near = closestName(key, known);
  return `${field}: unknown field '${key}'${near ? `; did you mean '${near}'?` : ''} (known: ${known.join(', ')})`;
}

/** A value one rc.conf line can hold: sh cannot keep a NUL, and rc(8) and rcorder expect one line. */
function oneLine(field: string, v: string, problems: string[]): boolean {
  if (v.includes('\0')) problems.push(`${field}: the value contains a NUL byte, which sh cannot hold`);
  else if (/[\n\r]/.test(v)) problems.push(`${field}: the value contains a line break; rc.conf values are one line`);
  else return true;
  return false;
}

/** A knob's value from JSON (booleans, numbers or strings), spelled as rc.conf will hold it. */
function knobValue(field: string, k: Knob, v: unknown, problems: string[]): string | undefined {
  if (k.type === 'bool') {
    const b = typeof v === 'boolean' ? v : typeof v === 'string' ? parseYesNo(v) : undefined;
    if (b === undefined) {
      problems.push(`${field}: ${show(v)} is not a boolean (true, false, "YES" or "NO")`);
      return undefined;
    }
    return b ? 'YES' : 'NO';
  }
  if (k.type === 'seconds' || k.type === 'count') {
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
    const n = parseWhole(text, k.min ?? 0, k.max ?? Number.MAX_SAFE_INTEGER);
    if (n === undefined) {
      problems.push(`${field}: ${show(v)} is not a whole number from ${k.min ?? 0} to ${k.max} (default ${k.default})`);
      return undefined;
    }
    return String(n);
  }
  if (typeof v !== 'string') {
    problems.push(`${field}: ${show(v)} is not a string`);
    return undefined;
  }
  if (!oneLine(field, v, problems)) return undefined;
  if (k.type === 'path' && !v.startsWith('/')) {
    problems.push(`${field}: '${v}' is not an absolute path`);
    return undefined;
  }
  return v;
}

function containerNameProblem(field: string, v: unknown): string | undefined {
  if (typeof v !== 'string') return `${field}: ${show(v)} is not a container name`;
  if (!isContainerName(v) && !isContainerId(v)) {
    return `${field}: '${v}' is not a container name or id (kleened's pattern: [a-zA-Z0-9][a-zA-Z0-9_.-]+)`;
  }
  return undefined;
}

/**
 * Checks a declaration (parsed JSON) and returns the variables it sets. Throws DeclarationError
 * listing every problem, each naming its field (`containers[1].depend`), when there is any.
 * `source` names the document in the error (a file, or `-` for stdin). Pure.
 */
export function checkDeclaration(doc: unknown, source: string): DesiredState {
  const problems: string[] = [];
  const warnings: string[] = [];
  const vars = new Map<string, string>();
  if (!isObject(doc)) throw new DeclarationError(source, [`the declaration is ${show(doc)}, not a JSON object`]);
  for (const key of Object.keys(doc)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) problems.push(unknownKey('(top level)', key, TOP_KEYS));
  }

  // containers: objects, or plain names as a shorthand.
  const containers: DesiredContainer[] = [];
  const raw = doc.containers ?? [];
  if (!Array.isArray(raw)) problems.push(`containers: ${show(raw)} is not a list`);
  else {
    raw.forEach((entry, i) => {
      const at = `containers[${i}]`;
      const e: Record<string, unknown> = typeof entry === 'string' ? { name: entry } : isObject(entry) ? entry : {};
      if (!isObject(entry) && typeof entry !== 'string') {
        problems.push(`${at}: ${show(entry)} is neither a container name nor an object {name, depend, priority, ready}`);
        return;
      }
      for (const key of Object.keys(e)) {
        if (!(CONTAINER_KEYS as readonly string[]).includes(key)) problems.push(unknownKey(at, key, CONTAINER_KEYS));
      }
      const bad = containerNameProblem(`${at}.name`, e.name);
      if (bad) {
        problems.push(e.name === undefined ? `${at}.name: missing; every container needs a name` : bad);
        return;
      }
      const name = e.name as string;
      const here = `${at} (${name})`;
      const c: DesiredContainer = { name, depend: [], priority: undefined, ready: undefined };
      if (!absent(e.depend)) {
        const items = typeof e.depend === 'string' ? splitList(e.depend) : Array.isArray(e.depend) ? e.depend : undefined;
        if (!items) problems.push(`${here}.depend: ${show(e.depend)} is not a list of container names`);
        else {
          items.forEach((d, j) => {
            const p = containerNameProblem(`${here}.depend[${j}]`, d);
            if (p) problems.push(p);
            else if (!c.depend.includes(d as string)) c.depend.push(d as string);
          });
        }
      }
      if (!absent(e.priority)) {
        const v = knobValue(`${here}.priority`, KNOBS.find((k) => k.name === 'kleene_containers_<name>_priority')!, e.priority, problems);
        if (v !== undefined) c.priority = Number(v);
      }
      if (!absent(e.ready)) {
        if (typeof e.ready !== 'string') problems.push(`${here}.ready: ${show(e.ready)} is not a string`);
        else if (oneLine(`${here}.ready`, e.ready, problems)) {
          const r = parseReady(e.ready);
          if (typeof r === 'string') problems.push(`${here}.ready: ${r} (use started, tcp:HOST:PORT or exec:COMMAND)`);
          else c.ready = e.ready;
        }
      }
      containers.push(c);
    });
  }

  // Names must be unique, and so must the variable part their settings are written under.
  const byPart = new Map<string, string>();
  const seen = new Set<string>();
  for (const c of containers) {
    if (seen.has(c.name)) problems.push(`containers: '${c.name}' is declared twice`);
    seen.add(c.name);
    const other = byPart.get(varPart(c.name));
    if (other !== undefined && other !== c.name) {
      problems.push(`containers: '${other}' and '${c.name}' both map to kleene_containers_${varPart(c.name)}_*, so their settings cannot be told apart; rename one, or declare it by id`);
    }
    byPart.set(varPart(c.name), c.name);
  }
  const graph = new Map(containers.map((c) => [c.name, c.depend]));
  for (const cyc of findCycles(graph)) {
    const i = containers.findIndex((c) => c.name === cyc[0]);
    problems.push(`containers[${i}] (${cyc[0]}).depend: dependency cycle: ${cyc.join(' -> ')}; remove one of these dependencies`);
  }
  for (const c of containers) {
    for (const d of c.depend) {
      if (!seen.has(d)) warnings.push(`${c.name} depends on '${d}', which is not declared; boot starts it first anyway`);
    }
  }

  // Enables and settings.
  for (const key of ['kleened_enable', 'kleene_containers_enable'] as const) {
    if (doc[key] === undefined || doc[key] === null) continue;
    const v = knobValue(key, KNOBS.find((k) => k.name === key)!, doc[key], problems);
    if (v !== undefined) vars.set(key, v);
  }
  const settings = doc.settings ?? {};
  if (!isObject(settings)) problems.push(`settings: ${show(settings)} is not an object`);
  else {
    for (const [key, v] of Object.entries(settings)) {
      const k = SETTING_KNOBS.get(key);
      if (!k) {
        problems.push(unknownKey('settings', key, settingNames()));
        continue;
      }
      if (v === undefined || v === null) continue;
      const value = knobValue(`settings.${key}`, k, v, problems);
      if (value !== undefined) vars.set(k.name, value);
    }
  }
  if (problems.length > 0) throw new DeclarationError(source, problems);

  if (containers.length > 0) vars.set('kleene_containers_list', containers.map((c) => c.name).join(' '));
  for (const c of containers) {
    const base = `${OWNED}${varPart(c.name)}`;
    if (c.depend.length > 0) vars.set(`${base}_depend`, c.depend.join(' '));
    if (c.priority !== undefined) vars.set(`${base}_priority`, String(c.priority));
    if (c.ready !== undefined) vars.set(`${base}_ready`, c.ready);
  }
  return { containers, vars, warnings };
}

/** True for a variable a declaration could set, and so owns: every kleene_containers_*, and kleened's knobs. */
export function ownedByDeclaration(name: string): boolean {
  return name.startsWith(OWNED) || KNOBS.some((k) => k.service === 'kleened' && k.name === name);
}

/**
 * One line per _enable the edits remove while rc(8) reads it now (the declaration does not name
 * it): the service no longer starts at boot, which must never happen without a word. Pure.
 */
export function enableRemovals(edits: readonly RcEdit[], current: readonly CurrentAssignment[]): string[] {
  const out: string[] = [];
  for (const e of edits) {
    if (e.op !== 'unset' || !e.name.endsWith('_enable')) continue;
    const at = current.filter((a) => a.name === e.name);
    const a = at[at.length - 1];
    if (!a) continue;
    const service = e.name.slice(0, -'_enable'.length);
    out.push(`${e.name} is not declared, so it is removed (${a.file}:${a.line} says ${a.value ?? 'something sh expands'}): `
      + `${service} falls back to its default NO and ${parseYesNo(a.value ?? '') === true ? 'will no longer start' : 'stays off'} at boot; `
      + `declare "${e.name}": ${parseYesNo(a.value ?? '') === true ? 'true' : 'false'} to keep it`);
  }
  return out;
}

/**
 * The edits that make the files say exactly what `desired` declares, given the assignments rc(8)
 * reads now (in load order): every owned variable not declared is unset (the editor removes it
 * from every file), every declared variable whose last assignment is missing or says something
 * else is set. Unsets come first, then sets in declaration order, so appended lines read in the
 * order of the declaration. No edits: the files already say it. Pure.
 */
export function planApply(desired: DesiredState, current: readonly CurrentAssignment[]): RcEdit[] {
  const last = new Map<string, CurrentAssignment>();
  for (const a of current) last.set(a.name, a);
  const edits: RcEdit[] = [];
  for (const name of [...last.keys()].sort()) {
    if (ownedByDeclaration(name) && !desired.vars.has(name)) edits.push({ op: 'unset', name });
  }
  for (const [name, value] of desired.vars) {
    const a = last.get(name);
    if (a === undefined || a.value !== value) edits.push({ op: 'set', name, value });
  }
  return edits;
}
