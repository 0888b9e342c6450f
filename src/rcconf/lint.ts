// `rc lint`: what rc(8) would read for kleened and kleene_containers, checked against the knob
// table and the container model, every finding with file:line. Values come from sh (the same
// evaluation as `rc get`); names and locations from the lossless parser. One run reports
// everything; errors and warnings are kept apart, as Quadlet does.
import { parseContainersConfig, settingsFor, type VarMap } from '../model/config.ts';
import { KNOBS, PER_CONTAINER_SUFFIXES, parseYesNo } from '../model/knobs.ts';
import { varPart } from '../model/names.ts';
import { attribute, describeConstruct, evaluateRc, NOT_RUN_HINT, parseSourced, type EffectiveValue } from './effective.ts';
import { shSyntaxError } from './host.ts';
import type { RcDocument } from './parse.ts';

export interface LintDiagnostic {
  severity: 'error' | 'warning';
  code: string;
  /** Host path, or undefined when no file can be named (a default value). */
  file: string | undefined;
  line: number | undefined;
  variable?: string;
  message: string;
  hint?: string;
}

export interface LintResult {
  diagnostics: LintDiagnostic[];
  errors: number;
  warnings: number;
}

const GLOBAL_NAMES = KNOBS.filter((k) => !k.name.includes('<name>')).map((k) => k.name);
const PER_CONTAINER_RE = new RegExp(`^kleene_containers_([A-Za-z0-9_]+)_(${PER_CONTAINER_SUFFIXES.join('|')})$`);

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string
 * alignment), the commonest typo: with plain Levenshtein `wbe` is as far from `db` as from `web`.
 */
export function editDistance(a: string, b: string): number {
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j]!, prev2[j - 2]! + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 6)) ? best : undefined;
}

