// `kleene-boot daily`: the report the periodic(8) daily script prints (etc/periodic/daily/
// 460.kleene-boot); see src/install/daily.ts. Exit 0 and no output when everything is as
// configured, 1 with the lines otherwise, 2 for a bad option (periodic's convention, and
// kleene-boot's for checks: 0 nothing to report, 1 something to read, 2 and up trouble).
import type { CommandModule } from 'yargs';
import { OptionError } from '../../errors.ts';
import { dailyLines, gatherDaily } from '../../install/daily.ts';
import { DAILY_TIMEOUT_DEFAULT } from '../../install/host-hooks.ts';

interface DailyArgs {
  root: string;
  timeout: number;
}

export const dailyCommand: CommandModule<object, DailyArgs> = {
  command: 'daily',
  builder: (y) =>
    y.option('timeout', { type: 'number', default: DAILY_TIMEOUT_DEFAULT, requiresArg: true,
      describe: "Seconds to wait for kleened's API before reporting that it does not answer" }) as never,
  handler: async (argv) => {
    const s = argv.timeout;
    if (!Number.isFinite(s) || s <= 0 || s > 3600) {
      throw new OptionError('EOPTION', `'${String(s)}' is not a number of seconds`, { option: 'timeout' }, 'give 1 to 3600, e.g. --timeout 10');
    }
    const lines = dailyLines(await gatherDaily(argv.root, { timeoutMs: Math.round(s * 1000) }));
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = lines.length > 0 ? 1 : 0;
  },
};
