// Argument parsing and output shapes shared by the `rc` subcommands and enable/disable. Kept
// here (not in the command files) so each command file stays one thin yargs module.
import type { Argv } from 'yargs';
import { OptionError, ValueError } from '../errors.ts';
import { shQuote } from '../shell/quote.ts';
import { bytesToText, textToBytes } from './bytes.ts';
import type { EditChange, RcEdit, RcService } from './editor.ts';
import { KNOBS } from '../model/knobs.ts';
import { isKnownKleeneVariable } from './defaults.ts';
import { closestName } from './lint.ts';

export interface CommonRcArgs {
  root: string;
  file?: string;
  service?: RcService;
}

/** --root, -f, -s: the options every rc command takes (sysrc's -R, -f, -s). */
export function withCommonRcOptions<T>(y: Argv<T>) {
  return y
    .option('file', { alias: 'f', type: 'string', describe: 'Operate on this file (host path) instead of the service fragment' })
    .option('service', { alias: 's', type: 'string', choices: ['kleened', 'kleene_containers'] as const,
      describe: 'Service whose rc.conf.d fragment and load order to use [default: from the variable name]' });
}

/** Parses `NAME=VALUE`, `NAME+=ITEM`, `NAME-=ITEM` (sysrc's forms). */
export function parseEditArg(arg: string): RcEdit {
  const m = /^(.*?)(\+=|-=|=)([\s\S]*)$/s.exec(arg);
  if (!m) {
    throw new OptionError('EOPTION', `'${arg}' is not NAME=VALUE, NAME+=ITEM or NAME-=ITEM`, undefined,
      'for example: kleene-boot rc set kleene_containers_list+=web');
  }
  const [, name, op, text] = m as unknown as [string, string, string, string];
  checkVocabulary(name);
  refuseReplacedBytes(name, text);
  // Written as given: the argument's bytes (UTF-8 from the terminal), not re-encoded (bytes.ts).
  return editOf(name, op, textToBytes(text));
}

function editOf(name: string, op: string, bytes: string): RcEdit {
  if (op === '+=') return { op: 'add', name, item: bytes };
  if (op === '-=') return { op: 'remove', name, item: bytes };
  return { op: 'set', name, value: bytes };
}

/**
 * Refuses a value in which Node put U+FFFD: it decodes argv as UTF-8 before any of our code
 * runs, so a Latin-1 byte (0xE9) is already gone and writing the rest would store three other
 * bytes. The raw argv cannot be recovered portably (Linux has /proc/self/cmdline, FreeBSD
 * none that node exposes), so every U+FFFD is refused, with the byte-exact way to give it.
 */
export function refuseReplacedBytes(name: string, text: string): void {
  if (!text.includes('\uFFFD')) return;
  throw new ValueError('EBADBYTES', `${name}: the value on the command line is not valid UTF-8 (a byte was replaced by U+FFFD); nothing written`,
    undefined, `give the bytes exactly from a file or stdin: printf 'caf\\351' | kleene-boot rc set --value-from - ${name}`);
}

/**
 * `rc set --value-from FILE NAME` (or NAME+= / NAME-=): the value is FILE's bytes ('-': stdin),
 * exactly, without one final newline. The one way to set bytes that are not UTF-8 from a shell.
 */
export function parseValueFromArg(arg: string, bytes: Buffer, from: string): RcEdit {
  const m = /^([^=+-]*?)(\+=|-=|=)?$/.exec(arg);
  if (!m) {
    throw new OptionError('EOPTION', `with --value-from, '${arg}' must be NAME (or NAME+=, NAME-=) with nothing after it`, { option: 'value-from' },
      `the value is read from ${from}: kleene-boot rc set --value-from ${from} NAME`);
  }
  const [, name, op] = m as unknown as [string, string, string | undefined];
  checkVocabulary(name);
  const raw = bytes.toString('latin1');
  return editOf(name, op ?? '=', raw.endsWith('\n') ? raw.slice(0, -1) : raw);
}

/**
 * Refuses a kleene* variable that neither script reads (Quadlet's closed vocabulary): a typo
 * such as kleene_container_list would be written, ignored by rc(8), and found at the next
 * boot. Other variables (zfs_enable, …) pass, as with sysrc. `rc unset` does not call this,
 * so a misspelled variable can always be removed.
 */
