// kleene-boot's command line: yargs, strict, one command per file (commands/), errors mapped
// to one line plus a hint and an exit status (2 for usage, as sysrc).
import yargs from 'yargs';
import { formatError, KleeneBootError } from '../errors.ts';
import { commands } from './commands/index.ts';

/** Runs the CLI on argv (without node and script); resolves to the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = 0;
  let failed: number | undefined;
  const parser = yargs(argv)
    .scriptName('kleene-boot')
    .usage('$0 <command> [options]\n\nBoot integration for Kleene containers on FreeBSD.')
    .command(commands)
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      // yargs may call this twice for one mistake (a suggestion, then the unknown argument):
      // print the first, which is the more helpful.
      if (failed === undefined) {
        process.stderr.write(`kleene-boot: ${msg}\n  hint: run 'kleene-boot --help' for the commands and options\n`);
      }
      failed = 2;
      void y;
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    process.stderr.write(formatError(err) + '\n');
    if (!(err instanceof KleeneBootError) && process.env.KLEENE_BOOT_DEBUG) console.error(err);
    return err instanceof KleeneBootError ? err.exitCode : 1;
  }
  return failed ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
}
