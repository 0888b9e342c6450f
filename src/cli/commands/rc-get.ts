// `kleene-boot rc get NAME...`: the value rc(8) sees for each variable, like `sysrc NAME`.
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { isShVarName } from '../../model/names.ts';
import { withCommonRcOptions, showValue, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { serviceOf } from '../../rcconf/editor.ts';
import { defaultOf, installedFill, type DefaultFill } from '../../rcconf/defaults.ts';
import { attribute, evaluateRc, parseSourced, type EffectiveValue } from '../../rcconf/effective.ts';

interface GetArgs extends CommonRcArgs {
  names: string[];
  'values-only'?: boolean;
  where?: boolean;
  json?: boolean;
}

export const rcGetCommand: CommandModule<object, GetArgs> = {
  command: 'get <names..>',
  describe: 'Print the values rc(8) would see (sysrc NAME); -F: the file and line that set each',
  builder: (y) =>
    withCommonRcOptions(y)
      .positional('names', { type: 'string', array: true, demandOption: true })
      .option('values-only', { alias: 'n', type: 'boolean', describe: 'Print values only (sysrc -n)' })
      .option('where', { alias: 'F', type: 'boolean', describe: 'Print the file:line that set each value (sysrc -F)' })
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as never,
  handler: async (argv) => {
    const found: EffectiveValue[] = [];
    let missing = 0;
    const cache = new Map<string, Map<string, EffectiveValue>>();
    let fill: DefaultFill | undefined;
    for (const name of argv.names.map(String)) {
      if (!isShVarName(name)) throw new OptionError('EBADNAME', `'${name}' is not a valid sh variable name`);
      const svc = argv.service ?? serviceOf(name) ?? '';
      if (!cache.has(svc)) {
        const ev = await evaluateRc(svc || undefined, { root: argv.root });
        cache.set(svc, attribute(ev, await parseSourced(ev, { root: argv.root })));
      }
      let v = cache.get(svc)!.get(name);
      if (!v) {
        // Not set anywhere: the rc.d script's own default is what rc(8) runs with.
        const d = defaultOf(name, fill ??= await installedFill(argv.root));
        if (d) v = { name, value: d.value, file: 'default', line: undefined };
      }
      if (!v) {
        process.stderr.write(`kleene-boot: unknown variable '${name}'\n`);
        missing++;
        continue;
      }
      found.push(v);
      if (argv.json) continue;
      const where = `${v.file}${v.line !== undefined ? `:${v.line}` : ''}${v.note ? ` (${v.note})` : ''}`;
      if (argv.where) process.stdout.write(`${name}: ${where}\n`);
      else if (argv['values-only']) process.stdout.write(`${v.value}\n`);
      else process.stdout.write(`${name}: ${showValue(v.value)}\n`);
    }
    if (argv.json) process.stdout.write(JSON.stringify(found, null, 2) + '\n');
    if (missing > 0) process.exitCode = 1;
  },
};
