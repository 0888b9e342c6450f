// Editing rc.conf the way sysrc(8) does, without its defects (../shared/freebsd/FACTS.md):
// - set replaces the value bytes of the LAST assignment in the LAST file (load_rc_config order)
//   that assigns the variable; the rest of that line (a trailing comment) and every other byte
//   of every file stay. Otherwise the assignment is appended to the service's own fragment
//   (/etc/rc.conf.d/<service>, created 0644) or to `-f FILE`.
// - the file is bytes: it is read and written as latin1 ('binary') strings, one char per byte,
//   so no byte is decoded or re-encoded (a Latin-1 comment stays Latin-1). RcEdit values are
//   byte strings too: a caller holding JS text converts it with textToBytes (./bytes.ts).
// - values are written as sysrc writes them, in double quotes, unless they hold $, `, \ or "
//   (or the old value was single-quoted): then in single quotes ('\'' for a quote), so sh
//   reads back exactly the bytes given; sysrc escapes nothing and loses backslashes.
// - `+=`/`-=` work on the literal value written in the file, never on an expansion of it
//   (sysrc writes a `$ref` list back expanded); a value that needs expansion is refused.
// - nothing inside if/case/loops/functions is rewritten: the edit is refused with the location.
// - every file is checked with `sh -n` before and after, under a lock, through a backup (under
//   /var/backups/kleene-boot/, the last BACKUPS_KEPT per file) and an atomic rename that is
//   abandoned when the file changed since it was read.
// - a fragment that is a directory (/etc/rc.conf.d/<service>/, whose every file rc.subr reads)
//   is edited in the file where the value lives; a new value goes to its last file.
import { constants as fsc, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, OptionError, ValueError } from '../errors.ts';
import { bytesBuffer } from './bytes.ts';
import { checkValue } from './lint.ts';
import { writeFileAtomic, type AtomicStep } from '../fs/atomic.ts';
import { isShVarName } from '../model/names.ts';
import { rcQuote } from '../shell/quote.ts';
import { splitList } from '../model/config.ts';
import { unifiedDiff } from './diff.ts';
import { DEFAULTS_FILE, describeConstruct, evaluateRc } from './effective.ts';
import { unreadableError } from './static-eval.ts';
import { assertRoot, hostFileArg, normRoot, realPath, shSyntaxError } from './host.ts';
import { acquireLock, type Unlock } from './lock.ts';
import { parseRc, replaceValue, type Assignment, type RcDocument } from './parse.ts';

export type RcEdit =
  | { op: 'set'; name: string; value: string }
  | { op: 'add'; name: string; item: string }
  | { op: 'remove'; name: string; item: string }
  | { op: 'unset'; name: string };

export type RcService = 'kleened' | 'kleene_containers';

export interface EditOptions {
  /** Staged host root; default '/'. */
  root?: string;
  /** `-f`: the one file to edit, as a host path (e.g. /etc/rc.conf). */
  file?: string;
  /** Target fragment /etc/rc.conf.d/<service>; default: derived from the variable name. */
  service?: RcService;
  dryRun?: boolean;
  /**
   * `kleene-boot install`'s state directory (a real path): its own edits are backed up under
   * `<stateDir>/rc-backup/`, which uninstall removes. Every other edit: BACKUP_DIR under the root.
   */
  stateDir?: string;
  /**
   * Check kleene variables' new values with `rc lint`'s rules (checkValue): 'refuse' throws
   * ValueError EBADVALUE (exit 1) with lint's message and hint, 'warn' stores the value and adds a
   * warning. Default: no check (other variables are never checked, as with sysrc).
   */
  validate?: 'refuse' | 'warn';
  /** How long to wait for another kleene-boot's lock; default 2000 ms. */
  lockTimeoutMs?: number;
  /** Test hook: called at each step of each file write (after the lock and checks). */
  onWriteStep?: (hostFile: string, step: AtomicStep) => void | Promise<void>;
}

