// A usage error (unknown option or command, missing or extra argument, bad choice) exits 2
// BEFORE any handler runs: the error first, then one line naming the command's --help (the
// usage itself only when the command is missing or unknown). For every command, a
// misspelled option on an installed, enabled staging host changes nothing: same tree, same
// bytes, nothing on stdout (no handler printed its result).
//
// Mutation tried: in src/cli/main.ts's .fail(), replace `throw new UsageError(...)` by a plain
// `return` (what the old code did): `uninstall --dryrun` uninstalls, `rc set --dryrun` and
// `enable kleened kleene_containers` write, and these tests fail.
import t from 'tap';
import { cli } from '../rcconf/helpers.ts';
import { put, PORT_SCRIPT, snapshot, stagingRoot } from '../install/tree.ts';

const NODE = '/usr/local/bin/node';

/** A staging host with the port's script, rc.conf, and kleene-boot installed and enabled. */
async function installedHost(): Promise<string> {
  const root = await stagingRoot('kb-usage-');
  await put(root, '/usr/local/etc/rc.d/kleened', PORT_SCRIPT, 0o555);
  await put(root, NODE, '#!/bin/sh\nexit 0\n', 0o755);
  await put(root, '/etc/rc.conf', 'zfs_enable="YES"\nkleened_enable="NO"\n');
  const r = await cli('install', '-R', root, '--node', NODE);
  if (r.code !== 0) throw new Error(`install failed: ${r.stderr}`);
  await put(root, '/etc/rc.conf.d/kleene_containers', 'kleene_containers_enable="YES"\nkleene_containers_list="db web"\n');
  return root;
}

