// What rc(8) sees: rc.conf is a shell script, read the way load_rc_config (rc.subr) reads it:
//   /etc/defaults/rc.conf (which may source /etc/defaults/vendor.conf), then source_rc_confs —
//   every file of rc_conf_files, twice over the list so that a file rc.conf adds to
//   rc_conf_files is read too, each file once — then for `/etc` and every `local_startup`
//   directory (minus `/rc.d`): rc.conf.d/<service> when it is a file, or every file in it when
//   it is a directory.
// Who reads it (chooseEvaluator, the one place that decides, for every command):
//   - this host (no -R): /bin/sh, as at boot: the files are this host's own code;
//   - -R DIR, as root, when DIR has a /bin/sh: that sh inside chroot(8) DIR, as sysrc(8) -R
//     does, so every path the files name (`. /etc/inc`, `$(cat /etc/x)`) is DIR's and whatever
//     they run runs against DIR, not this host;
//   - -R DIR otherwise (no /bin/sh under DIR, not root, or DIR's sh cannot run here, such as a
//     FreeBSD root on Linux): static-eval.ts, which runs nothing and reports each line that
//     would need a command. A staged root, or a jail's root whose own root user writes its
//     rc.conf, is never code this host runs.
// `set -a` exports every assignment so the driver can list the variables after each file with
// builtins only (export -p names them, printf prints the bytes: a chroot may have no env(1));
// the snapshots tell which file changed a value last, and the lossless parser says on which line.
// A file that exists and cannot be read is an error (exit 1), never an empty file.
import { promises as fsp, readdirSync, readFileSync, statSync } from 'node:fs';
import { ConfigError, HostCommandError } from '../errors.ts';
import { resolveInRoot } from '../fs/root.ts';
import { bytesToText } from './bytes.ts';
import { assertRoot, normRoot, runShell, shPath, shSyntaxError } from './host.ts';
import { parseRc, type Assignment, type RcDocument } from './parse.ts';
import { loadStatic, NOT_RUN_HINT, unreadableError, type LoadRequest, type NotRun, type PathKind, type RootView } from './static-eval.ts';

export { NOT_RUN_HINT, type NotRun } from './static-eval.ts';

export interface EffectiveValue {
  name: string;
  value: string;
  /** Host path of the file that set it last; '(environment)' when no file did. */
  file: string;
  /** Line of the last assignment in that file; undefined when no assignment there can be seen. */
  line: number | undefined;
  /** Why file/line may be wrong (assignment inside an if block, set by eval …). */
  note?: string;
}

export interface RcSnapshot {
  /** Host path of the file just read. */
  file: string;
  vars: Map<string, string>;
}

/** Who read the files: this host's sh, the root's sh in chroot(8), or the static reader. */
export type Evaluator = 'host' | 'chroot' | 'static';

export interface RcEvaluation {
  /** Variables before any file was read (the environment rc(8) starts with). */
  base: Map<string, string>;
  /** One snapshot after each file, in the order sh read them. */
  snapshots: RcSnapshot[];
  /** Variables after the last file. */
  final: Map<string, string>;
  /** /etc/defaults/rc.conf was missing under the root: FreeBSD's rc_conf_files and local_startup were assumed. */
  assumedDefaults: boolean;
  /** What sh printed on stderr while reading (warnings from the files themselves). */
  stderr: string;
  evaluator: Evaluator;
  /** Static reading only: lines not evaluated because they need a command (never run). */
  notRun: NotRun[];
  /** Why the root's /bin/sh could not be used in chroot, when the static reader stood in for it. */
  fallback?: string;
  /** Static reading only: the parse of each file it read, by host path (parseSourced reuses it). */
  docs?: Map<string, RcDocument>;
}

export const DEFAULTS_FILE = '/etc/defaults/rc.conf';

// FreeBSD's values, used when a staged root has no /etc/defaults/rc.conf (a partial image):
// load_rc_config itself would then read only /etc/rc.conf, which would hide rc.conf.local and
// /usr/local/etc/rc.conf.d from every command.
const ASSUMED_VARS: [string, string][] = [['rc_conf_files', '/etc/rc.conf /etc/rc.conf.local'], ['local_startup', '/usr/local/etc/rc.d']];
const ASSUMED_DEFAULTS = ASSUMED_VARS.map(([k, v]) => `${k}='${v}'`).join('\n');

