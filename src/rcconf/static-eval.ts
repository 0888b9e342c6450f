// rc.conf read without running it: the evaluator for `-R DIR` when DIR cannot be chroot'ed into
// (no /bin/sh under it, or we are not root). A staged root, or a jail's root whose own root user
// writes its rc.conf, is not code this host should run, so nothing here ever starts a process:
// it reads what is plain data and reports, with file:line, every line that would need sh to run
// something.
//
// What it reads, as sh would (XCU 2.6, assignments: no field splitting, no pathname expansion):
//   - top-level assignments (`NAME=value`, `export NAME=value`, several per line), with single
//     and double quotes, backslashes, `$name`, `${name}`, `${#name}`, and `${name-word}`,
//     `${name:-word}`, `${name+word}`, `${name:+word}`, `${name=word}`, `${name:=word}`;
//   - `. FILE` and `source FILE` with an absolute FILE, resolved under the root (symlinks
//     inside it), nested at most MAX_INCLUDE_DEPTH deep;
//   - `unset NAME…` and a bare `:`.
// What it reports and skips: any other command (`touch`, `[`, `eval` …), a value with `$(…)`,
// backquotes, `$((…))`, `${name%…}` and other pattern operators, `$'…'`, `~`, special and
// positional parameters, and every if/case/loop/brace/subshell/`&&` block (their condition is a
// command). Function definitions run nothing and are skipped silently.
// Pure: files come from a RootView the caller provides; nothing here touches the file system.
import { ConfigError } from '../errors.ts';
import { parseRc, type Construct, type RcDocument } from './parse.ts';

/** A line kleene-boot did not evaluate because it needs sh to run something. */
export interface NotRun {
  /** Host path of the file. */
  file: string;
  line: number;
  /** What it would have run, for people: `the command 'touch'`, `a command substitution $(…)`. */
  what: string;
}

/** What a path under the root is, symlinks followed inside the root. */
export type PathKind = 'file' | 'dir' | 'missing' | 'unreadable' | 'other';

/** The root's files as the static evaluator sees them; host paths in, nothing else. */
export interface RootView {
  kind(hostPath: string): PathKind;
  /** The file's bytes as a byte string (bytes.ts), or 'unreadable'. */
  read(hostPath: string): string | 'unreadable';
  /** A directory's entry names, or 'unreadable'. */
  list(hostDir: string): string[] | 'unreadable';
}

/** Said once after the not-run lines: why they were not run, and how to have them read. */
export const NOT_RUN_HINT = "with -R DIR, rc.conf's commands run only inside chroot(8) DIR (as root, with DIR/bin/sh); otherwise nothing of DIR runs on this host";

/** `.` inside `.` inside …: a file that includes itself would otherwise never end. */
export const MAX_INCLUDE_DEPTH = 16;

/** The hint every "cannot read" error carries. */
export const UNREADABLE_HINT = 'rc(8) reads it as root at boot: run kleene-boot as root, or make the file readable';

/** The error for a file (or directory) that exists and cannot be read. */
export function unreadableError(hostPath: string): ConfigError {
  return new ConfigError('EUNREADABLE', `cannot read ${hostPath}: permission denied`, undefined, UNREADABLE_HINT);
}

class Needs extends Error {}

/**
 * Expands one assignment value (or `.` argument) as written, or says what it would need sh to
 * run. `vars` may change: `${x=word}` assigns, as in sh.
 */
export function expandWord(raw: string, vars: Map<string, string>): { value: string } | { needs: string } {
  const x = new Expander(raw, vars);
  try {
    const value = x.word('', false, true);
    return { value };
  } catch (e) {
    if (e instanceof Needs) return { needs: e.message };
    throw e;
  }
}

class Expander {
  private i = 0;
  constructor(private readonly s: string, private readonly vars: Map<string, string>) {}

