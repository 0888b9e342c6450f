// `kleene-boot rc get [-f FILE] [-n] NAME...`: sysrc's `sysrc [-f FILE] [-n] NAME`, for any
// variable. With -f, what sh reads from that file alone (expansions and `.` includes run);
// without, what rc(8) sees: /etc/defaults/rc.conf, the rc_conf_files chain and the service's
// rc.conf.d fragment(s), and for kleene-boot's variables the installed rc.d script's default
// when no file sets them. Values are printed as the bytes sh holds.
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { installedFill } from '../../install/installed-fill.ts';
import { isShVarName } from '../../model/names.ts';
import {
  bytesToText, refuseSysrcFlags, showValue, textToBytes, withCommonRcOptions, withSysrcFlags, writeBytes, type CommonRcArgs,
} from '../../rcconf/cli-args.ts';
import { defaultOf, type DefaultFill } from '../../rcconf/defaults.ts';
import { dirFiles, serviceOf } from '../../rcconf/editor.ts';
import { attribute, evaluateFiles, evaluateRc, parseSourced, warnNotRun, type EffectiveValue, type RcEvaluation } from '../../rcconf/effective.ts';
import { hostFileArg, normRoot } from '../../rcconf/host.ts';

interface GetArgs extends CommonRcArgs {
  names?: string[];
  'values-only'?: boolean;
  where?: boolean;
  json?: boolean;
}

export const rcGetCommand: CommandModule<object, GetArgs> = {
  command: 'get [names..]',
  describe: 'Print the values rc(8) would see, or -f FILE holds (sysrc [-f FILE] NAME); -n: values only; -F: file:line',
  builder: (y) =>
    withSysrcFlags(withCommonRcOptions(y), ['a', 'e', 'x', 'c'])
      .positional('names', { type: 'string', array: true, describe: 'Variables (any rc.conf variable)' })
      .option('values-only', { alias: 'n', type: 'boolean', describe: 'Print values only (sysrc -n)' })
      .option('where', { alias: 'F', type: 'boolean', describe: 'Print the file:line that set each value (sysrc -F)' })
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as never,
  handler: async (argv) => {
    refuseSysrcFlags(argv as unknown as Record<string, unknown>, 'rc get');
    const names = (argv.names ?? []).map(String);
    if (names.length === 0) {
      throw new OptionError('EOPTION', 'name at least one variable', undefined, "for example: kleene-boot rc get kleened_enable; every variable: 'kleene-boot rc show --all'");
    }
    for (const name of names) {
      if (!isShVarName(name)) throw new OptionError('EBADNAME', `'${name}' is not a valid sh variable name`);
    }
    const root = normRoot(argv.root);
    const file = argv.file !== undefined ? hostFileArg(argv.file, root) : undefined;
    const cache = new Map<string, Map<string, EffectiveValue>>();
    const evaluations: RcEvaluation[] = [];
    const effective = async (svc: string): Promise<Map<string, EffectiveValue>> => {
      if (!cache.has(svc)) {
        let ev: RcEvaluation;
        if (file !== undefined) ev = await evaluateFiles((await dirFiles(root, file)) ?? [file], { root });
        else ev = await evaluateRc(svc || undefined, { root });
        evaluations.push(ev);
        cache.set(svc, attribute(ev, await parseSourced(ev, { root }), new Set(names)));
      }
      return cache.get(svc)!;
    };
    const found: EffectiveValue[] = [];
    let missing = 0;
    // Evaluate first so the not-run warnings come before any value or unknown-variable line.
    for (const name of names) await effective(file !== undefined ? '-f' : argv.service ?? serviceOf(name) ?? '');
    warnNotRun(evaluations);
    let fill: DefaultFill | undefined;
    let out = '';
    for (const name of names) {
      const svc = file !== undefined ? '-f' : argv.service ?? serviceOf(name) ?? '';
      let v = (await effective(svc)).get(name);
      if (!v && file === undefined) {
        // Not set anywhere rc(8) reads: the rc.d script's own default is what it runs with.
        const d = defaultOf(name, fill ??= await installedFill(argv.root));
        if (d) v = { name, value: d.value, file: 'default', line: undefined };
      }
      if (!v) {
        process.stderr.write(`kleene-boot: unknown variable '${name}'${file !== undefined ? ` in ${file}` : ''}\n`);
        missing++;
        continue;
      }
      found.push(v);
      const where = `${v.file}${v.line !== undefined ? `:${v.line}` : ''}${v.note ? ` (${v.note})` : ''}`;
      if (argv.where) out += `${name}: ${textToBytes(where)}\n`;
      else if (argv['values-only']) out += `${v.value}\n`;
      else out += `${name}: ${showValue(v.value)}\n`;
    }
    // JSON is text: values are decoded as UTF-8 there (invalid bytes become U+FFFD); -n keeps the bytes.
    if (argv.json) process.stdout.write(JSON.stringify(found.map((v) => ({ ...v, value: bytesToText(v.value) })), null, 2) + '\n');
    else if (out !== '') writeBytes(process.stdout, out);
    if (missing > 0) process.exitCode = 1;
  },
};