/** The pseudo file that holds ASSUMED_DEFAULTS in evaluations and attributions. */
export const ASSUMED_FILE = '(defaults assumed by kleene-boot)';

/** rc(8)'s environment: the files are read with this and nothing else. */
const RC_ENV = { PATH: '/sbin:/bin:/usr/sbin:/usr/bin', HOME: '/' };

// Runs in the host's /bin/sh (no -R) or in the root's, chroot'ed: paths are the files' own.
const DRIVER = `
__kb_svc=$1
__kb_snap() {
	printf '\\001%s\\000' "$1"
	__kb_names=$(export -p)
	while IFS= read -r __kb_l; do
		case $__kb_l in
		'export '*) __kb_n=\${__kb_l#export } ;;
		'declare -x '*) __kb_n=\${__kb_l#declare -x } ;;
		*) continue ;;
		esac
		__kb_n=\${__kb_n%%=*}
		case $__kb_n in ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*|__kb_*) continue ;; esac
		eval "__kb_s=\\\${$__kb_n+x} __kb_v=\\$$__kb_n"
		[ -n "$__kb_s" ] && printf '%s=%s\\000' "$__kb_n" "$__kb_v"
	done <<__KB_EOF
$__kb_names
__KB_EOF
}
__kb_unreadable() {
	printf '\\001unreadable %s\\000' "$1"
	exit 3
}
__kb_src() {
	if [ -f "$1" ]; then
		[ -r "$1" ] || __kb_unreadable "$1"
		printf '\\001begin %s\\000' "$1"
		. "$1"
		__kb_snap end
	fi
}
__kb_confs() {
	__kb_seen=
	for __kb_pass in 1 2; do
		for __kb_i in \${rc_conf_files}; do
			case $__kb_seen in *:"$__kb_i":*) continue ;; esac
			__kb_seen="$__kb_seen:$__kb_i:"
			__kb_src "$__kb_i"
		done
	done
}
__kb_load() {
	if [ -e /etc/defaults/rc.conf ]; then
		__kb_src /etc/defaults/rc.conf
	else
		printf '\\001assumed\\000\\001begin %s\\000' '${ASSUMED_FILE}'
		${ASSUMED_DEFAULTS}
		__kb_snap end
	fi
	__kb_confs
	if [ -n "$__kb_svc" ]; then
		for __kb_d in /etc \${local_startup}; do
			__kb_d=\${__kb_d%/rc.d}
			if [ -f "$__kb_d/rc.conf.d/$__kb_svc" ]; then
				__kb_src "$__kb_d/rc.conf.d/$__kb_svc"
			elif [ -d "$__kb_d/rc.conf.d/$__kb_svc" ]; then
				[ -r "$__kb_d/rc.conf.d/$__kb_svc" ] && [ -x "$__kb_d/rc.conf.d/$__kb_svc" ] || __kb_unreadable "$__kb_d/rc.conf.d/$__kb_svc"
				for __kb_rc in "$__kb_d/rc.conf.d/$__kb_svc"/*; do
					[ -f "$__kb_rc" ] && __kb_src "$__kb_rc"
				done
			fi
		done
	fi
}
set -a
__kb_snap base
if [ "$2" = files ]; then
	shift 2
	for __kb_f in "$@"; do __kb_src "$__kb_f"; done
else
	__kb_load
fi
`;

const INTERNAL = /^__kb_/;

function envBlock(tokens: string[], from: number): { vars: Map<string, string>; next: number } {
  const vars = new Map<string, string>();
  let k = from;
  for (; k < tokens.length; k++) {
    const tok = tokens[k]!;
    if (tok.startsWith('\x01')) break;
    const eq = tok.indexOf('=');
    if (eq <= 0) continue;
    const name = tok.slice(0, eq);
    if (INTERNAL.test(name)) continue;
    vars.set(name, tok.slice(eq + 1));
  }
  return { vars, next: k };
}

/** chroot(8), the same path on FreeBSD and Debian. */
function chrootPath(): string {
  return '/usr/sbin/chroot';
}

