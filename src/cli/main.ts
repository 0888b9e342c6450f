// kleene-boot's command line: yargs, strict, one command per file (commands/), loaded lazily.
// A usage error (unknown option or command, missing or extra argument, bad choice) stops
// everything: it exits 2 with the usage of that command before any handler runs (as sysrc).
// Errors from handlers are mapped to one line plus a hint and their exit status.
import yargs from 'yargs';
import { formatError, KleeneBootError, OptionError } from '../errors.ts';
import { commandName, commands, wantedCommand, type AnyCommand } from './commands/index.ts';
import { resolveRootArg, rootOption } from './root.ts';

/** A usage error caught by yargs' validation, with the usage text of the command it was in. */
export class UsageError extends OptionError {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super('EUSAGE', message);
    this.usage = usage;
  }
}

/** The command `argv` names (the first word that is a command's name), loaded; others stay stubs. */
async function commandModules(argv: readonly string[]): Promise<AnyCommand[]> {
  const wanted = wantedCommand(argv);
  return Promise.all(commands.map(async (e) => {
    if (commandName(e) !== wanted) {
      // Listed in --help and known to strict mode, never run: argv does not name it.
      return { command: e.command, describe: e.describe, builder: {}, handler: () => {} };
    }
    const mod = await e.load();
    return { ...mod, command: e.command, describe: e.describe };
  }));
}

/** The options in argv (up to `--`) that the command being parsed does not declare. */
function unknownOptions(argv: readonly string[], opts: { key: Record<string, unknown>; alias: Record<string, string[]> }): string[] {
  const known = new Set<string>(['help', 'h', 'version']);
  for (const k of Object.keys(opts.key)) known.add(k);
  for (const [k, as] of Object.entries(opts.alias)) for (const a of [k, ...as]) known.add(a);
  const camel = (n: string) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') break;
    if (/^--[^-]/.test(a)) {
      const n = a.slice(2).split('=')[0]!.replace(/^no-/, '');
      if (!known.has(n) && !known.has(camel(n))) out.push(n);
    } else if (/^-[^-\d]/.test(a)) {
      for (const c of a.slice(1).split('=')[0]!) if (!known.has(c)) out.push(c);
    }
  }
  return out;
}

const helpWidth = (): number => Math.min(100, process.stdout.columns || 100);
const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === '--help' || a === '-h' || a === 'help' || /^-[A-Za-z]*h/.test(a));

/** Runs the CLI on argv (without node and script); resolves to the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = 0;
  let suggestion: string | undefined;
  const parser = yargs(argv)
    .scriptName('kleene-boot')
    .usage('$0 <command> [options]\n\nBoot integration for Kleene containers on FreeBSD.')
    .command(await commandModules(argv))
    .option('root', rootOption)
    .global('root')
    // Runs after validation and before any handler: every command gets a real, existing root.
    .middleware(async (a) => {
      a.root = await resolveRootArg(a.root);
      a.R = a.root;
    })
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    // --help and --version print and return, so runCli resolves (tests run it in-process).
    .exitProcess(false)
    // yargs renders the whole help text after every successful parse (to cache it), which
    // costs more than the rest of a start: lay it out (wrap) only when it will be shown.
    .wrap(wantsHelp(argv) ? helpWidth() : null)
    .fail((msg, err, y) => {
      if (err) throw err;
      // recommendCommands reports 'Did you mean X?' first, then strict mode the unknown word:
      // keep the suggestion for that second message.
      if (msg && /^Did you mean /.test(msg) && suggestion === undefined) {
        suggestion = msg;
        return;
      }
      // Throwing here is what stops yargs: it must never go on to run the handler.
      parser.wrap(helpWidth());
      let usage = '';
      y.showHelp((s: string) => {
        usage = s;
      });
      // An unknown option takes the next word as its value (`rc get --valuesonly NAME`), so yargs
      // may first complain of a missing argument: name the unknown option, the real mistake.
      // (y here is yargs' usage object; the parser itself holds the current command's options.)
      const unknown = unknownOptions(argv, (parser as unknown as { getOptions(): Parameters<typeof unknownOptions>[1] }).getOptions());
      const said = msg ?? 'usage error';
      const full = unknown.length > 0 && !/^Unknown argument/.test(said) ? `Unknown argument: ${unknown.join(', ')} (${said})` : said;
      throw new UsageError(`${full}${suggestion ? ` (${suggestion})` : ''}`, usage);
    });
  try {
    await parser.parseAsync();
    if (suggestion !== undefined) throw new UsageError(suggestion, '');
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.usage ? `${err.usage}\n\n` : ''}kleene-boot: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(formatError(err) + '\n');
    if (!(err instanceof KleeneBootError) && process.env.KLEENE_BOOT_DEBUG) console.error(err);
    return err instanceof KleeneBootError ? err.exitCode : 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
