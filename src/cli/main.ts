// kleene-boot's command line: yargs, strict, one command per file (commands/), loaded lazily.
// A usage error (unknown option or command, missing or extra argument, bad choice) stops
// everything before any handler runs and exits 2: the error first, then one line naming the
// command's --help (the whole usage only when the command itself is missing or unknown, where
// the list of commands is the answer). Errors from handlers are mapped to one line plus a hint
// and their exit status.
import yargs from 'yargs';
import { formatError, KleeneBootError, OptionError } from '../errors.ts';
import { sysrcFlagRefusal } from '../rcconf/cli-args.ts';
import { commandName, commands, wantedCommand, type AnyCommand } from './commands/index.ts';
import { resolveRootArg, rootOption } from './root.ts';
import { CHECK_TROUBLE, isAnsweringCheck, resetCheckMode } from './status.ts';

/**
 * A usage error caught by yargs' validation: the command it was in (`rc set`), and the usage
 * text to print after the error when the command itself is missing or unknown.
 */
export class UsageError extends OptionError {
  readonly usage: string;
  readonly command: string;
  constructor(message: string, command: string, usage = '', hint?: string) {
    super('EUSAGE', message, undefined, hint);
    this.usage = usage;
    this.command = command;
  }
}

/** The command words argv names (`rc set`), as far as they are commands; '' for none. */
function commandPath(argv: readonly string[]): string {
  const names = new Set(commands.map(commandName));
  const end = argv.indexOf('--');
  const words = (end === -1 ? argv : argv.slice(0, end)).filter((a) => !a.startsWith('-'));
  const i = words.findIndex((w) => names.has(w));
  if (i === -1) return '';
  const sub = words[i + 1];
  return words[i] === 'rc' && sub !== undefined && RC_SUBCOMMANDS.includes(sub) ? `rc ${sub}` : words[i]!;
}
const RC_SUBCOMMANDS = ['get', 'show', 'set', 'unset', 'check', 'lint', 'apply'];
/** What `kleene-boot rc` alone (or with an unknown word) is told. */
export const RC_MISSING = `name an rc command: ${RC_SUBCOMMANDS.slice(0, -1).join(', ')} or ${RC_SUBCOMMANDS.at(-1)}`;

/** Each short option letter and long option name in argv (up to `--`), as typed: `-n`, `--dryrun`. */
function typedOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') break;
    if (/^--[^-]/.test(a)) out.push(`--${a.slice(2).split('=')[0]!}`);
    else if (/^-[^-\d]/.test(a)) for (const c of a.slice(1).split('=')[0]!) out.push(`-${c}`);
  }
  return out;
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

/**
 * yargs renders the whole help text once a command's handler has begun, only to keep it for a
 * showHelp() the handler might call (none of ours does; the usage errors render their own): a
 * tenth of `rc get`'s start. Without --help that rendering is skipped. The usage instance is yargs'
 * internal API (getInternalMethods); should it change, the help is cached as before.
 */
function skipHelpCache(parser: unknown): void {
  const usage = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** Runs the CLI on argv (without node and script); resolves to the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = 0;
  resetCheckMode();
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
      const command = commandPath(argv);
      let said = msg ?? 'usage error';
      // No command, or an unknown one: the list of commands is the answer, so show the usage.
      const noCommand = command === '' || (command === 'rc' && /^name an rc command|^Unknown argument|^Not enough non-option/.test(said));
      if (command === 'rc' && /^Not enough non-option/.test(said)) said = RC_MISSING;
      let usage = '';
      if (noCommand) {
        parser.wrap(helpWidth());
        y.showHelp((s: string) => {
          usage = s;
        });
      }
      // sysrc's -x, -a, -e, -c where kleene-boot spells them as commands: name the command to use,
      // even when yargs first found something else missing (`rc set -a` has no NAME=VALUE).
      const opts = (parser as unknown as { getOptions(): Parameters<typeof unknownOptions>[1] & { hiddenOptions: string[] } }).getOptions();
      for (const o of typedOptions(argv)) {
        const refusal = o.length === 2 && opts.hiddenOptions.includes(o.slice(1)) ? sysrcFlagRefusal(o.slice(1), command) : undefined;
        if (refusal) throw new UsageError(refusal.message, command, '', refusal.hint);
      }
      // An unknown option takes the next word as its value (`rc set -n X=2`), so yargs may first
      // complain of a missing argument: name the unknown option, the real mistake, alone.
      const unknown = new Set(unknownOptions(argv, opts));
      const typed = typedOptions(argv).filter((o) => unknown.has(o.replace(/^--?/, '').replace(/^no-/, '')));
      const text = typed.length > 0 ? `unknown option${typed.length > 1 ? 's' : ''} ${[...new Set(typed)].join(', ')}` : said;
      throw new UsageError(`${command ? `${command}: ` : ''}${text}${suggestion ? ` (${suggestion})` : ''}`, command, usage);
    });
  if (!wantsHelp(argv)) skipHelpCache(parser);
  try {
    await parser.parseAsync();
    if (suggestion !== undefined) throw new UsageError(suggestion, '');
  } catch (err) {
    if (err instanceof UsageError) {
      const help = `kleene-boot ${err.command ? `${err.command} ` : ''}--help`;
      process.stderr.write(`${formatError(err)}\n${err.usage ? `\n${err.usage}\n` : `Run '${help}' for usage.\n`}`);
      return 2;
    }
    process.stderr.write(formatError(err) + '\n');
    if (!(err instanceof KleeneBootError) && process.env.KLEENE_BOOT_DEBUG) console.error(err);
    const code = err instanceof KleeneBootError ? err.exitCode : 1;
    // A check or diff that could not answer must not look like "would change" (status.ts).
    return isAnsweringCheck() ? Math.max(code, CHECK_TROUBLE) : code;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