/**
 * Who reads rc.conf under `root` (normalised, see normRoot): 'host' for this host; 'chroot'
 * when root is a staged root with an executable /bin/sh (symlinks followed inside it) and this
 * process may chroot (it is root); 'static' otherwise. Used by every command, through
 * evaluateRc and evaluateFiles.
 */
export function chooseEvaluator(root: string): Evaluator {
  if (root === '') return 'host';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'static';
  try {
    const st = statSync(resolveInRoot(root, '/bin/sh'));
    if (st.isFile() && (st.mode & 0o111) !== 0) return 'chroot';
  } catch {
    // No /bin/sh under the root.
  }
  return 'static';
}

/**
 * Runs load_rc_config for `service` (or only defaults + rc_conf_files when service is
 * undefined) with rc(8)'s PATH and an otherwise empty environment, read by chooseEvaluator's
 * choice. Throws ConfigError naming the file when one is not valid sh, and EUNREADABLE when one
 * exists and cannot be read.
 */
export async function evaluateRc(service: string | undefined, opts: { root?: string } = {}): Promise<RcEvaluation> {
  return runDriver({ service }, [service ?? ''], service ?? '', opts);
}

/**
 * `sysrc -f FILE`'s reading: only these files (host paths), in order, as sh reads them
 * (expansions, `.` includes and all), from rc(8)'s empty environment. A file that does not
 * exist is skipped. Throws ConfigError naming the file sh cannot read.
 */
export async function evaluateFiles(files: string[], opts: { root?: string } = {}): Promise<RcEvaluation> {
  return runDriver({ files }, ['', 'files', ...files], files.join(' '), opts);
}