// [the command line after -R ROOT, the command named in the --help pointer ('' for the CLI
// itself: no command or an unknown one, where the usage with the list of commands follows), the complaint]
const CASES: Array<[string[], string, RegExp]> = [
  // Mistyped options and commands a sysadmin really typed.
  [['uninstall', '--dryrun'], 'uninstall', /^kleene-boot: uninstall: unknown option --dryrun\n/],
  [['rc', 'set', '--dryrun', 'kleene_containers_jobs=8'], 'rc set', /^kleene-boot: rc set: unknown option --dryrun\n/],
  [['enable', 'kleened', 'kleene_containers'], 'enable', /^kleene-boot: enable: Unknown argument: kleene_containers\n/],
  [['rc', 'lint', '-f'], 'rc lint', /^kleene-boot: rc lint: unknown option -f\n/],
  [['rc', 'show', '-e'], 'rc show', /^kleene-boot: rc show: unknown option -e\n/],
  [['restore', '--jsn'], 'restore', /^kleene-boot: restore: unknown option --jsn\n/],
  // One per command.
  [['generate', '--dryrun'], 'generate', /unknown option --dryrun/],
  [['generate', '--stdout', '--diff'], 'generate', /mutually exclusive/],
  [['install', '--enabel'], 'install', /unknown option --enabel/],
  [['install', '--force', 'extra'], 'install', /Unknown argument: extra/],
  [['uninstall', '--forse'], 'uninstall', /unknown option --forse/],
  [['doctor', '--jsno'], 'doctor', /unknown option --jsno/],
  [['rc', 'get', '--valuesonly', 'kleened_enable'], 'rc get', /^kleene-boot: rc get: unknown option --valuesonly\n/],
  [['rc', 'set', '-s', 'kleenex', 'kleene_containers_jobs=8'], 'rc set', /Invalid values/],
  [['rc', 'set'], 'rc set', /^kleene-boot: rc set: Not enough non-option arguments/],
  // sysrc's -n (values only) is rc get's: rc set names the unknown option, not a missing NAME=VALUE.
  [['rc', 'set', '-n', 'X=2'], 'rc set', /^kleene-boot: rc set: unknown option -n\n/],
  // sysrc's -a given to rc set, with nothing else: the sysrc hint, not "not enough arguments".
  [['rc', 'set', '-a'], 'rc set', /^kleene-boot: sysrc's -a is not an option of 'rc set'\n {2}hint: use 'kleene-boot rc show --all' to list every variable\n/],
  [['rc', 'unset', '--dryrun', 'kleene_containers_list'], 'rc unset', /unknown option --dryrun/],
  [['rc', 'check', '--quiet', 'kleene_containers_list'], 'rc check', /unknown option --quiet/],
  [['disable', '--dryrun'], 'disable', /unknown option --dryrun/],
  [['enable'], 'enable', /^kleene-boot: enable: Not enough non-option arguments/],
  [['stop', '--all'], 'stop', /unknown option --all/],
  [['check', '--jsn'], 'check', /unknown option --jsn/],
  [['plan', 'web'], 'plan', /Unknown argument: web/],
  [['adopt', '-n'], 'adopt', /unknown option -n/],
  [['adopt', '--dryrun'], 'adopt', /unknown option --dryrun/],
];

// No command, or an unknown one: the error first, then the usage with the list of commands.
const NO_COMMAND: Array<[string[], string, RegExp]> = [
  [['rc', 'bogus'], 'kleene-boot rc <command>', /^kleene-boot: rc: name an rc command: get, show, set, unset, check, lint or apply\n\n/],
  [['rc'], 'kleene-boot rc <command>', /^kleene-boot: rc: name an rc command: get, show, set, unset, check, lint or apply\n\n/],
  [['genrate'], 'kleene-boot <command>', /^kleene-boot: Unknown argument: genrate \(Did you mean generate\?\)\n\n/],
  [[], 'kleene-boot <command>', /^kleene-boot: name a command\n\n/],
];

// Mutation tried: printing the usage for every usage error again (noCommand always true in
// main.ts's .fail()) fails the "one line pointing at --help" asserts below.
t.test('a usage error exits 2: the error first, one line naming --help, and changes nothing', async (t) => {
  const root = await installedHost();
  const before = await snapshot(root);
  for (const [args, command, complaint] of CASES) {
    const argv = [...args, '-R', root];
    const r = await cli(...argv);
    const name = `kleene-boot ${argv.join(' ')}`;
    t.equal(r.code, 2, `${name}: exit 2`);
    t.equal(r.stdout, '', `${name}: no handler printed anything`);
    t.match(r.stderr, complaint, `${name}: says what is wrong, first`);
    t.ok(r.stderr.endsWith(`\nRun 'kleene-boot ${command} --help' for usage.\n`), `${name}: then one line pointing at --help\n${r.stderr}`);
    t.notMatch(r.stderr, /-R, --root/, `${name}: not the whole usage`);
    t.same(await snapshot(root), before, `${name}: nothing changed under the root`);
  }
  for (const [args, usage, complaint] of NO_COMMAND) {
    const argv = [...args, '-R', root];
    const r = await cli(...argv);
    const name = `kleene-boot ${argv.join(' ')}`;
    t.equal(r.code, 2, `${name}: exit 2`);
    t.equal(r.stdout, '', `${name}: nothing on stdout`);
    t.match(r.stderr, complaint, `${name}: the error first`);
    t.ok(r.stderr.includes(`\n\n${usage}`), `${name}: then the usage of ${usage}\n${r.stderr}`);
    t.match(r.stderr, /Commands:/, `${name}: the usage lists the commands`);
    t.same(await snapshot(root), before, `${name}: nothing changed under the root`);
  }
});

t.test('--help of the CLI and of every command shows -R/--root', async (t) => {
  const root = await stagingRoot('kb-help-');
  const every = [[], ['generate'], ['install'], ['uninstall'], ['doctor'], ['rc'], ['rc', 'get'], ['rc', 'show'],
    ['rc', 'set'], ['rc', 'unset'], ['rc', 'check'], ['rc', 'lint'], ['enable'], ['disable'], ['restore'], ['stop'],
    ['check'], ['plan'], ['adopt']];
  for (const args of every) {
    const r = await cli(...args, '--help');
    t.equal(r.code, 0, `${args.join(' ')} --help`);
    t.match(r.stdout, /-R, --root\s+Act on a host whose \/ is DIR/, `kleene-boot ${args.join(' ')} --help shows -R`);
  }
  t.same(await snapshot(root), {}, 'help writes nothing');
});

t.test('adopt: --dry-run is the dry run; -n is not an adopt option (it means values only, as sysrc)', async (t) => {
  const r = await cli('adopt', '--help');
  t.match(r.stdout, /--dry-run/);
  t.notMatch(r.stdout, /-n, /);
});