  /**
   * Reads up to the end, or up to an unquoted character of `stops`. `dq`: inside double quotes.
   * `live`: false while skipping a `${x-word}` word sh would not expand (nothing is needed then).
   */
  word(stops: string, dq: boolean, live: boolean): string {
    const s = this.s;
    let out = '';
    const start = this.i;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (stops.includes(c)) break;
      if (c === '\\') {
        const d = s[this.i + 1];
        if (d === undefined) {
          out += c;
          this.i++;
        } else if (d === '\n') {
          this.i += 2;
        } else if (dq && !'$`"\\'.includes(d) && !stops.includes(d)) {
          out += c + d;
          this.i += 2;
        } else {
          out += d;
          this.i += 2;
        }
      } else if (c === "'" && !dq) {
        const j = s.indexOf("'", this.i + 1);
        if (j < 0) throw new Needs('an unterminated single quote');
        out += s.slice(this.i + 1, j);
        this.i = j + 1;
      } else if (c === '"') {
        this.i++;
        out += this.word('"', true, live);
        if (s[this.i] !== '"') throw new Needs('an unterminated double quote');
        this.i++;
      } else if (c === '`') {
        if (live) throw new Needs('a command substitution `…`');
        this.skipBackquote();
      } else if (c === '$') {
        out += this.dollar(dq, live);
      } else if (c === '~' && !dq && live && (this.i === start || s[this.i - 1] === ':')) {
        throw new Needs('a tilde expansion ~');
      } else {
        // A run of ordinary characters in one slice, not one string per character: a 10,000-line
        // rc.conf is mostly such runs, and their garbage was a fifth of `rc get`'s time.
        const stop = stopTable(stops);
        let j = this.i + 1;
        while (j < s.length) {
          const code = s.charCodeAt(j);
          if (code < 128 && stop[code] === 1) break;
          j++;
        }
        out += s.slice(this.i, j);
        this.i = j;
      }
    }
    return out;
  }

  private skipBackquote(): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length && s[this.i] !== '`') this.i += s[this.i] === '\\' ? 2 : 1;
    this.i++;
  }

  private dollar(dq: boolean, live: boolean): string {
    const s = this.s;
    const d = s[this.i + 1] ?? '';
    if (d === '(') {
      if (!live) return this.skipParens();
      throw new Needs(s[this.i + 2] === '(' ? 'an arithmetic expansion $((…))' : 'a command substitution $(…)');
    }
    if (d === "'" && !dq) throw new Needs("$'…' quoting (FreeBSD sh only)");
    if (d === '{') return this.braced(dq, live);
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.i + 1));
    if (m) {
      this.i += 1 + m[0].length;
      return this.vars.get(m[0]) ?? '';
    }
    if (/[0-9@*#?$!-]/.test(d) && d !== '') {
      if (!live) {
        this.i += 2;
        return '';
      }
      throw new Needs(`the special parameter $${d}`);
    }
    // A `$` that starts no expansion is itself.
    this.i++;
    return '$';
  }

  private skipParens(): string {
    const s = this.s;
    let depth = 0;
    do {
      const c = s[this.i]!;
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '\\') this.i++;
      this.i++;
    } while (this.i < s.length && depth > 0);
    return '';
  }

  private braced(dq: boolean, live: boolean): string {
    const s = this.s;
    const open = this.i;
    this.i += 2;
    let length = false;
    if (s[this.i] === '#' && /[A-Za-z_]/.test(s[this.i + 1] ?? '')) {
      length = true;
      this.i++;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.i));
    if (!m) {
      if (!live) return this.skipBraces();
      throw new Needs(`the parameter expansion ${s.slice(open, open + 4)}…}`);
    }
    const name = m[0];
    this.i += name.length;
    const value = this.vars.get(name);
    if (s[this.i] === '}') {
      this.i++;
      if (length) return String(value === undefined ? 0 : Buffer.byteLength(value, 'latin1'));
      return value ?? '';
    }
    if (length) {
      if (!live) return this.skipBraces();
      throw new Needs(`the parameter expansion \${#${name}…}`);
    }
    const op = /^(:?[-+=?])/.exec(s.slice(this.i))?.[1];
    if (!op) {
      if (!live) return this.skipBraces();
      throw new Needs(`the pattern expansion \${${name}${s.slice(this.i, this.i + 2)}…}`);
    }
    this.i += op.length;
    const empty = value === undefined || (op.startsWith(':') && value === '');
    const kind = op[op.length - 1];
    const useWord = kind === '+' ? !empty : empty;
    const w = this.word('}', dq, live && useWord);
    if (s[this.i] !== '}') throw new Needs(`an unterminated \${${name}${op}…`);
    this.i++;
    if (!live) return '';
    if (kind === '?' && empty) throw new Needs(`\${${name}${op}…}, which stops sh when ${name} is ${value === undefined ? 'unset' : 'empty'}`);
    if (kind === '=' && empty) {
      this.vars.set(name, w);
      return w;
    }
    if (kind === '+') return empty ? '' : w;
    return useWord ? w : value ?? '';
  }

  private skipBraces(): string {
    const s = this.s;
    let depth = 1;
    while (this.i < s.length && depth > 0) {
      const c = s[this.i]!;
      if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (c === '\\') this.i++;
      this.i++;
    }
    return '';
  }
}

