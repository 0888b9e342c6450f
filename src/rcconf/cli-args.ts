// Argument parsing and output shapes shared by the `rc` subcommands and enable/disable. Kept
// here (not in the command files) so each command file stays one thin yargs module.
import type { Argv } from 'yargs';
import { OptionError } from '../errors.ts';
import { shQuote } from '../render/sh.ts';
import type { EditChange, RcEdit, RcService } from './editor.ts';

export interface CommonRcArgs {
  root: string;
  file?: string;
  service?: RcService;
}

/** --root, -f, -s: the options every rc command takes (sysrc's -R, -f, -s). */
export function withCommonRcOptions<T>(y: Argv<T>) {
  return y
    .option('root', { alias: 'R', type: 'string', default: '/', describe: 'Read and edit a host image staged under this directory' })
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
  if (op === '+=') return { op: 'add', name, item: rest };
  if (op === '-=') return { op: 'remove', name, item: rest };
  return { op: 'set', name, value: rest };
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