export interface EditChange {
  /** Host path. */
  file: string;
  name: string;
  before: string | undefined;
  after: string | undefined;
  /** Line of the assignment in the file before the edit; undefined when appended. */
  line: number | undefined;
}

export interface EditResult {
  changes: EditChange[];
  /** Unified diff of every file that changes ('' when nothing does). */
  diff: string;
  changed: boolean;
  /** Things the caller should tell the user (a later file overrides -f, …). */
  warnings: string[];
  /** Where an edit went when that is not the default target (sysrc's rule picked another file). */
  notes: string[];
  /** Edits that changed nothing: the value already there, and the file holding it (or the one that would). */
  unchanged: { name: string; value: string | undefined; file: string }[];
}

/** Where backups of edited files go, under the root: `<host path with / as _>.<UTC stamp>`. */
export const BACKUP_DIR = '/var/backups/kleene-boot';
/** Backups kept per edited file; older ones are removed after each write. */
export const BACKUPS_KEPT = 3;

/** The service whose fragment holds a variable, from its name; undefined for other variables. */
export function serviceOf(name: string): RcService | undefined {
  if (name.startsWith('kleene_containers_')) return 'kleene_containers';
  if (name.startsWith('kleened_')) return 'kleened';
  return undefined;
}

/** Refuses what cannot be an rc.conf assignment: bad names, values sh cannot hold on one line. */
export function validateEdit(e: RcEdit): void {
  if (!isShVarName(e.name)) {
    throw new OptionError('EBADNAME', `'${e.name}' is not a valid sh variable name`, undefined,
      'names start with a letter or _ and contain only letters, digits and _');
  }
  const v = e.op === 'set' ? e.value : e.op === 'unset' ? '' : e.item;
  if (v.includes('\0')) throw new ValueError('EBADVALUE', `${e.name}: the value contains a NUL byte, which sh cannot hold`);
  if (/[\n\r]/.test(v)) {
    throw new ValueError('EBADVALUE', `${e.name}: the value contains a line break`, undefined,
      'rc.conf values are one line; rc.d scripts and rcorder do not expect newlines');
  }
  if ((e.op === 'add' || e.op === 'remove') && (/[ \t]/.test(e.item) || e.item === '')) {
    throw new ValueError('EBADVALUE', `${e.name}: '${e.item}' is not one list item`, undefined, 'add or remove one word at a time');
  }
}

interface FileState {
  host: string;
  real: string;
  exists: boolean;
  original: string;
  stat: { size: number; mtimeMs: number; ino: number } | undefined;
  text: string;
  doc: RcDocument;
  /** Edits that must hold after writing: name → expected literal (undefined = unset). */
  expect: Map<string, string | undefined>;
}

function lastAssignment(doc: RcDocument, name: string): Assignment | undefined {
  const mine = doc.assignments.filter((a) => a.name === name && !a.commandPrefix);
  return mine[mine.length - 1];
}

