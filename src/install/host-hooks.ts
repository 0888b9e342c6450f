// The two files through which FreeBSD itself calls kleene-boot after install: a pkg-triggers(5)
// file, so that a package transaction that reinstalls kleene-daemon's rc.d/kleened (a `pkg
// upgrade`) has kleene-boot's script put back at once, and a periodic(8) daily script, so that
// what boot left undone and any drift reach the daily mail. Both only call the installed CLI
// (`pkg-trigger`, `daily`): the logic lives in one place, in TypeScript. Pure renderers.
import { KleeneBootError } from '../errors.ts';
import { shQuote } from '../shell/quote.ts';
import type { GenerateOptions } from '../render/render.ts';
import { installLayout, MANIFEST_PATH } from './layout.ts';

/** The UCL here-document terminator of both scripts (UCL: capital letters, alone on a line). */
export const UCL_HEREDOC = 'EOS';

/** Seconds the daily script lets `kleene-boot daily` wait for kleened's API, by default. */
export const DAILY_TIMEOUT_DEFAULT = 10;

const GENERATED = '# kleene-boot: installed by `kleene-boot install`; removed by `kleene-boot uninstall`.';

function heredoc(script: string): string {
  // A line equal to the terminator would end the script early and leave the rest to UCL.
  if (script.split('\n').includes(UCL_HEREDOC)) {
    throw new KleeneBootError('EHEREDOC', `a trigger script line reads '${UCL_HEREDOC}'`, undefined, 'choose another prefix or node path');
  }
  return `<<${UCL_HEREDOC}\n${script.endsWith('\n') ? script : `${script}\n`}${UCL_HEREDOC}`;
}

/** The shell script pkg runs (`sh -s`, the script on stdin) after a transaction that installed rc.d/kleened. */
export function triggerScript(opts: GenerateOptions): string {
  const { wrapper } = installLayout(opts.prefix);
  return [
    GENERATED,
    '# pkg installed rc.d/kleened (pkg upgrade kleene-daemon): put kleene-boot\'s script back and keep',
    '# the package\'s new one as the original that `kleene-boot uninstall` restores.',
    '# pkg writes this script to sh on stdin, so kleene-boot reads /dev/null instead; and a trigger',
    '# that fails keeps pkg from running the triggers after it, so this one always exits 0.',
    `kb=${shQuote(wrapper)}`,
    'if [ -x "$kb" ]; then',
    '\t"$kb" pkg-trigger </dev/null || :',
    'fi',
    'exit 0',
    '',
  ].join('\n');
}

/** The shell script pkg runs when a transaction removes the trigger file (the kleene-boot package goes). */
export function triggerCleanupScript(opts: GenerateOptions): string {
  const { rcd, hook } = installLayout(opts.prefix);
  const msg = `the package was removed but not its install: ${rcd.kleened} is still kleene-boot's and needs ${hook}, now gone; 'pkg install -f kleene-daemon' puts the port's script back`;
  return [
    GENERATED,
    '# The kleene-boot package is being removed. When `kleene-boot install` is still in place, the',
    '# rc.d/kleened it wrote stays behind without its hook: say so on pkg\'s output and in syslog.',
    `if [ -f ${shQuote(MANIFEST_PATH)} ]; then`,
    `\tmsg=${shQuote(msg)}`,
    '\techo "kleene-boot: $msg"',
    '\t/usr/bin/logger -t kleene-boot "$msg" || :',
    'fi',
    'exit 0',
    '',
  ].join('\n');
}

/** The pkg-triggers(5) file: watches rc.d/kleened, runs triggerScript, cleans up with triggerCleanupScript. */
export function renderPkgTrigger(opts: GenerateOptions): string {
  const { rcd } = installLayout(opts.prefix);
  return [
    '# kleene-boot: pkg-triggers(5). Installed by `kleene-boot install` (and by the kleene-boot',
    '# package); removed by `kleene-boot uninstall` (and with the package).',
    `description: ${JSON.stringify("Put kleene-boot's rc.d/kleened back after a package reinstalls kleene-daemon's")}`,
    `path: [ ${JSON.stringify(rcd.kleened)} ]`,
    'trigger: {',
    '\ttype: shell',
    `\tscript: ${heredoc(triggerScript(opts))}`,
    '}',
    'cleanup: {',
    '\ttype: shell',
    `\tscript: ${heredoc(triggerCleanupScript(opts))}`,
    '}',
    '',
  ].join('\n');
}

/**
 * The periodic(8) daily script. periodic runs it with stdout and stderr in the mail and reads
 * its exit status: 0 nothing to report (and it prints nothing), 1 something notable, 2 a bad
 * periodic.conf setting, 3 an error. Knobs come from periodic.conf(5), defaults set here.
 */
export function renderPeriodicDaily(opts: GenerateOptions): string {
  const { wrapper } = installLayout(opts.prefix);
  return [
    '#!/bin/sh',
    '#',
    GENERATED,
    '#',
    '# periodic(8) daily: Kleene containers listed in kleene_containers_list that are not running,',
    "# what the last restore (boot) failed to start and why, and kleene-boot doctor's problems",
    '# (a package put its rc.d/kleened back, node missing, kleened_socket against config.yaml).',
    '# Silent when everything is as configured. Starts and stops nothing.',
    '#',
    '# Settings, in /etc/periodic.conf (see periodic.conf(5)):',
    '# daily_kleene_boot_enable (bool):  Set to NO to leave kleene-boot out of the daily run.',
    '#                                   Default: YES.',
    '# daily_kleene_boot_timeout (int):  Seconds to wait for kleened\'s API before reporting that',
    `#                                   it does not answer. Default: ${DAILY_TIMEOUT_DEFAULT}.`,
    '',
    '# If there is a global system configuration file, suck it in.',
    'if [ -r /etc/defaults/periodic.conf ]; then',
    '\t. /etc/defaults/periodic.conf',
    '\tsource_periodic_confs',
    'fi',
    '',
    ': "${daily_kleene_boot_enable:=YES}"',
    `: "\${daily_kleene_boot_timeout:=${DAILY_TIMEOUT_DEFAULT}}"`,
    '',
    `kb=${shQuote(wrapper)}`,
    'rc=0',
    'case "$daily_kleene_boot_enable" in',
    '[Yy][Ee][Ss])',
    '\tcase "$daily_kleene_boot_timeout" in',
    "\t''|*[!0-9]*|0)",
    '\t\techo',
    '\t\techo "kleene-boot: daily_kleene_boot_timeout=\\"$daily_kleene_boot_timeout\\" is not a number of seconds (1 or more)"',
    '\t\texit 2',
    '\t\t;;',
    '\tesac',
    '\tif [ ! -x "$kb" ]; then',
    '\t\techo',
    '\t\techo "kleene-boot: $kb is missing; set daily_kleene_boot_enable=NO or reinstall kleene-boot"',
    '\t\texit 3',
    '\tfi',
    '\tout=$("$kb" daily --timeout "$daily_kleene_boot_timeout" </dev/null 2>&1)',
    '\trc=$?',
    '\tif [ -n "$out" ]; then',
    '\t\techo',
    "\t\techo 'Kleene containers (kleene-boot):'",
    "\t\tprintf '%s\\n' \"$out\"",
    '\tfi',
    '\t# kleene-boot daily: 0 nothing to report, 1 lines to read, anything else its own failure.',
    '\tcase $rc in',
    '\t0|1) ;;',
    '\t*) rc=3 ;;',
    '\tesac',
    '\t;;',
    'esac',
    '',
    'exit $rc',
    '',
  ].join('\n');
}
