// Argument parsing and output shapes shared by the `rc` subcommands and enable/disable. Kept
// here (not in the command files) so each command file stays one thin yargs module.
import type { Argv } from 'yargs';
import { OptionError } from '../errors.ts';
import { shQuote } from '../render/sh.ts';
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
  const [, name, op, rest] = m as unknown as [string, string, string, string];
  checkVocabulary(name);
  if (op === '+=') return { op: 'add', name, item: rest };
  if (op === '-=') return { op: 'remove', name, item: rest };
  return { op: 'set', name, value: rest };
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
  throw new OptionError('EUNKNOWNVAR', `${name} is not a kleene-boot variable; rc(8) would ignore it`, undefined,
    near ? `did you mean ${near}? (kleene_containers_<name>_depend|priority|ready for one container)`
      : 'see `kleene-boot rc show` for the variables, and kleene_containers_<name>_depend|priority|ready');
}

/** How a value is shown to people: as is when it is a plain word, else sh-quoted (so spaces and quotes show). */
export function showValue(v: string | undefined): string {
  if (v === undefined) return '(unset)';
  return /^[A-Za-z0-9_./:,@%+=-]+$/.test(v) ? v : shQuote(v.replace(/[\r\n]/g, (c) => (c === '\r' ? '\\r' : '\\n')));
}

/** sysrc's change line: `name: before -> after`. */
export function formatChange(c: EditChange): string {
  return `${c.name}: ${showValue(c.before)} -> ${showValue(c.after)}`;
}
