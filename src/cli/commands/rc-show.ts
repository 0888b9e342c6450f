// `kleene-boot rc show [-f FILE] [--json] [--all]`: every kleene-boot variable rc(8) sees (with
// -f: that FILE holds, as sh reads it), with where it was set (or that it is the default).
import type { CommandModule } from 'yargs';
import { KNOBS, knobDefault } from '../../model/knobs.ts';
import { installedFill } from '../../install/installed-fill.ts';
import { withCommonRcOptions, showValue, type CommonRcArgs } from '../../rcconf/cli-args.ts';
import { dirFiles } from '../../rcconf/editor.ts';
import { attribute, evaluateFiles, parseSourced, readEffective, warnNotRun, type EffectiveValue, type RcEvaluation } from '../../rcconf/effective.ts';
import { hostFileArg, normRoot } from '../../rcconf/host.ts';
import { bytesToText, textToBytes, writeBytes } from '../../rcconf/cli-args.ts';

interface ShowArgs extends CommonRcArgs {
  json?: boolean;
  all?: boolean;
}

interface Row {
  name: string;
  service: string;
  value: string;
  file: string | undefined;
  line: number | undefined;
  isDefault: boolean;
  note?: string;
}

export const rcShowCommand: CommandModule<object, ShowArgs> = {
  command: 'show',
  describe: "Print kleened's and kleene_containers' variables as rc(8) sees them, with file:line",
  builder: (y) =>
    withCommonRcOptions(y)
      .option('json', { type: 'boolean', describe: 'Print JSON' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Every variable set for the services, not only kleene-boot\'s' }) as never,
  handler: async (argv) => {
    const rows: Row[] = [];
    const fill = await installedFill(argv.root);
    const root = normRoot(argv.root);
    let fromFile: Map<string, EffectiveValue> | undefined;
    const evaluations: RcEvaluation[] = [];
    if (argv.file !== undefined) {
      const file = hostFileArg(argv.file, root);
      const ev = await evaluateFiles((await dirFiles(root, file)) ?? [file], { root });
      evaluations.push(ev);
      fromFile = attribute(ev, await parseSourced(ev, { root }));
    }
    for (const service of ['kleened', 'kleene_containers'] as const) {
      if (argv.service && argv.service !== service) continue;
      const eff = fromFile ?? await readEffective(service, { root: argv.root, evaluations });
      const mine = (n: string) => KNOBS.some((k) => k.service === service && (k.name === n || new RegExp(`^${k.name.replace('<name>', '[A-Za-z0-9_]+')}$`).test(n)));
      for (const k of KNOBS) {
        if (k.service !== service || k.name.includes('<name>') || eff.has(k.name)) continue;
        rows.push({ name: k.name, service, value: knobDefault(k, fill), file: undefined, line: undefined, isDefault: true });
      }
      for (const v of eff.values()) {
        if (!argv.all && !mine(v.name)) continue;
        if (rows.some((r) => r.name === v.name)) continue;
        rows.push({ name: v.name, service, value: v.value, file: v.file, line: v.line, isDefault: false, ...(v.note ? { note: v.note } : {}) });
      }
    }
    warnNotRun(evaluations);
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (argv.json) {
      process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r, value: bytesToText(r.value) })), null, 2) + '\n');
      return;
    }
    let out = '';
    for (const r of rows) {
      const where = r.isDefault ? 'default' : `${r.file}${r.line !== undefined ? `:${r.line}` : ''}${r.note ? `; ${r.note}` : ''}`;
      out += `${r.name}: ${showValue(r.value)}  # ${textToBytes(where)}\n`;
    }
    writeBytes(process.stdout, out);
  },
};