/** Cycles in a dependency graph, each spelled from its smallest name: `a -> b -> a`. Pure. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cyc = path.slice(at);
      const min = cyc.reduce((m, x, i) => (x < cyc[m]! ? i : m), 0);
      const rot = [...cyc.slice(min), ...cyc.slice(0, min)];
      cycles.set(rot.join('\0'), [...rot, rot[0]!]);
      return;
    }
    if (path.length > graph.size) return;
    for (const d of graph.get(node) ?? []) if (graph.has(d)) visit(d, [...path, node]);
  };
  for (const n of [...graph.keys()].sort()) visit(n, []);
  return [...cycles.values()];
}

/** Lints the rc.conf files rc(8) reads for both services under `root`. */
export async function lintRc(opts: { root?: string } = {}): Promise<LintResult> {
  const out: LintDiagnostic[] = [];
  const evK = await evaluateRc('kleened', opts);
  const evC = await evaluateRc('kleene_containers', opts);
  const docsK = await parseSourced(evK, opts);
  const docsC = await parseSourced(evC, opts);
  const effK = attribute(evK, docsK);
  const effC = attribute(evC, docsC);
  const docs = new Map<string, RcDocument>([...docsK, ...docsC]);

  // -R without chroot: what the static reading could not evaluate (it never runs it).
  const notRunSeen = new Set<string>();
  for (const ev of [evK, evC]) {
    if (ev.fallback && !notRunSeen.has(ev.fallback)) {
      notRunSeen.add(ev.fallback);
      out.push({ severity: 'warning', code: 'not-run', file: undefined, line: undefined, message: `${ev.fallback}; read without running anything`, hint: NOT_RUN_HINT });
    }
    for (const n of ev.notRun) {
      if (notRunSeen.has(`${n.file}:${n.line}`)) continue;
      notRunSeen.add(`${n.file}:${n.line}`);
      out.push({ severity: 'warning', code: 'not-run', file: n.file, line: n.line, message: `not run: ${n.what}`, hint: NOT_RUN_HINT });
    }
  }

  const at = (eff: Map<string, EffectiveValue>, variable: string): { file: string | undefined; line: number | undefined } => {
    const v = eff.get(variable);
    return v && !v.file.startsWith('(') ? { file: v.file, line: v.line } : { file: undefined, line: undefined };
  };

  // Per file: sh syntax, CRLF, parse problems.
  for (const [file, doc] of docs) {
    if (file.startsWith('/etc/defaults/')) continue;
    const bad = await shSyntaxError(doc.text);
    if (bad) out.push({ severity: 'error', code: 'sh-syntax', file, line: undefined, message: `sh -n rejects this file: ${bad}` });
    if (doc.crlf) {
      out.push({ severity: 'error', code: 'crlf', file, line: 1, message: 'CRLF line ends: sh reads each value with a trailing CR (YES\\r is not YES)',
        hint: "convert the file: tr -d '\\r'" });
    }
    for (const p of doc.problems) {
      if (p.code === 'dynamic') continue;
      out.push({ severity: p.severity, code: p.code, file, line: p.line, message: p.message });
    }
  }

  const vars: Record<string, string | undefined> = {};
  for (const [k, v] of evC.final) if (k.startsWith('kleene')) vars[k] = v;
  const { config, diagnostics } = parseContainersConfig(vars as VarMap);
  const listed = new Set(config.list);
  const parts = new Map<string, string[]>();
  for (const c of config.list) parts.set(varPart(c), [...(parts.get(varPart(c)) ?? []), c]);

  // Names: typos of known variables, per-container variables for containers not listed.
  const known = [...GLOBAL_NAMES];
  for (const c of config.list) for (const s of PER_CONTAINER_SUFFIXES) known.push(`kleene_containers_${varPart(c)}_${s}`);
  const seen = new Set<string>();
  for (const [file, doc] of docs) {
    if (file.startsWith('/etc/defaults/')) continue;
    for (const a of doc.assignments) {
      if (a.commandPrefix) continue;
      const key = `${file}:${a.line}:${a.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const isKleene = /^kleene/.test(a.name);
      if (isKleene && a.construct) {
        out.push({ severity: 'warning', code: 'in-construct', file, line: a.line, variable: a.name,
          message: `${a.name} is set inside ${describeConstruct(a.construct)}; kleene-boot cannot tell which value boot sees, nor edit it`,
          hint: 'set it at top level (kleene-boot rc set)' });
      }
      if (GLOBAL_NAMES.includes(a.name)) continue;
      const m = PER_CONTAINER_RE.exec(a.name);
      if (m) {
        if (!parts.has(m[1]!)) {
          const guess = closestName(m[1]!, [...parts.keys()]);
          out.push({ severity: 'warning', code: 'unknown-container', file, line: a.line, variable: a.name,
            message: `'${m[1]}' matches no container in kleene_containers_list`,
            hint: guess ? `did you mean kleene_containers_${guess}_${m[2]}?` : `listed: ${config.list.join(' ') || '(none)'}; names map to variables with every character outside [A-Za-z0-9_] as _` });
        }
        continue;
      }
      // Only names that look like ours (or are one or two typos away from one): other
      // services' variables are none of our business.
      const guess = closestName(a.name, known);
      if (!isKleene && !(guess && editDistance(a.name, guess) <= 2)) continue;
      out.push({ severity: 'error', code: 'unknown-variable', file, line: a.line, variable: a.name,
        message: `${a.name} is not a kleene-boot variable; rc(8) ignores it`,
        hint: guess ? `did you mean ${guess}?` : 'kleene-boot rc show lists the known names' });
    }
  }

  // Values as sh left them: the container model's diagnostics, plus kleened's own knobs.
  for (const d of diagnostics) {
    const loc = at(d.variable.startsWith('kleened_') ? effK : effC, d.variable);
    out.push({ severity: d.severity, code: d.code, ...loc, variable: d.variable, message: `${d.variable}: ${d.message}`, hint: d.hint });
  }
  for (const k of KNOBS) {
    if (k.name.includes('<name>')) continue;
    const ev = k.service === 'kleened' ? evK : evC;
    const raw = ev.final.get(k.name);
    if (raw === undefined) continue;
    if (diagnostics.some((d) => d.variable === k.name)) continue;
    const loc = at(k.service === 'kleened' ? effK : effC, k.name);
    const d = knobDiagnostic(k, raw);
    if (d) out.push({ ...d, ...loc, variable: k.name });
  }

  // The list: variable-part collisions, dependencies outside the list, cycles.
  const listLoc = at(effC, 'kleene_containers_list');
  for (const [part, names] of parts) {
    if (names.length > 1) {
      out.push({ severity: 'error', code: 'varpart-collision', ...listLoc, variable: 'kleene_containers_list',
        message: `containers ${names.join(' and ')} share the variable part '${part}', so their kleene_containers_${part}_* settings cannot be told apart`,
        hint: 'rename one container, or list it by id' });
    }
  }
  const graph = new Map<string, string[]>();
  for (const c of config.list) {
    const deps = settingsFor(config, c).depend;
    graph.set(c, deps);
    const variable = `kleene_containers_${varPart(c)}_depend`;
    for (const d of deps) {
      if (!listed.has(d)) {
        // The hook pulls an unlisted dependency in and starts it first (jail(8)'s `depend`
        // does the same), so this is not an error; it is worth saying, since `stop` and
        // `plan` then act on a container the list does not name.
        out.push({ severity: 'warning', code: 'depend-not-listed', ...at(effC, variable), variable,
          message: `${c} depends on '${d}', which is not in kleene_containers_list; it will be started first anyway`,
          hint: `add ${d} to kleene_containers_list to make that explicit, or remove it from ${variable}` });
      }
    }
  }
  for (const cyc of findCycles(graph)) {
    const variable = `kleene_containers_${varPart(cyc[0]!)}_depend`;
    out.push({ severity: 'error', code: 'depend-cycle', ...at(effC, variable), variable,
      message: `dependency cycle: ${cyc.join(' -> ')}`, hint: 'remove one of these dependencies' });
  }

  out.sort((a, b) => (a.file ?? '~').localeCompare(b.file ?? '~') || (a.line ?? 0) - (b.line ?? 0) || a.code.localeCompare(b.code));
  return { diagnostics: out, errors: out.filter((d) => d.severity === 'error').length, warnings: out.filter((d) => d.severity === 'warning').length };
}

type ValueProblem = Pick<LintDiagnostic, 'severity' | 'code' | 'message' | 'hint'>;

/** lint's check of a global knob's value that the container model does not check (kleened's). */
function knobDiagnostic(k: (typeof KNOBS)[number], raw: string): ValueProblem | undefined {
  if (k.type === 'bool' && parseYesNo(raw) === undefined) {
    return { severity: 'warning', code: 'bad-bool',
      message: `${k.name}: '${raw}' is not a boolean; rc.subr's checkyesno treats it as NO (and warns)`, hint: 'use YES or NO' };
  }
  if (k.type === 'seconds' && !(/^[0-9]+$/.test(raw) && Number(raw) >= (k.min ?? 0) && Number(raw) <= (k.max ?? Infinity))) {
    return { severity: 'error', code: 'bad-number',
      message: `${k.name}: '${raw}' is not a whole number of seconds from ${k.min} to ${k.max}`, hint: `the default is ${k.default}` };
  }
  return undefined;
}

/**
 * What `rc lint` would say about `name` holding `value` (booleans, numbers, paths, ready
 * checks, container names in lists and depends), with lint's message and hint; undefined when
 * lint would say nothing, and always for variables that are not kleene-boot's. Pure.
 */
export function checkValue(name: string, value: string): ValueProblem | undefined {
  if (!/^kleene/.test(name)) return undefined;
  const { diagnostics } = parseContainersConfig({ [name]: value });
  const d = diagnostics.find((x) => x.variable === name);
  if (d) return { severity: d.severity, code: d.code, message: `${name}: ${d.message}`, hint: d.hint };
  const k = KNOBS.find((x) => x.name === name && !x.name.includes('<name>'));
  return k ? knobDiagnostic(k, value) : undefined;
}

/** `FILE:LINE: severity: message` lines, then the hint indented, like the rest of kleene-boot. */
export function formatLint(r: LintResult): string {
  let s = '';
  for (const d of r.diagnostics) {
    const where = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ` : '';
    s += `${where}${d.severity}: ${d.message} [${d.code}]\n`;
    if (d.hint) s += `  hint: ${d.hint}\n`;
  }
  s += `${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}\n`;
  return s;
}