function describe(c: Construct): string {
  const what = c.kind === 'brace' ? 'a { } group' : c.kind === 'and-or' ? 'a && / || list'
    : `${c.kind === 'if' ? 'an' : 'a'} ${c.kind} block`;
  return c.kind === 'and-or' ? what : `${what} (lines ${c.line}-${c.endLine ?? 'end of file'})`;
}

const STOP_TABLES = new Map<string, Uint8Array>();
/** ASCII codes that end a run of ordinary characters in word(): its stops and the quoting and expansion characters. */
function stopTable(stops: string): Uint8Array {
  let t = STOP_TABLES.get(stops);
  if (!t) {
    t = new Uint8Array(128);
    for (const c of `${stops}\\'"\`$~`) t[c.charCodeAt(0)] = 1;
    STOP_TABLES.set(stops, t);
  }
  return t;
}

/** sh's state while a file is read: its variables, and what was reported. */
export interface StaticState {
  vars: Map<string, string>;
  notRun: NotRun[];
  /** Each file's parse, by host path: who attributes values to lines reuses it instead of parsing again. */
  docs?: Map<string, RcDocument>;
}

/**
 * Reads `text` (a byte string) as sh would source it, into `state`, without running anything.
 * `file` is its host path; includes are looked up in `view`. Throws ConfigError naming the file
 * (and line) when sh would stop: a syntax error, a `.` of a file that is missing or unreadable,
 * includes nested deeper than MAX_INCLUDE_DEPTH.
 */
export function sourceStatic(text: string, file: string, state: StaticState, view: RootView, depth = 0): void {
  const doc = parseRc(text);
  state.docs?.set(file, doc);
  const bad = doc.problems.find((p) => p.severity === 'error');
  if (bad) {
    throw new ConfigError('ESYNTAX', `sh cannot read this file: line ${bad.line}: ${bad.message}`, { file },
      'fix the file by hand; rc(8) would stop reading here too');
  }
  type Step = { at: number } & ({ kind: 'asg'; a: (typeof doc.assignments)[number] } | { kind: 'cmd'; c: (typeof doc.commands)[number] } | { kind: 'block'; c: Construct });
  const steps: Step[] = [];
  for (const a of doc.assignments) if (!a.construct && !a.commandPrefix) steps.push({ at: a.start, kind: 'asg', a });
  for (const c of doc.commands) if (!c.construct) steps.push({ at: c.start, kind: 'cmd', c });
  const blocks = doc.constructs.filter((c) => c.kind !== 'heredoc' && c.kind !== 'function');
  for (const c of blocks) {
    // Only the outermost: what is inside is not read at all.
    const inside = doc.constructs.some((o) => o !== c && o.kind !== 'heredoc' && o.kind !== 'and-or' && o.start < c.start
      && (o.endLine === undefined || o.endLine >= c.line));
    if (!inside) steps.push({ at: c.start, kind: 'block', c });
  }
  steps.sort((x, y) => x.at - y.at);
  const report = (line: number, what: string) => state.notRun.push({ file, line, what });
  for (const st of steps) {
    if (st.kind === 'block') {
      report(st.c.line, describe(st.c));
    } else if (st.kind === 'asg') {
      // The parser has the value already when nothing in it expands (most of an rc.conf).
      if (st.a.value !== undefined) {
        state.vars.set(st.a.name, st.a.value);
        continue;
      }
      const r = expandWord(st.a.raw, state.vars);
      if ('needs' in r) report(st.a.line, `${st.a.name}'s value needs ${r.needs}`);
      else state.vars.set(st.a.name, r.value);
    } else {
      const c = st.c;
      if ((c.name === '.' || c.name === 'source') && c.args.length === 1) {
        include(c.args[0]!, c.line);
      } else if (c.name === 'unset' && c.args.length > 0 && !c.redirected) {
        const names = c.args[0] === '-v' ? c.args.slice(1) : c.args;
        if (names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) for (const n of names) state.vars.delete(n);
        else report(c.line, `the command '${c.name}'`);
      } else if (c.name === ':' && c.args.length === 0) {
        // A no-op.
      } else {
        report(c.line, `the command '${c.name}'`);
      }
    }
  }

  function include(arg: string, line: number): void {
    const r = expandWord(arg, state.vars);
    if ('needs' in r) {
      report(line, `'.' of a path that needs ${r.needs}`);
      return;
    }
    const path = r.value;
    if (!path.startsWith('/')) {
      report(line, `'. ${path}', which sh looks up in PATH`);
      return;
    }
    if (depth + 1 > MAX_INCLUDE_DEPTH) {
      throw new ConfigError('EINCLUDE', `'.' includes nest deeper than ${MAX_INCLUDE_DEPTH} (at ${path})`, { file, line },
        'a file that includes itself never ends; rc(8) would not either');
    }
    const kind = view.kind(path);
    if (kind === 'unreadable') throw unreadableError(path);
    if (kind !== 'file') {
      throw new ConfigError('EINCLUDE', `'. ${path}': ${kind === 'missing' ? 'no such file' : 'not a file'} under the root`, { file, line },
        'sh stops reading rc.conf at a missing include: create it, or remove the line');
    }
    const body = view.read(path);
    if (body === 'unreadable') throw unreadableError(path);
    sourceStatic(body, path, state, view, depth + 1);
  }
}

