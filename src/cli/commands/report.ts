// `kleene-boot report`: what the last restore (or stop) did and where its time went, read from
// the record it left under /var/db/kleene-boot/: blame, the critical chain, the account of the
// whole run; --json for machines, --svg FILE for a timeline picture. See src/report/.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { readLatestRecord, readRecordFile, recordDir } from '../../record/store.ts';
import { timelineSvg } from '../../report/svg.ts';
import { analyze, reportJson, reportText } from '../../report/text.ts';
import { validatePathOption } from '../../render/options.ts';

interface ReportArgs {
  root: string;
  run: 'restore' | 'stop';
  json?: boolean;
  svg?: string;
  file?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Show what the last restore or stop did: blame, the critical chain, where the time went; --svg draws the timeline',
  builder: (y) =>
    y
      .option('run', { type: 'string', choices: ['restore', 'stop'] as const, default: 'restore' as const, describe: 'Which run to report on (the newest of its records)' })
      .option('file', { type: 'string', describe: 'Read this record file instead of the newest under /var/db/kleene-boot (--run is then ignored)' })
      .option('json', { type: 'boolean', describe: 'Print one JSON document' })
      .option('svg', { type: 'string', describe: 'Also write the timeline of the run to this SVG file' }) as never,
  handler: async (argv) => {
    if (argv.svg !== undefined && argv.svg.trim() === '') throw new OptionError('EOPTION', 'needs a file name', { option: 'svg' }, 'e.g. --svg /tmp/boot.svg');
    const loaded = argv.file !== undefined
      ? { file: resolve(argv.file), record: await readRecordFile(resolve(argv.file)) }
      : await readLatestRecord(recordDir(validatePathOption('root', resolve(argv.root))), argv.run);
    const a = analyze(loaded.record);
    if (argv.svg !== undefined) await writeFile(argv.svg, timelineSvg(loaded.record, a.criticalChain));
    if (argv.json) process.stdout.write(reportJson(loaded.record, loaded.file, a) + '\n');
    else process.stdout.write([...reportText(loaded.record, loaded.file, a), ...(argv.svg !== undefined ? ['', `timeline: ${argv.svg}`] : [])].join('\n') + '\n');
  },
};
