// A lossless reader of rc.conf-like sh files. It never evaluates anything: it finds every
// assignment with the exact byte range of its value, the constructs (if/case/loops/functions/
// here-documents) it cannot read safely, and the plain commands that may change variables
// behind its back (`.`, eval, read …). The document keeps the original text, split into
// lines, so serialize(parse(x)) === x byte for byte; edits splice value ranges and nothing else.
//
// The lexer follows POSIX sh (XCU 2.3 token recognition, 2.6 word expansions): a CR is an
// ordinary word character (that is what sh does with CRLF files), `$'…'` is not POSIX (FreeBSD
// sh has it, dash does not) and is treated as an expansion, tilde at the start of an
// assignment value is an expansion.

export type ConstructKind = 'if' | 'case' | 'for' | 'while' | 'until' | 'brace' | 'subshell' | 'function' | 'heredoc' | 'and-or';

export interface Construct {
  kind: ConstructKind;
  /** 1-based line where it starts. */
  line: number;
  /** 1-based line where it ends (undefined when the file ends first). */
  endLine: number | undefined;
  /** Offset of its first byte (the keyword, `(`, `&&` …). */
  start: number;
}

export interface Assignment {
  name: string;
  /** Offset of the first byte of NAME (after `export ` when exported). */
  start: number;
  /** Byte range of the value word (empty range for `NAME=`). */
  valueStart: number;
  valueEnd: number;
  /** The value bytes as written. */
  raw: string;
  /** What sh assigns, when it needs no expansion; undefined when it does ($, `, ~, $'…'). */
  value: string | undefined;
  /** 1-based line of NAME, and of the last value byte. */
  line: number;
  endLine: number;
  /** `export NAME=…` / `readonly NAME=…`. */
  exported: boolean;
  /** `NAME=v cmd`: only cmd's environment gets it, the shell variable does not change. */
  commandPrefix: boolean;
  /** Outermost enclosing construct; undefined at top level. */
  construct: Construct | undefined;
  /** The simple command holding this assignment: its range and word count. */
  command: { start: number; end: number; words: number; keyword: 'export' | 'readonly' | 'local' | undefined };
}

export interface PlainCommand {
  /** The command word as written (`.`, `eval`, `echo` …). */
  name: string;
  line: number;
  /** Outermost enclosing construct, or the `&&`/`||` list it is a conditional part of; undefined at top level. */
  construct: Construct | undefined;
  /** Offset of the command word. */
  start: number;
  /** The words after the command word, as written; set when the command ends. */
  args: string[];
  /** The command has a redirection (`<`, `>`, here-document …). */
  redirected: boolean;
}

