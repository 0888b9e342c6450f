// `kleene-boot enable [kleened|kleene_containers|all]`: set <service>_enable=YES through the
// rc.conf editor (what `service NAME enable` does with sysrc).
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { formatChange } from '../../rcconf/cli-args.ts';
import { applyEdits } from '../../rcconf/editor.ts';

export interface EnableArgs {
  service: string;
  root: string;
  file?: string;
  'dry-run'?: boolean;
}

/** The enable/disable command for `value` (YES or NO); one factory, two verbs. */
export function enableLikeCommand(verb: 'enable' | 'disable'): CommandModule<object, EnableArgs> {
  const value = verb === 'enable' ? 'YES' : 'NO';
  return {
    command: `${verb} [service]`,
    describe: `Set kleened_enable and/or kleene_containers_enable to ${value} (in /etc/rc.conf.d/<service>)`,
    builder: (y) =>
      y
        .positional('service', { type: 'string', default: 'all', describe: 'kleened, kleene_containers or all' })
        .option('file', { alias: 'f', type: 'string', describe: 'Edit this file (host path) instead of rc.conf.d/<service>' })
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
        const r = await applyEdits([{ op: 'set', name: `${s}_enable`, value }], { root: argv.root, file: argv.file, service: s, dryRun: argv['dry-run'] });
        for (const w of r.warnings) process.stderr.write(`kleene-boot: warning: ${w}\n`);
        for (const n of r.notes) process.stderr.write(`kleene-boot: note: ${n}\n`);
        diff += r.diff;
        if (!argv['dry-run']) {
          if (r.changes.length === 0) process.stdout.write(`${s}_enable: ${value} (unchanged)\n`);
          for (const c of r.changes) process.stdout.write(`${formatChange(c)}\n`);
        }
      }
      if (argv['dry-run']) process.stdout.write(diff);
    },
  };
}

export const enableCommand = enableLikeCommand('enable');