/** 1-based line of the first CR LF line end. */
function firstCrlfLine(text: string): number {
  const at = text.indexOf('\r\n');
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

function refuseConstruct(host: string, a: Assignment): never {
  throw new ConfigError('EUNSAFE', `${a.name} is set inside ${describeConstruct(a.construct!)}; kleene-boot does not rewrite inside sh constructs`,
    { file: host, line: a.line }, 'edit this file by hand, or move the assignment out of the block');
}

/** The byte range to delete so that `a` disappears and the line stays valid sh; undefined when there is none. */
function removalRange(text: string, a: Assignment): [number, number] | undefined {
  const cmd = a.command;
  const alone = cmd.words === 1 || (cmd.keyword !== undefined && cmd.words === 2);
  if (!alone) {
    // One of several words (`export a=1 NAME=2`, `a=1 NAME=2`): drop the word and the blanks before it.
    let s = a.start;
    while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
    if (s === cmd.start || text[s - 1] === '\n') {
      let e = a.valueEnd;
      while (text[e] === ' ' || text[e] === '\t') e++;
      return [a.start, e];
    }
    return [s, a.valueEnd];
  }
  const lineStart = text.lastIndexOf('\n', cmd.start - 1) + 1;
  let lineEnd = text.indexOf('\n', a.valueEnd);
  lineEnd = lineEnd < 0 ? text.length : lineEnd + 1;
  const before = text.slice(lineStart, cmd.start);
  const after = text.slice(a.valueEnd, lineEnd);
  if (/^[ \t]*$/.test(before) && /^[ \t]*(;[ \t]*)?(#[^\n]*)?\r?\n?$/.test(after)) return [lineStart, lineEnd];
  // `NAME=\` continued onto a blank or comment line: the line goes, the next one stays.
  if (/^[ \t]*$/.test(before) && after === '\\\n' && /^[ \t]*(#[^\n]*)?(\n|$)/.test(text.slice(lineEnd))) return [lineStart, lineEnd];
  const semiAfter = /^[ \t]*;[ \t]*/.exec(after);
  if (semiAfter && !after.startsWith(';;', semiAfter[0].indexOf(';'))) return [cmd.start, a.valueEnd + semiAfter[0].length];
  const semiBefore = /;[ \t]*$/.exec(before);
  if (semiBefore) return [lineStart + semiBefore.index, a.valueEnd];
  return undefined;
}

/** `known`: parses already made of some file (the static evaluation's); one of the same text is reused. */
async function readState(root: string, host: string, known: readonly (RcDocument | undefined)[] = []): Promise<FileState> {
  const real = realPath(root, host);
  let original = '';
  let exists = false;
  let stat: FileState['stat'];
  try {
    const st = await fsp.lstat(real);
    if (st.isDirectory()) {
      throw new ConfigError('EISDIR', 'is a directory', { file: host }, `name one file in it with -f ${host}/FILE`);
    }
    original = await fsp.readFile(real, 'latin1');
    exists = true;
    stat = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const doc = known.find((d) => d !== undefined && d.text === original) ?? parseRc(original);
  return { host, real, exists, original, stat, text: original, doc, expect: new Map() };
}

/** The file's new text; `doc`: its parse when the caller has it. */
function setText(f: FileState, text: string, doc?: RcDocument): void {
  f.text = text;
  f.doc = doc ?? parseRc(text);
}

/**
 * Applies rc.conf edits with sysrc's semantics (see the top of this file) and returns what
 * changed and a unified diff. With dryRun nothing is locked or written. Throws OptionError for
 * bad names/values and ConfigError (with file:line) when a file cannot be edited safely; in
 * that case no file has been written.
 */
export async function applyEdits(edits: RcEdit[], opts: EditOptions = {}): Promise<EditResult> {
  edits.forEach(validateEdit);
  const root = normRoot(opts.root);
  await assertRoot(root);
  const warnings: string[] = [];
  const notes: string[] = [];
  const fileArg = opts.file !== undefined ? hostFileArg(opts.file, root) : undefined;
  const unchanged: EditResult['unchanged'] = [];
  // -f DIR: the files in it (rc.conf.d/<service>/ as rc.subr reads it).
  const fileArgFiles = fileArg !== undefined ? await dirFiles(root, fileArg) : undefined;

  // Where each variable may live: the files load_rc_config reads for its service (defaults excluded).
  const evals = new Map<string, Awaited<ReturnType<typeof evaluateRc>>>();
  const evalFor = async (svc: RcService | undefined) => {
    const key = svc ?? '';
    if (!evals.has(key)) {
      try {
        evals.set(key, await evaluateRc(svc, { root }));
      } catch (e) {
        // With -f only that file is edited: a broken file elsewhere must not block fixing this one.
        // One that cannot be read at all is an error everywhere (never read as empty).
        if (!fileArg || (e as { code?: string }).code === 'EUNREADABLE') throw e;
        warnings.push(`cannot read the other rc.conf files (${(e as Error).message}); not checking whether they override ${fileArg}`);
        evals.set(key, { base: new Map(), snapshots: [], final: new Map(), assumedDefaults: false, stderr: '', evaluator: 'static', notRun: [] });
      }
    }
    return evals.get(key)!;
  };
  const plan: { edit: RcEdit; search: string[]; target: string; fragment: string; later: string[]; effective: string | undefined; defaultValue: string | undefined }[] = [];
  for (const edit of edits) {
    const svc = opts.service ?? serviceOf(edit.name);
    const ev = await evalFor(svc);
    const sourced = ev.snapshots.map((s) => s.file).filter((f) => !f.startsWith('/etc/defaults/') && !f.startsWith('('));
    const search = fileArg ? fileArgFiles ?? [fileArg] : sourced;
    let target = fileArg;
    if (!target) {
      if (svc) target = `/etc/rc.conf.d/${svc}`;
      else target = (ev.final.get('rc_conf_files') ?? '/etc/rc.conf').split(/\s+/).find((x) => x !== '') ?? '/etc/rc.conf';
    }
    // A directory fragment: a new assignment goes to its last file (read last, so it wins).
    const inDir = target === fileArg ? fileArgFiles : await dirFiles(root, target);
    const fragment = target;
    if (inDir) target = inDir[inDir.length - 1] ?? `${target}/kleene-boot`;
    // With -f, files rc(8) reads after that one may override what we write: say so.
    const lastOfArg = search[search.length - 1]!;
    // A file not read yet (an rc.conf.local this edit creates) still has its place in rc(8)'s
    // order: rc_conf_files in order, then the fragments; only the files after that place win.
    const rcFiles = (ev.final.get('rc_conf_files') ?? '').split(/\s+/).filter((x) => x !== '');
    const before = rcFiles.includes(lastOfArg) ? rcFiles.slice(0, rcFiles.indexOf(lastOfArg)) : [];
    const later = !fileArg ? []
      : sourced.includes(lastOfArg) ? sourced.slice(sourced.indexOf(lastOfArg) + 1)
        : sourced.filter((x) => !search.includes(x) && !before.includes(x));
    const defaultsSnap = ev.snapshots.find((s) => s.file === DEFAULTS_FILE);
    plan.push({ edit, search, target, fragment, later, effective: ev.final.get(edit.name), defaultValue: defaultsSnap?.vars.get(edit.name) });
  }
  const files = new Map<string, FileState>();
  const changes: EditChange[] = [];
  const unlocks: Unlock[] = [];
  try {
    const hosts = [...new Set(plan.flatMap((p) => [...p.search, p.target]))].sort();
    // A file that exists and cannot be read is an error, never an empty file to append to.
    for (const host of hosts) {
      try {
        await fsp.access(realPath(root, host), fsc.R_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') throw unreadableError(host);
      }
    }
    if (!opts.dryRun) {
      for (const host of hosts) {
        const real = realPath(root, host);
        // rc.conf.d itself is not in a stock FreeBSD install; any other missing directory is a typo.
        if (/^\/etc\/rc\.conf\.d\/[^/]+(\/kleene-boot)?$/.test(host)) await fsp.mkdir(dirname(real), { recursive: true, mode: 0o755 });
        else if (!(await fsp.stat(dirname(real)).catch(() => undefined))?.isDirectory()) {
          throw new ConfigError('ENOENT', `directory ${dirname(host)} does not exist`, { file: host }, 'create it first, or name another file with -f');
        }
        unlocks.push(await acquireLock(real, { timeoutMs: opts.lockTimeoutMs, hostPath: host }));
      }
    }
    // Read everything after locking, and refuse to start from a file sh cannot read (as sysrc).
    // sh -n runs beside the edit (a 10,000-line file takes sh as long as our parse); its verdict
    // comes first all the same: before any other error (syncChecks) and before anything is written.
    const parsed = [...evals.values()].map((ev) => ev.docs);
    const checks: { host: string; bad: Promise<string | undefined> }[] = [];
    for (const host of hosts) {
      const st = await readState(root, host, parsed.map((d) => d?.get(host)));
      files.set(host, st);
      if (st.exists) checks.push({ host, bad: shSyntaxError(st.original) });
    }
    const syntaxChecked = async (): Promise<void> => {
      for (const c of checks) {
        const bad = await c.bad;
        if (bad) throw new ConfigError('ESYNTAX', `sh -n rejects this file: ${bad}`, { file: c.host }, 'fix it first; kleene-boot edits only files sh can read');
      }
    };
    try {
      await editAll();
    } catch (e) {
      await syntaxChecked();
      throw e;
    }
    // sh -n of each edited file's last text (once, whatever the number of edits), begun beside
    // the checks of the files as read, which may still run: on a 10,000-line rc.conf each takes
    // sh as long as our parse.
    const edited = new Map([...files.values()].filter((f) => f.text !== f.original).map((f) => [f, shSyntaxError(f.text)] as const));
    await syntaxChecked();
    return await verifyAndWrite(edited);
  } finally {
    for (const u of unlocks.reverse()) await u();
  }

  async function editAll(): Promise<void> {
    for (const p of plan) {
      for (const host of p.later) {
        const a = lastAssignment((files.get(host) ?? await readState(root, host)).doc, p.edit.name);
        if (a) warnings.push(`${p.edit.name} is also set at ${host}:${a.line}, which rc(8) reads later; that value wins`);
      }
    }

    for (const p of plan) {
      const e = p.edit;
      // The last file of the search order holding an assignment wins, as in sysrc.
      let where: { f: FileState; a: Assignment } | undefined;
      // The target too when it is not read yet (a fragment this call creates): an earlier edit of
      // this same call may have put the variable there (`+=a +=b` into an unset list).
      for (const host of p.search.includes(p.target) ? p.search : [...p.search, p.target]) {
        const f = files.get(host)!;
        const a = lastAssignment(f.doc, e.name);
        if (a) where = { f, a };
      }
      if (e.op === 'unset') {
        let removed = false;
        for (const host of p.search) {
          const f = files.get(host)!;
          let a = lastAssignment(f.doc, e.name);
          while (a) {
            if (a.construct) refuseConstruct(host, a);
            const r = removalRange(f.text, a);
            if (!r) {
              throw new ConfigError('EUNSAFE', `cannot remove ${e.name} without touching the command around it`, { file: host, line: a.line },
                'edit this line by hand');
            }
            changes.push({ file: host, name: e.name, before: a.value ?? a.raw, after: undefined, line: a.line });
            removed = true;
            setText(f, f.text.slice(0, r[0]) + f.text.slice(r[1]));
            f.expect.set(e.name, undefined);
            a = lastAssignment(f.doc, e.name);
          }
        }
        if (!removed) unchanged.push({ name: e.name, value: undefined, file: p.search.length === 1 ? p.search[0]! : p.target });
        continue;
      }
      let current: string;
      if (where) {
        if (where.a.construct) refuseConstruct(where.f.host, where.a);
        if (e.op !== 'set' && where.a.value === undefined) {
          throw new ConfigError('EDYNAMIC', `${e.name} is ${where.a.raw}, which sh expands; ${e.op === 'add' ? '+=' : '-='} would write the expansion back`,
            { file: where.f.host, line: where.a.line }, `set the whole list with 'rc set ${e.name}=…'`);
        }
        current = where.a.value ?? where.a.raw;
      } else {
        current = p.defaultValue ?? '';
      }
      let value: string;
      if (e.op === 'set') value = e.value;
      else {
        const items = splitList(current);
        if (e.op === 'add') value = items.includes(e.item) ? current : [...items, e.item].join(' ');
        else value = items.includes(e.item) ? items.filter((x) => x !== e.item).join(' ') : current;
        // The old value holds a line break (a CR, or a newline in quotes): it cannot be written back on one line.
        if (where && value !== current && /[\r\n]/.test(value)) {
          throw new ConfigError('EUNSAFE', `${e.name} holds a line break (CR or LF) here; kleene-boot writes values on one line`,
            { file: where.f.host, line: where.a.line }, `set the whole list with 'rc set ${e.name}=…', or fix the line by hand`);
        }
      }
      if (opts.validate && !(where && where.a.value === value) && !(!where && e.op !== 'set' && value === current)) {
        const bad = checkValue(e.name, value);
        if (bad && opts.validate === 'refuse') {
          throw new ValueError('EBADVALUE', bad.message, undefined, `${bad.hint ? `${bad.hint}; ` : ''}--force stores it anyway`);
        }
        if (bad) warnings.push(`${bad.message}; stored anyway (--force)`);
      }
      if (where) {
        if (where.a.value === value) {
          unchanged.push({ name: e.name, value, file: where.f.host });
          continue;
        }
        const f = where.f;
        if (f.doc.crlf) {
          throw new ConfigError('ECRLF', 'this file has CRLF line ends: sh reads every value with a trailing CR, so rc(8) already misreads it',
            { file: f.host, line: where.a.line }, "convert it first (tr -d '\\r' < FILE > FILE.new), then edit");
        }
        changes.push({ file: f.host, name: e.name, before: where.a.value ?? where.a.raw, after: value, line: where.a.line });
        if (!fileArg && f.host !== p.target && !f.host.startsWith(`${p.fragment}/`)) {
          notes.push(`${e.name} is set at ${f.host}:${where.a.line}, so it was changed there, not in ${p.target} (the last assignment rc(8) reads wins, as with sysrc)`);
        }
        const word = rcQuote(value, where.a.raw.startsWith("'") ? 'single' : 'double');
        // The parse of the new text: the old one with this value spliced in where that is sure.
        setText(f, f.text.slice(0, where.a.valueStart) + word + f.text.slice(where.a.valueEnd), replaceValue(f.doc, where.a, word));
        f.expect.set(e.name, value);
      } else {
        if (e.op !== 'set' && value === current) {
          unchanged.push({ name: e.name, value, file: p.target });
          continue;
        }
        const f = files.get(p.target)!;
        if (f.doc.crlf) {
          throw new ConfigError('ECRLF', 'this file has CRLF line ends: sh reads every value with a trailing CR, so rc(8) already misreads it',
            { file: f.host, line: firstCrlfLine(f.text) }, "convert it first (tr -d '\\r' < FILE > FILE.new), then edit");
        }
        // With -f the old value is what that file held: nothing (rc(8) may read another elsewhere).
        changes.push({ file: f.host, name: e.name, before: fileArg ? undefined : p.effective, after: value, line: undefined });
        const sep = f.text === '' || f.text.endsWith('\n') ? '' : '\n';
        const line = `${e.name}=${rcQuote(value)}\n`;
        let text = `${f.text}${sep}${line}`;
        // A file ending in a line continuation (`a=\` last) would join our line to its last
        // word: leave one empty line between them.
        // The parse that checks the appended line is the file's new document (one parse, not two).
        const doc = parseRc(text);
        const back = lastAssignment(doc, e.name);
        if (back?.value !== value || back.construct) setText(f, `${f.text}${sep}\n${line}`);
        else setText(f, text, doc);
        f.expect.set(e.name, value);
      }
    }

  }

  /** `edited`: each file that changes, with its sh -n verdict to come. */
  async function verifyAndWrite(edited: ReadonlyMap<FileState, Promise<string | undefined>>): Promise<EditResult> {
    // Check the new texts: our parser must see exactly the intended values at top level, and sh -n must accept them.
    const changedFiles = [...edited.keys()];
    for (const f of changedFiles) {
      for (const [name, want] of f.expect) {
        const a = lastAssignment(f.doc, name);
        const ok = want === undefined ? a === undefined : a !== undefined && !a.construct && a.value === want;
        if (!ok) {
          throw new ConfigError('EVERIFY', `after the edit, ${name} would not read back as intended; nothing was written`, { file: f.host },
            'the file probably ends inside a continuation or an open block; fix its end by hand');
        }
      }
      const bad = await edited.get(f)!;
      if (bad) throw new ConfigError('EVERIFY', `the edited file would not pass sh -n (${bad}); nothing was written`, { file: f.host });
    }

    const diff = changedFiles
      .map((f) => unifiedDiff(f.exists ? f.host : '/dev/null', f.host, f.original, f.text))
      .join('');
    if (!opts.dryRun) {
      for (const f of changedFiles) await writeOne(root, f, opts);
    }
    return { changes, diff, changed: changedFiles.length > 0, warnings, notes, unchanged };
  }
}

async function writeOne(root: string, f: FileState, opts: EditOptions): Promise<void> {
  if (f.exists) {
    // One place for backups, outside rc.conf.d (where rc.subr would source a stray file).
    const dir = opts.stateDir !== undefined ? join(opts.stateDir, 'rc-backup') : realPath(root, BACKUP_DIR);
    const base = f.host.replace(/^\//, '').replace(/\//g, '_');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await fsp.mkdir(dirname(dir), { recursive: true, mode: 0o755 });
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    let backup = join(dir, `${base}.${stamp}`);
    for (let n = 1; await fsp.lstat(backup).then(() => true, () => false); n++) backup = join(dir, `${base}.${stamp}.${n}`);
    await writeFileAtomic(backup, bytesBuffer(f.original), { mode: (await fsp.stat(f.real)).mode & 0o7777 });
    await pruneBackups(dir, base);
  }
  await writeFileAtomic(f.real, bytesBuffer(f.text), {
    mode: f.exists ? undefined : 0o644,
    onStep: async (step) => {
      // Right before the rename: the file must still be the one we read, else someone else's
      // edit would be lost (sysrc overwrites it).
      if (step === 'temp-synced') await assertUnchanged(f);
      await opts.onWriteStep?.(f.host, step);
    },
  });
}

/** Keeps the newest BACKUPS_KEPT backups of one file (names sort by their UTC stamp). */
async function pruneBackups(dir: string, base: string): Promise<void> {
  const quoted = base.replace(/[.*+?^$|()[\]{}\\]/g, (c) => `\\${c}`);
  const re = new RegExp(`^${quoted}\\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9-]+Z(\\.[0-9]+)?$`);
  const mine = (await fsp.readdir(dir)).filter((n) => re.test(n)).sort(byStamp);
  for (const old of mine.slice(0, Math.max(0, mine.length - BACKUPS_KEPT))) await fsp.rm(join(dir, old), { force: true });
}

function byStamp(a: string, b: string): number {
  const key = (n: string) => {
    const m = /\.([0-9]{4}-[^.]+Z)(?:\.([0-9]+))?$/.exec(n)!;
    return `${m[1]}.${(m[2] ?? '0').padStart(6, '0')}`;
  };
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/**
 * The files rc.subr sources from `host` when it is a directory (`for _rc in DIR/*; [ -f ]`):
 * regular files, no dot files, in sh's glob order (bytes, C locale). undefined when `host` is
 * not a directory.
 */
export async function dirFiles(root: string, host: string): Promise<string[] | undefined> {
  const real = realPath(root, host);
  const st = await fsp.stat(real).catch(() => undefined);
  if (!st?.isDirectory()) return undefined;
  const out: string[] = [];
  const names = (await fsp.readdir(real)).filter((n) => !n.startsWith('.'));
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) {
    if ((await fsp.stat(join(real, n)).catch(() => undefined))?.isFile()) out.push(`${host.replace(/\/+$/, '')}/${n}`);
  }
  return out;
}

async function assertUnchanged(f: FileState): Promise<void> {
  let now: { size: number; mtimeMs: number; ino: number; text: string } | undefined;
  try {
    const st = await fsp.stat(f.real);
    now = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, text: await fsp.readFile(f.real, 'latin1') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const same = f.exists
    ? now !== undefined && now.size === f.stat!.size && now.mtimeMs === f.stat!.mtimeMs && now.ino === f.stat!.ino && now.text === f.original
    : now === undefined;
  if (!same) {
    throw new ConfigError('ECHANGED', 'the file changed while kleene-boot was editing it; nothing was written to it',
      { file: f.host }, 'someone else edited it at the same time: run the command again');
  }
}