export interface ParseProblem {
  line: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface RcLine {
  kind: 'blank' | 'comment' | 'code';
  /** The line with its end-of-line bytes. */
  text: string;
}

export interface RcDocument {
  /** The file's bytes as a string (UTF-8). */
  text: string;
  lines: RcLine[];
  assignments: Assignment[];
  constructs: Construct[];
  commands: PlainCommand[];
  problems: ParseProblem[];
  /** At least one line ends in CR LF. */
  crlf: boolean;
  /** The file is empty or ends with a newline. */
  finalNewline: boolean;
}

const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', '{', '}', '!', 'in']);
const DECLARING = new Set(['export', 'readonly', 'local']);
// Word ends as a table over char codes: comparing codes is cheaper than making a one-character
// string per byte.
const WORD_END = new Uint8Array(256);
for (const c of ' \t\n;&|()<>') WORD_END[c.charCodeAt(0)] = 1;
/** Bytes that make a value more than its literal text: quotes, escapes, expansions, `~`. */
const VALUE_SPECIAL_RE = /[\\'"$`~\n]/;
// The parser runs once per command, cold: V8's interpreter steps through a loop over 400,000
// bytes (a 10,000-line rc.conf) at tens of ns a byte, where a regular expression runs as machine
// code from the first call. So runs of plain bytes are skipped by sticky expressions.
/** Bytes with no meaning inside a word: not a word end, quote, escape, `$` or backquote. */
const PLAIN_RUN = /[^ \t\n;&|()<>\\'"`$]+/y;
/** An assignment's command until its command ends (endCommand gives it its own). Never changed. */
const NO_COMMAND: Assignment['command'] = Object.freeze({ start: 0, end: 0, words: 0, keyword: undefined });
/** An assignment's name and its `=`, at the start of a word. */
const NAME_EQ = /[A-Za-z_][A-Za-z0-9_]*=/y;
/** Bytes with no meaning inside double quotes. */
const PLAIN_IN_DOUBLE = /[^"\\`$]+/y;

interface Word {
  start: number;
  end: number;
  raw: string;
  value: string | undefined;
}

interface Frame {
  kind: ConstructKind;
  construct: Construct;
  /** case only: where in `case W in (pat) body ;; esac` we are. */
  caseState?: 'head' | 'pattern' | 'body';
}

/** Parses sh text; never throws, problems are listed in the document. */
export function parseRc(text: string): RcDocument {
  return new Parser(text).run();
}

/**
 * The document of the text with assignment `a`'s value replaced by `word`, without parsing the
 * whole text again (on a 10,000-line rc.conf that parse was a fifth of `rc set`). Only for an
 * edit that cannot change how anything else reads: `a` at top level on one line, its value
 * ended by a word end (so the bytes after it lex the same), in a document without problems.
 * The edited command itself is parsed again on its own and must give `a` back with `word` as
 * its raw value; every later offset moves by the length difference and no line number does.
 * undefined when any of that does not hold: the caller then parses the new text.
 */
export function replaceValue(doc: RcDocument, a: Assignment, word: string): RcDocument | undefined {
  const t = doc.text;
  if (doc.problems.length > 0 || a.construct !== undefined || a.line !== a.endLine || /[\n\r]/.test(word)) return undefined;
  if (!doc.assignments.includes(a)) return undefined;
  const after = t.charCodeAt(a.valueEnd);
  if (a.valueEnd < t.length && !(after < 256 && WORD_END[after] === 1)) return undefined;
  const delta = word.length - (a.valueEnd - a.valueStart);
  const text = t.slice(0, a.valueStart) + word + t.slice(a.valueEnd);
  const cmd = a.command;
  // `x=1 export a=…`: the export's own record holds the old word among its args.
  if (doc.commands.some((c) => c.start >= cmd.start && c.start <= a.valueStart)) return undefined;
  const newEnd = a.valueStart + word.length;
  let lineEnd = text.indexOf('\n', newEnd);
  lineEnd = lineEnd < 0 ? text.length : lineEnd + 1;
  const own = parseRc(text.slice(cmd.start, lineEnd));
  const back = own.assignments.find((x) => x.start === a.start - cmd.start);
  if (own.problems.length > 0 || own.constructs.length > 0 || back === undefined || back.name !== a.name || back.raw !== word
    || back.construct !== undefined || back.commandPrefix !== a.commandPrefix || back.valueEnd !== newEnd - cmd.start
    || back.command.words !== cmd.words || back.command.keyword !== cmd.keyword) return undefined;

  const at = a.valueStart;
  const moved = (x: number) => (x > at ? x + delta : x);
  const constructs = new Map<Construct, Construct>();
  const newConstructs = doc.constructs.map((c) => {
    if (c.start <= at) return c;
    const n = { ...c, start: c.start + delta };
    constructs.set(c, n);
    return n;
  });
  const constructOf = (c: Construct | undefined) => (c === undefined ? undefined : constructs.get(c) ?? c);
  const commands = new Map<Assignment['command'], Assignment['command']>();
  const commandOf = (c: Assignment['command']) => {
    if (c.end < at && c.start <= at) return c;
    let n = commands.get(c);
    if (n === undefined) commands.set(c, n = { ...c, start: moved(c.start), end: c.end >= a.valueEnd ? c.end + delta : c.end });
    return n;
  };
  const assignments = doc.assignments.map((x) => {
    if (x === a) return { ...a, valueEnd: newEnd, raw: word, value: back.value, command: commandOf(cmd) };
    if (x.start <= at && x.command.end < at) return x;
    return { ...x, start: moved(x.start), valueStart: moved(x.valueStart), valueEnd: moved(x.valueEnd), construct: constructOf(x.construct), command: commandOf(x.command) };
  });
  const plain = doc.commands.map((c) => (c.start <= at ? c : { ...c, start: c.start + delta, construct: constructOf(c.construct) }));
  return documentOf(text, { assignments, constructs: newConstructs, commands: plain, problems: [] });
}

/**
 * A document of `text` and what was read from it. Its lines are made on first use: reading a
 * value never needs them, and for a 10,000-line rc.conf they were 20,000 objects for the young
 * generation to copy (rc get's GC time).
 */
function documentOf(text: string, read: Pick<RcDocument, 'assignments' | 'constructs' | 'commands' | 'problems'>): RcDocument {
  let lines: RcLine[] | undefined;
  return {
    text,
    get lines(): RcLine[] {
      return (lines ??= splitLines(text).map((l) => ({ kind: lineKind(l), text: l })));
    },
    ...read,
    crlf: /\r\n/.test(text),
    finalNewline: text === '' || text.endsWith('\n'),
  };
}

/** The document's bytes: exactly the text it was parsed from. */
export function serializeRc(doc: RcDocument): string {
  return doc.lines.map((l) => l.text).join('');
}

/** Splits text into lines keeping each line's end-of-line bytes. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const j = text.indexOf('\n', i);
    if (j < 0) {
      out.push(text.slice(i));
      break;
    }
    out.push(text.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

class Parser {
  private i = 0;
  private readonly n: number;
  private readonly lineStarts: number[] = [0];
  /** lineOf's last answer (an index into lineStarts). */
  private lineHint = 0;
  private readonly stack: Frame[] = [];
  private readonly assignments: Assignment[] = [];
  private readonly constructs: Construct[] = [];
  private readonly commands: PlainCommand[] = [];
  private readonly problems: ParseProblem[] = [];
  private readonly pendingHeredocs: { delim: string; stripTabs: boolean; line: number }[] = [];
  // The simple command being read.
  private words: Word[] = [];
  private cmdAssigns: Assignment[] = [];
  private cmdName: string | undefined;
  private cmdStart = 0;
  /** Words after a closing keyword or `for` head: not a command. */
  private swallow = false;
  private pendingFunction = false;
  private prefixCount = 0;
  /** Set after `&&`/`||`: the next command is conditional. */
  private conditional: Construct | undefined;
  /** The plain command being read, when it is one (its args are filled when it ends). */
  private current: PlainCommand | undefined;
  /** The command being read has a redirection. */
  private redirected = false;

  constructor(private readonly text: string) {
    this.n = text.length;
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) this.lineStarts.push(k + 1);
  }

  lineOf(offset: number): number {
    // Asked in file order almost always: step on from the last answer before searching.
    const ls = this.lineStarts;
    let h = this.lineHint;
    if (ls[h]! <= offset) {
      for (let k = 0; k < 4; k++) {
        if (h + 1 >= ls.length || ls[h + 1]! > offset) {
          this.lineHint = h;
          return h + 1;
        }
        h++;
      }
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lineHint = lo;
    return lo + 1;
  }

  run(): RcDocument {
    const t = this.text;
    while (this.i < this.n) {
      const code = t.charCodeAt(this.i);
      if (code === 32 || code === 9) {
        this.i++;
        continue;
      }
      if (code === 10) {
        if (this.words.length > 0 || this.cmdAssigns.length > 0 || this.cmdName !== undefined || this.swallow || this.conditional) this.endCommand();
        this.i++;
        if (this.pendingHeredocs.length > 0) this.readHeredocBodies();
        continue;
      }
      if (code === 35) {
        const j = t.indexOf('\n', this.i);
        this.i = j < 0 ? this.n : j;
        continue;
      }
      const c = t[this.i]!;
      if (c === '\\' && t[this.i + 1] === '\n') {
        this.i += 2;
      } else if (c === ';' || c === '&' || c === '|') {
        const two = t.slice(this.i, this.i + 2);
        this.endCommand();
        if (two === ';;' || two === ';&') {
          this.i += 2;
          const top = this.top();
          if (top?.kind === 'case' && top.caseState === 'body') top.caseState = 'pattern';
          else this.problem(this.i - 2, 'error', 'syntax', `'${two}' outside a case statement`);
        } else if (two === '&&' || two === '||') {
          // What follows runs only depending on the previous command's status.
          this.conditional = { kind: 'and-or', line: this.lineOf(this.i), endLine: this.lineOf(this.i), start: this.i };
          this.constructs.push(this.conditional);
          this.i += 2;
          continue;
        } else {
          this.i++;
        }
      } else if (c === '(') {
        this.openParen();
      } else if (c === ')') {
        this.closeParen();
      } else if (c === '<' || c === '>') {
        this.readRedirection();
      } else {
        const w = this.readWord();
        this.onWord(w);
      }
    }
    this.endCommand();
    for (const f of this.stack) {
      this.problem(this.lineStarts[f.construct.line - 1]!, 'error', 'unterminated',
        `${f.kind} block opened here is not closed before the end of the file`);
    }
    return documentOf(t, {
      assignments: this.assignments,
      constructs: this.constructs,
      commands: this.commands,
      problems: this.problems.sort((a, b) => a.line - b.line),
    });
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private problem(offset: number, severity: 'error' | 'warning', code: string, message: string): void {
    this.problems.push({ line: this.lineOf(offset), severity, code, message });
  }

  private push(kind: ConstructKind, offset: number): Frame {
    const construct: Construct = { kind, line: this.lineOf(offset), endLine: undefined, start: offset };
    this.constructs.push(construct);
    const f: Frame = { kind, construct };
    this.stack.push(f);
    return f;
  }

  private pop(kinds: ConstructKind[], word: string, offset: number): void {
    const top = this.top();
    if (!top || !kinds.includes(top.kind)) {
      this.problem(offset, 'error', 'syntax', `'${word}' without a matching opening`);
      return;
    }
    this.stack.pop();
    top.construct.endLine = this.lineOf(offset);
  }

  private outermost(): Construct | undefined {
    return this.stack[0]?.construct;
  }

  private atCommandStart(): boolean {
    return this.words.length === 0 && !this.swallow;
  }

  private onWord(w: Word): void {
    const top = this.top();
    // Inside `case … in`, words up to `)` are patterns, and `esac` closes.
    if (top?.kind === 'case' && top.caseState === 'pattern' && this.words.length === 0) {
      if (w.raw === 'esac') {
        this.pop(['case'], 'esac', w.start);
        this.swallow = true;
      }
      return;
    }
    if (top?.kind === 'case' && top.caseState === 'head') {
      if (w.raw === 'in' && this.words.length > 0) {
        top.caseState = 'pattern';
        this.words = [];
        this.swallow = false;
      } else {
        this.words.push(w);
      }
      return;
    }
    if (this.atCommandStart() && this.cmdAssigns.length === 0 && RESERVED.has(w.raw)) {
      this.onReserved(w);
      return;
    }
    if (this.swallow) return;
    if (this.words.length === 0 && this.cmdAssigns.length === 0) this.cmdStart = w.start;
    const asg = this.asAssignment(w);
    if (asg && this.cmdName === undefined) {
      this.cmdAssigns.push(asg);
      this.prefixCount++;
      return;
    }
    if (asg && (this.cmdName === 'export' || this.cmdName === 'readonly' || this.cmdName === 'local')) {
      asg.exported = this.cmdName !== 'local';
      this.cmdAssigns.push(asg);
      this.words.push(w);
      return;
    }
    if (this.cmdName === undefined) {
      this.cmdName = w.raw;
      if (!DECLARING.has(w.raw) || this.cmdAssigns.length > 0) {
        this.current = { name: w.raw, line: this.lineOf(w.start), construct: this.outermost() ?? this.conditional, start: w.start, args: [], redirected: this.redirected };
        this.commands.push(this.current);
      }
      if (w.raw === '.' || w.raw === 'source' || w.raw === 'eval') {
        this.problem(w.start, 'warning', 'dynamic', `'${w.raw}' sets variables kleene-boot cannot see without running it`);
      }
    }
    this.words.push(w);
  }

  private onReserved(w: Word): void {
    switch (w.raw) {
      case 'if': case 'while': case 'until':
        this.push(w.raw, w.start);
        return;
      case 'then': case 'do': case 'else': case 'elif': case '!':
        return;
      case 'fi':
        this.pop(['if'], w.raw, w.start);
        this.swallow = true;
        return;
      case 'done':
        this.pop(['for', 'while', 'until'], w.raw, w.start);
        this.swallow = true;
        return;
      case 'esac':
        this.pop(['case'], w.raw, w.start);
        this.swallow = true;
        return;
      case '}':
        this.pop(['brace', 'function'], w.raw, w.start);
        this.swallow = true;
        return;
      case '{':
        this.push(this.pendingFunction ? 'function' : 'brace', w.start);
        this.pendingFunction = false;
        return;
      case 'for':
        this.push('for', w.start);
        this.swallow = true;
        return;
      case 'case': {
        const f = this.push('case', w.start);
        f.caseState = 'head';
        return;
      }
      default:
        // `in` at command start: not a command; read it as one so sh -n reports it.
        this.words.push(w);
        this.cmdName = w.raw;
    }
  }

  private asAssignment(w: Word): Assignment | undefined {
    // NAME= at the word's start: [A-Za-z_][A-Za-z0-9_]* then `=`.
    const t = this.text;
    NAME_EQ.lastIndex = w.start;
    // Name characters and `=` never end a word: a match lies inside it.
    if (!NAME_EQ.test(t)) return undefined;
    const k = NAME_EQ.lastIndex - 1;
    const name = t.slice(w.start, k);
    const valueStart = k + 1;
    // A word ending in a newline ends in a line continuation (`NAME=\` then an empty line):
    // sh drops it, so it is not part of the value and an edit keeps it and the next line.
    let end = w.end;
    while (end - 2 >= valueStart && this.text[end - 1] === '\n' && this.text[end - 2] === '\\') end -= 2;
    const raw = t.slice(valueStart, end);
    return {
      name,
      start: w.start,
      valueStart,
      valueEnd: end,
      raw,
      value: this.valueOf(valueStart, end, raw),
      line: this.lineOf(w.start),
      endLine: this.lineOf(Math.max(w.start, end - 1)),
      exported: false,
      commandPrefix: false,
      construct: this.outermost() ?? this.conditional,
      command: NO_COMMAND,
    };
  }

  /** The literal value of text[a, b) (`raw`) read as one sh word, or undefined when it expands. */
  private valueOf(a: number, b: number, raw: string): string | undefined {
    const t = this.text;
    if (t[a] === '~') return undefined;
    // Most values are plain words or "plain text": no quote, escape or expansion to undo.
    const quoted = t.charCodeAt(a) === 34 && b - a >= 2 && t.charCodeAt(b - 1) === 34;
    const inner = quoted ? raw.slice(1, -1) : raw;
    if (!VALUE_SPECIAL_RE.test(inner)) return inner;
    let out = '';
    let k = a;
    while (k < b) {
      const c = t[k]!;
      if (c === '\\') {
        if (t[k + 1] !== '\n' && k + 1 < b) out += t[k + 1];
        k += 2;
      } else if (c === "'") {
        const j = t.indexOf("'", k + 1);
        if (j < 0 || j >= b) return undefined;
        out += t.slice(k + 1, j);
        k = j + 1;
      } else if (c === '"') {
        k++;
        while (k < b && t[k] !== '"') {
          const d = t[k]!;
          if (d === '`') return undefined;
          if (d === '$' && /[A-Za-z0-9_{(@*#?$!-]/.test(t[k + 1] ?? '')) return undefined;
          if (d === '\\' && '$`"\\\n'.includes(t[k + 1] ?? '')) {
            if (t[k + 1] !== '\n') out += t[k + 1];
            k += 2;
          } else {
            out += d;
            k++;
          }
        }
        k++;
      } else if (c === '$') {
        // A `$` followed by nothing that starts an expansion is literal.
        const d = t[k + 1] ?? '';
        if (k + 1 >= b || !/[A-Za-z0-9_{(@*#?$!'-]/.test(d)) {
          out += c;
          k++;
        } else return undefined;
      } else if (c === '`') {
        return undefined;
      } else {
        out += c;
        k++;
      }
    }
    return out;
  }

  private readWord(): Word {
    const t = this.text;
    const start = this.i;
    while (this.i < this.n) {
      // The common case, bytes with no meaning inside a word: stepped over together.
      PLAIN_RUN.lastIndex = this.i;
      if (PLAIN_RUN.test(t)) {
        this.i = PLAIN_RUN.lastIndex;
        if (this.i >= this.n) break;
      }
      const code = t.charCodeAt(this.i);
      if (code < 256 && WORD_END[code]) break;
      const c = t[this.i]!;
      if (c === '\\') {
        this.i = Math.min(this.n, this.i + 2);
      } else if (c === "'") {
        const j = t.indexOf("'", this.i + 1);
        if (j < 0) {
          this.problem(this.i, 'error', 'unterminated', 'single quote is not closed');
          this.i = this.n;
        } else this.i = j + 1;
      } else if (c === '"') {
        this.skipDouble();
      } else if (c === '`') {
        this.skipBackquote();
      } else if (c === '$') {
        this.skipDollar();
      } else {
        this.i++;
      }
    }
    return { start, end: this.i, raw: t.slice(start, this.i), value: undefined };
  }

  private skipDouble(): void {
    const t = this.text;
    const open = this.i;
    this.i++;
    while (this.i < this.n) {
      PLAIN_IN_DOUBLE.lastIndex = this.i;
      if (PLAIN_IN_DOUBLE.test(t)) this.i = PLAIN_IN_DOUBLE.lastIndex;
      if (this.i >= this.n || t[this.i] === '"') break;
      const c = t[this.i]!;
      if (c === '\\') this.i += 2;
      else if (c === '`') this.skipBackquote();
      else if (c === '$') this.skipDollar();
      else this.i++;
    }
    if (this.i >= this.n) {
      this.problem(open, 'error', 'unterminated', 'double quote is not closed');
      this.i = this.n;
    } else this.i++;
  }

  private skipBackquote(): void {
    const t = this.text;
    const open = this.i;
    this.i++;
    while (this.i < this.n && t[this.i] !== '`') this.i += t[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.n) {
      this.problem(open, 'error', 'unterminated', 'backquote is not closed');
      this.i = this.n;
    } else this.i++;
  }

  private skipDollar(): void {
    const t = this.text;
    const d = t[this.i + 1];
    if (d === "'") {
      this.problem(this.i, 'warning', 'not-posix', "$'…' quoting is not POSIX sh (FreeBSD sh reads it, other shells do not)");
      this.i += 2;
      while (this.i < this.n && t[this.i] !== "'") this.i += t[this.i] === '\\' ? 2 : 1;
      this.i = Math.min(this.n, this.i + 1);
    } else if (d === '(') {
      this.skipBalanced('(', ')');
    } else if (d === '{') {
      this.skipBalanced('{', '}');
    } else {
      this.i++;
    }
  }

  /** Skips `$(…)`, `$((…))` or `${…}` with nesting and quotes. */
  private skipBalanced(open: string, close: string): void {
    const t = this.text;
    const at = this.i;
    this.i += 2;
    let depth = 1;
    while (this.i < this.n && depth > 0) {
      const c = t[this.i]!;
      if (c === '\\') this.i += 2;
      else if (c === "'" && open === '(') {
        const j = t.indexOf("'", this.i + 1);
        this.i = j < 0 ? this.n : j + 1;
      } else if (c === '"') this.skipDouble();
      else if (c === '`') this.skipBackquote();
      else if (c === '$' && (t[this.i + 1] === '(' || t[this.i + 1] === '{')) this.skipDollar();
      else {
        if (c === open) depth++;
        else if (c === close) depth--;
        this.i++;
      }
    }
    if (depth > 0) this.problem(at, 'error', 'unterminated', `'$${open}' is not closed`);
  }

  private openParen(): void {
    const at = this.i;
    this.i++;
    const top = this.top();
    if (top?.kind === 'case' && top.caseState === 'pattern') return;
    // `name()` starts a function definition; its body is the next compound command.
    if (this.words.length === 1 && this.cmdAssigns.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(this.words[0]!.raw)) {
      const close = /^[ \t]*\)/.exec(this.text.slice(this.i));
      if (close) {
        this.i += close[0].length;
        this.commands.pop();
        this.current = undefined;
        this.words = [];
        this.cmdName = undefined;
        this.pendingFunction = true;
        return;
      }
    }
    this.endCommand();
    this.push(this.pendingFunction ? 'function' : 'subshell', at);
    this.pendingFunction = false;
  }

  private closeParen(): void {
    const at = this.i;
    this.i++;
    const top = this.top();
    if (top?.kind === 'case' && top.caseState === 'pattern') {
      top.caseState = 'body';
      this.words = [];
      return;
    }
    this.endCommand();
    this.pop(['subshell', 'function'], ')', at);
    this.swallow = true;
  }

  private readRedirection(): void {
    const t = this.text;
    const m = /^(<<-|<<|>>|>&|<&|<>|>\||<|>)/.exec(t.slice(this.i, this.i + 3))!;
    const op = m[1]!;
    this.i += op.length;
    while (t[this.i] === ' ' || t[this.i] === '\t') this.i++;
    const w = this.readWord();
    if (op === '<<' || op === '<<-') {
      const delim = w.raw.replace(/["'\\]/g, '');
      this.pendingHeredocs.push({ delim, stripTabs: op === '<<-', line: this.lineOf(w.start) });
    }
    // A redirection is part of the current command but not one of its words.
    this.redirected = true;
    if (this.current) this.current.redirected = true;
    if (this.words.length === 0 && this.cmdAssigns.length === 0) this.cmdStart = w.start;
  }

  private readHeredocBodies(): void {
    const t = this.text;
    while (this.pendingHeredocs.length > 0) {
      const h = this.pendingHeredocs.shift()!;
      const construct: Construct = { kind: 'heredoc', line: h.line, endLine: undefined, start: this.i };
      this.constructs.push(construct);
      for (;;) {
        if (this.i >= this.n) {
          this.problem(this.lineStarts[h.line - 1]!, 'error', 'unterminated', `here-document '${h.delim}' is not closed`);
          return;
        }
        const j = t.indexOf('\n', this.i);
        const end = j < 0 ? this.n : j;
        let body = t.slice(this.i, end);
        if (h.stripTabs) body = body.replace(/^\t+/, '');
        const lineNo = this.lineOf(this.i);
        this.i = j < 0 ? this.n : j + 1;
        if (body === h.delim) {
          construct.endLine = lineNo;
          break;
        }
      }
    }
  }

  private endCommand(): void {
    const words = this.prefixCount + this.words.length;
    const lastWord = this.words[this.words.length - 1];
    const lastAsg = this.cmdAssigns[this.cmdAssigns.length - 1];
    const end = Math.max(lastWord?.end ?? 0, lastAsg?.valueEnd ?? 0);
    const keyword = this.cmdName === 'export' || this.cmdName === 'readonly' || this.cmdName === 'local' ? this.cmdName : undefined;
    for (const a of this.cmdAssigns) {
      // Assignments before a command word only reach that command's environment (XCU 2.9.1),
      // unless the word is export/readonly/local, which take them as operands.
      a.commandPrefix = this.cmdName !== undefined && keyword === undefined;
      a.command = { start: this.cmdStart, end, words, keyword };
      this.assignments.push(a);
    }
    if (this.current) this.current.args = this.words.slice(1).map((w) => w.raw);
    this.current = undefined;
    this.redirected = false;
    // Emptied, not replaced: nothing keeps them, and a new pair per line was garbage to collect.
    if (this.words.length > 0) this.words.length = 0;
    if (this.cmdAssigns.length > 0) this.cmdAssigns.length = 0;
    this.cmdName = undefined;
    this.swallow = false;
    this.prefixCount = 0;
    this.conditional = undefined;
  }
}

/**
 * A line's kind from its first byte that String.prototype.trim would keep (tab, LF, VT, FF, CR,
 * space and, in these byte strings, 0xA0 are what it drops): none is blank, `#` a comment.
 */
function lineKind(text: string): RcLine['kind'] {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if ((c >= 9 && c <= 13) || c === 32 || c === 160) continue;
    return c === 35 ? 'comment' : 'code';
  }
  return 'blank';
}
