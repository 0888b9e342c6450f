// `kleene-boot pkg-trigger`: run by kleene-boot's pkg trigger (share/pkg/triggers/kleene-boot.ucl)
// after a package transaction installed rc.d/kleened; see src/install/pkg-trigger.ts. Exit 0:
// nothing to do, or kleene-boot's script put back; 1: a hand-edited script left alone; 2: it
// could not act (the message, like the others, goes to pkg's output and to syslog).
import type { CommandModule } from 'yargs';
import { formatError } from '../../errors.ts';
import { logLines } from '../../host/logger.ts';
import { runPkgTrigger } from '../../install/pkg-trigger.ts';

interface PkgTriggerArgs {
  root: string;
  logger: string;
}

export const pkgTriggerCommand: CommandModule<object, PkgTriggerArgs> = {
  command: 'pkg-trigger',
  builder: (y) =>
    y.option('logger', { type: 'string', default: '/usr/bin/logger', describe: 'logger(1), for the line in syslog' }) as never,
  handler: async (argv) => {
    const log = async (line: string) => {
      try {
        await logLines(argv.logger, 'kleene-boot', [line], { timeoutMs: 5000 });
      } catch (e) {
        process.stderr.write(`kleene-boot: not in syslog: ${formatError(e).replace(/^kleene-boot: /, '')}\n`);
      }
    };
    try {
      const r = await runPkgTrigger(argv.root, { out: (l) => process.stdout.write(`${l}\n`), log });
      process.exitCode = r === 'edited' ? 1 : 0;
    } catch (e) {
      const line = `could not put kleene-boot's rc.d/kleened back after the package transaction: ${formatError(e).replace(/^kleene-boot: /, '').replace(/\n\s*/g, '; ')}`;
      process.stdout.write(`kleene-boot: ${line}\n`);
      await log(line);
      process.exitCode = 2;
    }
  },
};