export function checkVocabulary(name: string): void {
  if (!/^kleene/.test(name) || isKnownKleeneVariable(name)) return;
  const near = closestName(name, KNOBS.map((k) => k.name).filter((n) => !n.includes('<name>')));
  throw new ValueError('EUNKNOWNVAR', `${name} is not a kleene-boot variable; rc(8) would ignore it`, undefined,
    near ? `did you mean ${near}? (kleene_containers_<name>_depend|priority|ready for one container)`
      : 'see `kleene-boot rc show` for the variables, and kleene_containers_<name>_depend|priority|ready');
}

/**
 * How a value is shown to people: as sh reads it back, unquoted, as sysrc prints it
 * (`kleene_containers_list: db cache`); the file holds it quoted, and so does `rc get --json`.
 */
export function showValue(v: string | undefined): string {
  return v === undefined ? '(unset)' : v;
}

/** A value in sysrc -c -v's "would change from `a' to `b'": quoted the way sysrc quotes it there. */
export function quoteForCheck(v: string | undefined): string {
  return `\`${v ?? ''}'`;
}

/** sysrc's change line, `name: before -> after`, then the file written: `(FILE)`, or `(FILE:LINE)` with line. */
export function formatChange(c: EditChange, withLine = false): string {
  const where = textToBytes(withLine && c.line !== undefined ? `${c.file}:${c.line}` : c.file);
  return `${c.name}: ${showValue(c.before)} -> ${showValue(c.after)} (${where})`;
}

/** `name: unchanged (FILE)`: an edit that found the value already there. */
export function formatUnchanged(u: { name: string; value: string | undefined; file: string }): string {
  return `${u.name}: unchanged (${textToBytes(u.file)})`;
}

/**
 * Writes a line holding byte strings (values from rc.conf) to stdout as those bytes; host
 * paths and names in it are ASCII or UTF-8 text and are re-encoded as UTF-8 first.
 */
export function writeBytes(stream: NodeJS.WriteStream, bytes: string): void {
  stream.write(Buffer.from(bytes, 'latin1'));
}

/** A host path or other UTF-8 text, as a byte string for writeBytes. */
export { textToBytes, bytesToText };

/** sysrc's flags that kleene-boot spells as commands, and what to use instead. */
const SYSRC_FLAGS: Record<string, { flag: string; instead: string }> = {
  x: { flag: '-x', instead: "use 'kleene-boot rc unset NAME...' to delete variables" },
  a: { flag: '-a', instead: "use 'kleene-boot rc show --all' to list every variable" },
  e: { flag: '-e', instead: "use 'kleene-boot rc show' (NAME: VALUE # FILE:LINE), or 'rc get NAME' for one value" },
  c: { flag: '-c', instead: "use 'kleene-boot rc check NAME=VALUE...' (exit 0: nothing would change)" },
};

/** Declares sysrc's -x, -a, -e, -c (hidden) so they reach refuseSysrcFlags instead of a generic usage error. */
export function withSysrcFlags<T>(y: Argv<T>, flags: string[]) {
  let out = y as Argv<T>;
  for (const f of flags) out = out.option(f, { type: 'boolean', hidden: true }) as Argv<T>;
  return out;
}

/** The refusal for sysrc's flag `letter` given to `command` (message and the command to use instead); undefined for another letter. */
export function sysrcFlagRefusal(letter: string, command: string): { message: string; hint: string } | undefined {
  const v = SYSRC_FLAGS[letter];
  return v ? { message: `sysrc's ${v.flag} is not an option of '${command}'`, hint: v.instead } : undefined;
}

/** Exit 2 with the kleene-boot equivalent when a sysrc flag spelled differently here was given. */
export function refuseSysrcFlags(argv: Record<string, unknown>, command: string): void {
  for (const k of Object.keys(SYSRC_FLAGS)) {
    const r = argv[k] === true ? sysrcFlagRefusal(k, command) : undefined;
    if (r) throw new OptionError('ESYSRCFLAG', r.message, undefined, r.hint);
  }
}
