// `kleene-boot enable kleened|kleene_containers|all`: set <service>_enable=YES through the
// rc.conf editor (what `service NAME enable` does with sysrc) and say, in service(8)'s one line,
// which file it wrote. The service is named, as service(8) wants it: enabling both at boot is
// `all`, never the silent default. When rc(8) will still read the opposite value from another
// file (`disable -f /etc/rc.conf` while the fragment says YES), it says so and exits 1.
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { parseYesNo } from '../../model/knobs.ts';
import { textToBytes, writeBytes } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';
import { attribute, evaluateRc, parseSourced } from '../../rcconf/effective.ts';

export interface EnableArgs {
  service: string;
  root: string;
  file?: string;
  'dry-run'?: boolean;
}

/** What `--help` says of each verb (index.ts lists the same). */
export const ENABLE_DESCRIBE = {
  enable: 'Set <service>_enable=YES (as service NAME enable) where rc(8) reads it last: the file already setting it (sysrc\'s rule), else /etc/rc.conf.d/<service>',
  disable: 'Set <service>_enable=NO (as service NAME disable) where rc(8) reads it last: the file already setting it (sysrc\'s rule), else /etc/rc.conf.d/<service>',
} as const;

/** The enable/disable command for `value` (YES or NO); one factory, two verbs. */
export function enableLikeCommand(verb: 'enable' | 'disable'): CommandModule<object, EnableArgs> {
  const value = verb === 'enable' ? 'YES' : 'NO';
  return {
    command: `${verb} <service>`,
    describe: ENABLE_DESCRIBE[verb],
    builder: (y) =>
      y
        .positional('service', { type: 'string', choices: ['kleened', 'kleene_containers', 'all'], describe: 'kleened, kleene_containers or all (both)' })
        .option('file', { alias: 'f', type: 'string', describe: 'Edit this file (host path) instead of the one rc(8) reads the variable from last' })
        .option('dry-run', { type: 'boolean', describe: 'Print the unified diff; write nothing' }) as never,
    handler: async (argv) => {
      const all = ['kleened', 'kleene_containers'] as const;
      const svc = String(argv.service);
      if (svc !== 'all' && !(all as readonly string[]).includes(svc)) {
        throw new OptionError('EOPTION', `unknown service '${svc}'`, { option: 'service' }, 'use kleened, kleene_containers or all');
      }
      const services = svc === 'all' ? [...all] : [svc as (typeof all)[number]];
      let diff = '';
      for (const s of services) {
        const name = `${s}_enable`;
        const r = await applyEdits([{ op: 'set', name, value }],
          { root: argv.root, file: argv.file, service: s, dryRun: argv['dry-run'], validate: 'refuse' });
        for (const w of r.warnings) process.stderr.write(`kleene-boot: warning: ${w}\n`);
        for (const n of r.notes) process.stderr.write(`kleene-boot: note: ${n}\n`);
        diff += r.diff;
        if (argv['dry-run']) continue;
        // service(8)'s line: one per service, naming the file (where rc(8) reads it last).
        let out = '';
        for (const c of r.changes) out += `${s} ${verb}d in ${textToBytes(c.file)}\n`;
        for (const u of r.unchanged) out += `${s} already ${verb}d in ${textToBytes(u.file)}\n`;
        writeBytes(process.stdout, out);
        // What rc(8) reads now, after every file: another file may still say the opposite.
        const ev = await evaluateRc(s, { root: argv.root });
        const seen = ev.final.get(name);
        if ((parseYesNo(seen ?? 'NO') ?? false) !== (value === 'YES')) {
          const eff = attribute(ev, await parseSourced(ev, { root: argv.root })).get(name);
          const at = eff ? `${eff.file}${eff.line !== undefined ? `:${eff.line}` : ''}` : 'another file';
          process.stderr.write(`kleene-boot: warning: rc(8) still reads ${name}=${seen} from ${at}, so ${s} stays ${value === 'YES' ? 'disabled' : 'enabled'} at boot\n`
            + `  hint: run 'kleene-boot ${verb} ${s}' without -f (it edits the file rc(8) reads last), or 'kleene-boot rc unset -f ${eff?.file ?? 'FILE'} ${name}'\n`);
          process.exitCode = 1;
        }
      }
      if (argv['dry-run']) process.stdout.write(diff);
    },
  };
}

export const enableCommand = enableLikeCommand('enable');
