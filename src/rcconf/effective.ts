// What rc(8) sees: rc.conf is a shell script, so it is evaluated by /bin/sh exactly the way
// load_rc_config (rc.subr) reads it, never guessed in-process:
//   /etc/defaults/rc.conf (which may source /etc/defaults/vendor.conf), then source_rc_confs —
//   every file of rc_conf_files, twice over the list so that a file rc.conf adds to
//   rc_conf_files is read too, each file once — then for `/etc` and every `local_startup`
//   directory (minus `/rc.d`): rc.conf.d/<service> when it is a file, or every file in it when
//   it is a directory.
// Paths are mapped into `--root`. `set -a` exports every assignment so `env -0` can report the
// variables after each file without parsing sh quoting; the snapshots tell which file changed
// a value last, and the lossless parser says on which line.
import { promises as fsp } from 'node:fs';
import { ConfigError, HostCommandError } from '../errors.ts';
import { bytesToText } from './bytes.ts';
import { assertRoot, normRoot, realPath, runShell, shPath, shSyntaxError } from './host.ts';
import { parseRc, type RcDocument } from './parse.ts';

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
}

export const DEFAULTS_FILE = '/etc/defaults/rc.conf';

// FreeBSD's values, used when a staged root has no /etc/defaults/rc.conf (a partial image):
// load_rc_config itself would then read only /etc/rc.conf, which would hide rc.conf.local and
// /usr/local/etc/rc.conf.d from every command.
const ASSUMED_DEFAULTS = "rc_conf_files='/etc/rc.conf /etc/rc.conf.local'\nlocal_startup='/usr/local/etc/rc.d'";

/** The pseudo file that holds ASSUMED_DEFAULTS in evaluations and attributions. */
export const ASSUMED_FILE = '(defaults assumed by kleene-boot)';

