// `kleene-boot rc set NAME=VALUE|NAME+=ITEM|NAME-=ITEM...`: sysrc's edit, see src/rcconf/editor.ts.
// kleene-boot's own variables are checked with rc lint's rules first (--force stores anyway);
// other variables are stored as given, as sysrc does. --value-from FILE|- gives one value as
// bytes (a shell cannot pass bytes that are not UTF-8 through node's argv).
import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { OptionError } from '../../errors.ts';
import {
  formatChange, formatUnchanged, parseEditArg, parseValueFromArg, refuseSysrcFlags, withCommonRcOptions, withSysrcFlags, writeBytes, type CommonRcArgs,
} from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

interface SetArgs extends CommonRcArgs {
  assignments: string[];
  'dry-run'?: boolean;
  force?: boolean;
  'value-from'?: string;
}

export const rcSetCommand: CommandModule<object, SetArgs> = {
  command: 'set <assignments..>',
  describe: 'Set variables (NAME=VALUE), or add/remove one list item (NAME+=ITEM, NAME-=ITEM), as sysrc does',
  builder: (y) =>
    withSysrcFlags(withCommonRcOptions(y), ['x', 'a', 'e', 'c'])
      .positional('assignments', { type: 'string', array: true, demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'Print the unified diff; write nothing' })
      .option('value-from', { type: 'string', requiresArg: true,
        describe: "Read the value of the one NAME given from FILE ('-': stdin), byte for byte, without its final newline" })
      .option('force', { type: 'boolean', describe: "Store a kleene-boot variable even when rc lint would reject its value (with a warning)" }) as never,
  handler: async (argv) => {
    refuseSysrcFlags(argv as unknown as Record<string, unknown>, 'rc set');
    const from = argv['value-from'];
    let edits;
    if (from !== undefined) {
      if (argv.assignments.length !== 1) {
        throw new OptionError('EOPTION', 'takes exactly one NAME', { option: 'value-from' }, `kleene-boot rc set --value-from ${from} NAME`);
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(from === '-' ? 0 : from);
      } catch (e) {
        throw new OptionError('EOPTION', `cannot read ${from === '-' ? 'stdin' : from}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { option: 'value-from' });
      }
      edits = [parseValueFromArg(String(argv.assignments[0]), bytes, from)];
    } else {
      edits = argv.assignments.map((a) => parseEditArg(String(a)));
    }
    const r = await applyEdits(edits, {
      root: argv.root, file: argv.file, service: argv.service, dryRun: argv['dry-run'], validate: argv.force ? 'warn' : 'refuse',
    });
    for (const w of r.warnings) writeBytes(process.stderr, `kleene-boot: warning: ${w}\n`);
    for (const n of r.notes) process.stderr.write(`kleene-boot: note: ${n}\n`);
    if (argv['dry-run']) {
      writeBytes(process.stdout, r.diff);
      return;
    }
    let out = '';
    for (const c of r.changes) out += `${formatChange(c)}\n`;
    for (const u of r.unchanged) out += `${formatUnchanged(u)}\n`;
    writeBytes(process.stdout, out);
  },
};