/** One file read at the top level (its includes count as part of it), and the variables after it. */
export interface StaticSnapshot {
  file: string;
  vars: Map<string, string>;
}

export interface StaticLoad {
  snapshots: StaticSnapshot[];
  /** /etc/defaults/rc.conf is missing: `assumed` (FreeBSD's rc_conf_files and local_startup) was used. */
  assumedDefaults: boolean;
  notRun: NotRun[];
  /** The parse of every file read, by host path. */
  docs: Map<string, RcDocument>;
}

/** What to read: load_rc_config for a service (or defaults + rc_conf_files alone), or these files alone (`-f`). */
export type LoadRequest = { service: string | undefined } | { files: string[] };

/**
 * load_rc_config's reading (the same order as effective.ts's sh driver: /etc/defaults/rc.conf,
 * /etc/defaults/vendor.conf, rc_conf_files twice over, then each rc.conf.d/<service>), done by
 * sourceStatic under `view`. `assumed` holds the variables used in place of a missing defaults
 * file, under the name `assumedFile`. Pure; throws what sourceStatic throws, and an unreadable
 * file or directory is an error (unreadableError), never an empty one.
 */
export function loadStatic(req: LoadRequest, view: RootView, base: Map<string, string>,
  assumed: { file: string; vars: [string, string][] }): StaticLoad {
  const state: StaticState = { vars: new Map(base), notRun: [], docs: new Map() };
  const snapshots: StaticSnapshot[] = [];
  let assumedDefaults = false;
  const src = (path: string): void => {
    const kind = view.kind(path);
    if (kind === 'unreadable') throw unreadableError(path);
    if (kind !== 'file') return;
    const text = view.read(path);
    if (text === 'unreadable') throw unreadableError(path);
    sourceStatic(text, path, state, view);
    snapshots.push({ file: path, vars: new Map(state.vars) });
  };
  const words = (v: string | undefined) => (v ?? '').split(/[ \t\n]+/).filter((w) => w !== '');
  if ('files' in req) {
    for (const f of req.files) src(f);
    return { snapshots, assumedDefaults, notRun: state.notRun, docs: state.docs! };
  }
  if (view.kind('/etc/defaults/rc.conf') !== 'missing') {
    src('/etc/defaults/rc.conf');
    src('/etc/defaults/vendor.conf');
  } else {
    assumedDefaults = true;
    for (const [k, v] of assumed.vars) state.vars.set(k, v);
    snapshots.push({ file: assumed.file, vars: new Map(state.vars) });
  }
  const seen = new Set<string>();
  for (let pass = 0; pass < 2; pass++) {
    for (const f of words(state.vars.get('rc_conf_files'))) {
      if (seen.has(f)) continue;
      seen.add(f);
      src(f);
    }
  }
  if (req.service) {
    for (const d0 of ['/etc', ...words(state.vars.get('local_startup'))]) {
      const d = d0.replace(/\/rc\.d$/, '');
      const frag = `${d}/rc.conf.d/${req.service}`;
      const kind = view.kind(frag);
      if (kind === 'unreadable') throw unreadableError(frag);
      if (kind === 'file') {
        src(frag);
      } else if (kind === 'dir') {
        const names = view.list(frag);
        if (names === 'unreadable') throw unreadableError(frag);
        // sh's `dir/*`: no dot files, in byte order.
        for (const n of names.filter((x) => !x.startsWith('.')).sort()) {
          if (view.kind(`${frag}/${n}`) === 'file' || view.kind(`${frag}/${n}`) === 'unreadable') src(`${frag}/${n}`);
        }
      }
    }
  }
  return { snapshots, assumedDefaults, notRun: state.notRun, docs: state.docs! };
}