/** The root's files for the static reader: host paths resolved inside the root, symlinks too. */
export function rootView(root: string): RootView {
  const at = (p: string) => resolveInRoot(root, p);
  const errKind = (e: unknown): PathKind => ((e as NodeJS.ErrnoException).code === 'EACCES' ? 'unreadable' : 'missing');
  return {
    kind(p) {
      try {
        const st = statSync(at(p));
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch (e) {
        return errKind(e);
      }
    },
    read(p) {
      try {
        return readFileSync(at(p), 'latin1');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EACCES') return 'unreadable';
        throw e;
      }
    },
    list(p) {
      try {
        return readdirSync(at(p), { encoding: 'latin1' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EACCES') return 'unreadable';
        throw e;
      }
    },
  };
}

function readStatically(req: LoadRequest, root: string, fallback?: string): RcEvaluation {
  const base = new Map(Object.entries(RC_ENV));
  const r = loadStatic(req, rootView(root), base, { file: ASSUMED_FILE, vars: ASSUMED_VARS });
  const final = r.snapshots.length > 0 ? r.snapshots[r.snapshots.length - 1]!.vars : base;
  return { base, snapshots: r.snapshots, final, assumedDefaults: r.assumedDefaults, stderr: '', evaluator: 'static', notRun: r.notRun, docs: r.docs,
    ...(fallback ? { fallback } : {}) };
}

async function runDriver(req: LoadRequest, args: string[], what: string, opts: { root?: string }): Promise<RcEvaluation> {
  const root = normRoot(opts.root);
  await assertRoot(root);
  const evaluator = chooseEvaluator(root);
  if (evaluator === 'static') return readStatically(req, root);
  const service = what;
  // node's own spawn (runShell), not execa: loading execa cost rc get more than sh itself.
  const common = { timeoutMs: 20_000, env: RC_ENV, cwd: '/' };
  const r = evaluator === 'host'
    ? await runShell(['-c', DRIVER, 'kleene-boot', ...args], common)
    : await runShell([root, '/bin/sh', '-c', DRIVER, 'kleene-boot', ...args], { ...common, program: chrootPath() });
  // Values are bytes (bytes.ts): decoded as latin1, never as UTF-8.
  const stdout = Buffer.from(r.stdout ?? new Uint8Array()).toString('latin1');
  const stderrText = Buffer.from(r.stderr ?? new Uint8Array()).toString('utf8');
  if (evaluator === 'chroot' && !stdout.startsWith('\x01base\0')) {
    // The root's sh never started (a FreeBSD root on Linux, a missing library): nothing of the
    // root ran, so read it statically rather than not at all.
    return readStatically(req, root, `cannot run ${root}/bin/sh in chroot(8) (${firstLine(stderrText) ?? `status ${r.exitCode}`})`);
  }
  const tokens = stdout.split('\0');
  let base = new Map<string, string>();
  const snapshots: RcSnapshot[] = [];
  let assumedDefaults = false;
  let current: string | undefined;
  let k = 0;
  while (k < tokens.length) {
    const tok = tokens[k]!;
    k++;
    if (tok === '\x01base') {
      const b = envBlock(tokens, k);
      base = b.vars;
      k = b.next;
    } else if (tok === '\x01assumed') {
      assumedDefaults = true;
    } else if (tok.startsWith('\x01unreadable ')) {
      throw unreadableError(bytesToText(tok.slice(12)));
    } else if (tok.startsWith('\x01begin ')) {
      current = bytesToText(tok.slice(7));
    } else if (tok === '\x01end') {
      const b = envBlock(tokens, k);
      snapshots.push({ file: current ?? '?', vars: b.vars });
      current = undefined;
      k = b.next;
    }
  }
  if (r.exitCode !== 0 || r.timedOut) {
    // sh stops at the first file it cannot read: name it (the one begun but not ended).
    if (current !== undefined) {
      const text = await fsp.readFile(root === '' ? current : resolveInRoot(root, current), 'latin1').catch(() => '');
      const why = (await shSyntaxError(text)) ?? firstLine(stderrText) ?? `sh exited with status ${r.exitCode}`;
      throw new ConfigError('ESYNTAX', `sh cannot read this file: ${why}`, { file: current },
        'fix the file by hand; rc(8) would stop reading here too');
    }
    throw new HostCommandError('ESH', `reading rc.conf failed: ${firstLine(stderrText) ?? `status ${r.exitCode}`}`,
      { command: `${evaluator === 'chroot' ? `chroot ${root} /bin/sh` : shPath()} (load_rc_config ${service})` });
  }
  const final = snapshots.length > 0 ? snapshots[snapshots.length - 1]!.vars : base;
  return { base, snapshots, final, assumedDefaults, stderr: stderrText, evaluator, notRun: [] };
}

function firstLine(s: string): string | undefined {
  return s.split('\n').map((l) => l.trim()).find((l) => l !== '');
}

/** Parsed text of every file an evaluation read, by host path. */
export async function parseSourced(ev: RcEvaluation, opts: { root?: string } = {}): Promise<Map<string, RcDocument>> {
  const root = normRoot(opts.root);
  const docs = new Map<string, RcDocument>();
  for (const s of ev.snapshots) {
    if (docs.has(s.file) || s.file === ASSUMED_FILE) continue;
    const read = ev.docs?.get(s.file);
    if (read) {
      docs.set(s.file, read);
      continue;
    }
    // Inside the root as the evaluator saw it: a symlink never leads to this host's files.
    const text = await fsp.readFile(root === '' ? s.file : resolveInRoot(root, s.file), 'latin1').catch(() => '');
    docs.set(s.file, parseRc(text));
  }
  return docs;
}

/**
 * Which file and line set each variable last: the later of (a) the last file after which sh's
 * value changed and (b) the last file holding an assignment the parser can see; the line is
 * that file's last such assignment. `only`: just these variables (`rc get NAME` needs one, not
 * every variable of a 10,000-line rc.conf). Pure.
 */
export function attribute(ev: RcEvaluation, docs: Map<string, RcDocument>, only?: ReadonlySet<string>): Map<string, EffectiveValue> {
  const out = new Map<string, EffectiveValue>();
  // Per file, its plain assignments by name, and the names it also sets inside a construct:
  // looked up once per variable and snapshot, so a 10,000-line rc.conf costs no more than its size.
  const plain = new Map<string, Map<string, Assignment[]>>();
  const inConstruct = new Map<string, Set<string>>();
  for (const [file, d] of docs) {
    const byName = new Map<string, Assignment[]>();
    const constructs = new Set<string>();
    for (const a of d.assignments) {
      if (only && !only.has(a.name)) continue;
      if (a.construct) constructs.add(a.name);
      if (a.commandPrefix) continue;
      const list = byName.get(a.name);
      if (list) list.push(a);
      else byName.set(a.name, [a]);
    }
    plain.set(file, byName);
    inConstruct.set(file, constructs);
  }
  const staticNames = new Set<string>();
  for (const byName of plain.values()) for (const n of byName.keys()) staticNames.add(n);
  const names = [...(only ?? ev.final.keys())].filter((n) => ev.final.has(n) && (ev.base.get(n) !== ev.final.get(n) || staticNames.has(n))).sort();
  for (const name of names) {
    const value = ev.final.get(name)!;
    let changedAt = -1;
    let staticAt = -1;
    let prev = ev.base.get(name);
    ev.snapshots.forEach((s, idx) => {
      const v = s.vars.get(name);
      if (v !== prev) changedAt = idx;
      prev = v;
      if (plain.get(s.file)?.has(name)) staticAt = idx;
    });
    const idx = Math.max(changedAt, staticAt);
    if (idx < 0) {
      out.set(name, { name, value, file: '(environment)', line: undefined });
      continue;
    }
    const file = ev.snapshots[idx]!.file;
    const mine = plain.get(file)?.get(name) ?? [];
    const last = mine[mine.length - 1];
    const ev1: EffectiveValue = { name, value, file, line: last?.line };
    if (file === ASSUMED_FILE) ev1.note = `no ${DEFAULTS_FILE} under the root; FreeBSD's default assumed`;
    else if (!last) ev1.note = 'set by a command sh ran (., eval, read …), not by an assignment';
    else if (last.construct) ev1.note = `last assignment is inside ${describeConstruct(last.construct)}; which one ran depends on the condition`;
    else if (inConstruct.get(file)?.has(name)) ev1.note = 'this file also sets it inside a conditional block';
    else if (last.value !== undefined && last.value !== value) ev1.note = 'the value sh read differs from this line (a later command changed it)';
    out.set(name, ev1);
  }
  return out;
}

/** `an if block (lines 3-7)`. */
export function describeConstruct(c: { kind: string; line: number; endLine: number | undefined }): string {
  const what = c.kind === 'brace' ? 'a { } group' : c.kind === 'heredoc' ? 'a here-document'
    : c.kind === 'and-or' ? 'a && / || list' : `${c.kind === 'if' ? 'an' : 'a'} ${c.kind} block`;
  return `${what} (lines ${c.line}-${c.endLine ?? 'end of file'})`;
}

/**
 * Every variable rc(8) would see for `service` after load_rc_config, with the file and line that
 * set it. `evaluations` collects the evaluation (for notRunLines).
 */
export async function readEffective(service: 'kleened' | 'kleene_containers', opts: { root?: string; evaluations?: RcEvaluation[] } = {}): Promise<Map<string, EffectiveValue>> {
  const ev = await evaluateRc(service, opts);
  opts.evaluations?.push(ev);
  const docs = await parseSourced(ev, opts);
  return attribute(ev, docs);
}


/**
 * The warnings of static readings, one per file:line (`/etc/rc.conf:3: not run: …`), then the
 * hint; a fallback from chroot says why first. Empty when everything was evaluated. Pure.
 */
export function notRunLines(evs: readonly RcEvaluation[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const ev of evs) {
    if (ev.fallback && !seen.has(ev.fallback)) {
      seen.add(ev.fallback);
      out.push(`warning: ${ev.fallback}; read without running anything`);
    }
    for (const n of ev.notRun) {
      const key = `${n.file}:${n.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`warning: ${n.file}:${n.line}: not run: ${n.what}`);
    }
  }
  if (out.length > 0) out.push(`  hint: ${NOT_RUN_HINT}`);
  return out;
}

/** Writes notRunLines to stderr, each prefixed `kleene-boot: ` (the hint as is). */
export function warnNotRun(evs: readonly RcEvaluation[]): void {
  const lines = notRunLines(evs);
  if (lines.length > 0) process.stderr.write(lines.map((l) => (l.startsWith('  ') ? l : `kleene-boot: ${l}`)).join('\n') + '\n');
}