const DRIVER = `
__kb_root=$1
__kb_svc=$2
__kb_snap() { printf '\\001%s\\000' "$1"; env -0; }
__kb_src() {
	if [ -r "$__kb_root$1" ] && [ -f "$__kb_root$1" ]; then
		printf '\\001begin %s\\000' "$1"
		. "$__kb_root$1"
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
	if [ -r "$__kb_root/etc/defaults/rc.conf" ]; then
		__kb_src /etc/defaults/rc.conf
		# defaults/rc.conf sources /etc/defaults/vendor.conf by its host path; map it too.
		[ -n "$__kb_root" ] && __kb_src /etc/defaults/vendor.conf
	else
		printf '\\001assumed\\000\\001begin %s\\000' '${ASSUMED_FILE}'
		${ASSUMED_DEFAULTS}
		__kb_snap end
	fi
	__kb_confs
	if [ -n "$__kb_svc" ]; then
		for __kb_d in /etc \${local_startup}; do
			__kb_d=\${__kb_d%/rc.d}
			if [ -f "$__kb_root$__kb_d/rc.conf.d/$__kb_svc" ]; then
				__kb_src "$__kb_d/rc.conf.d/$__kb_svc"
			elif [ -d "$__kb_root$__kb_d/rc.conf.d/$__kb_svc" ]; then
				for __kb_rc in "$__kb_root$__kb_d/rc.conf.d/$__kb_svc"/*; do
					[ -f "$__kb_rc" ] && __kb_src "\${__kb_rc#"$__kb_root"}"
				done
			fi
		done
	fi
}
set -a
__kb_snap base
if [ "$3" = files ]; then
	shift 3
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

/**
 * Runs load_rc_config for `service` (or only defaults + rc_conf_files when service is
 * undefined) in /bin/sh under `root`, with rc(8)'s PATH and an otherwise empty environment.
 * The files are shell: they run, as they do at boot. Throws ConfigError naming the file when
 * one of them is not valid sh.
 */
export async function evaluateRc(service: string | undefined, opts: { root?: string } = {}): Promise<RcEvaluation> {
  return runDriver([normRoot(opts.root), service ?? ''], service ?? '', opts);
}

/**
 * `sysrc -f FILE`'s reading: only these files (host paths), in order, as sh reads them
 * (expansions, `.` includes and all), from rc(8)'s empty environment. A file that does not
 * exist is skipped. Throws ConfigError naming the file sh cannot read.
 */
export async function evaluateFiles(files: string[], opts: { root?: string } = {}): Promise<RcEvaluation> {
  return runDriver([normRoot(opts.root), '', 'files', ...files], files.join(' '), opts);
}

async function runDriver(args: string[], what: string, opts: { root?: string }): Promise<RcEvaluation> {
  const root = normRoot(opts.root);
  await assertRoot(root);
  const service = what;
  const r = await runShell(['-c', DRIVER, 'kleene-boot', ...args],
    { timeoutMs: 20_000, env: { PATH: '/sbin:/bin:/usr/sbin:/usr/bin', HOME: '/' }, cwd: root || '/' });
  // Values are bytes (bytes.ts): decoded as latin1, never as UTF-8.
  const stdout = Buffer.from(r.stdout ?? new Uint8Array()).toString('latin1');
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
      const text = await fsp.readFile(realPath(root, current), 'latin1').catch(() => '');
      const why = (await shSyntaxError(text)) ?? firstLine(Buffer.from(r.stderr ?? new Uint8Array()).toString('utf8')) ?? `sh exited with status ${r.exitCode}`;
      throw new ConfigError('ESYNTAX', `sh cannot read this file: ${why}`, { file: current },
        'fix the file by hand; rc(8) would stop reading here too');
    }
    throw new HostCommandError('ESH', `reading rc.conf failed: ${firstLine(Buffer.from(r.stderr ?? new Uint8Array()).toString('utf8')) ?? `status ${r.exitCode}`}`,
      { command: `${shPath()} (load_rc_config ${service})` });
  }
  const final = snapshots.length > 0 ? snapshots[snapshots.length - 1]!.vars : base;
  return { base, snapshots, final, assumedDefaults, stderr: Buffer.from(r.stderr ?? new Uint8Array()).toString('utf8') };
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
    const text = await fsp.readFile(realPath(root, s.file), 'latin1').catch(() => '');
    docs.set(s.file, parseRc(text));
  }
  return docs;
}

/**
 * Which file and line set each variable last: the later of (a) the last file after which sh's
 * value changed and (b) the last file holding an assignment the parser can see; the line is
 * that file's last such assignment. Pure.
 */
export function attribute(ev: RcEvaluation, docs: Map<string, RcDocument>): Map<string, EffectiveValue> {
  const out = new Map<string, EffectiveValue>();
  const staticNames = new Set<string>();
  for (const d of docs.values()) for (const a of d.assignments) if (!a.commandPrefix) staticNames.add(a.name);
  const names = [...ev.final.keys()].filter((n) => ev.base.get(n) !== ev.final.get(n) || staticNames.has(n)).sort();
  for (const name of names) {
    const value = ev.final.get(name)!;
    let changedAt = -1;
    let staticAt = -1;
    let prev = ev.base.get(name);
    ev.snapshots.forEach((s, idx) => {
      const v = s.vars.get(name);
      if (v !== prev) changedAt = idx;
      prev = v;
      const doc = docs.get(s.file);
      if (doc?.assignments.some((a) => a.name === name && !a.commandPrefix)) staticAt = idx;
    });
    const idx = Math.max(changedAt, staticAt);
    if (idx < 0) {
      out.set(name, { name, value, file: '(environment)', line: undefined });
      continue;
    }
    const file = ev.snapshots[idx]!.file;
    const doc = docs.get(file);
    const mine = doc?.assignments.filter((a) => a.name === name && !a.commandPrefix) ?? [];
    const last = mine[mine.length - 1];
    const ev1: EffectiveValue = { name, value, file, line: last?.line };
    if (file === ASSUMED_FILE) ev1.note = `no ${DEFAULTS_FILE} under the root; FreeBSD's default assumed`;
    else if (!last) ev1.note = 'set by a command sh ran (., eval, read …), not by an assignment';
    else if (last.construct) ev1.note = `last assignment is inside ${describeConstruct(last.construct)}; which one ran depends on the condition`;
    else if (doc && doc.assignments.some((a) => a.name === name && a.construct)) ev1.note = 'this file also sets it inside a conditional block';
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

/** Every variable rc(8) would see for `service` after load_rc_config, with the file and line that set it. */
export async function readEffective(service: 'kleened' | 'kleene_containers', opts: { root?: string } = {}): Promise<Map<string, EffectiveValue>> {
  const ev = await evaluateRc(service, opts);
  const docs = await parseSourced(ev, opts);
  return attribute(ev, docs);
}
