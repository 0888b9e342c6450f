// A usage error (unknown option or command, missing or extra argument, bad
// choice) exits 2 with that command's usage BEFORE any handler runs. For every command, a
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

// [the command line after -R ROOT, the usage header it must show, the complaint]
const CASES: Array<[string[], string, RegExp]> = [
  // Mistyped options and commands a sysadmin really typed.
  [['uninstall', '--dryrun'], 'kleene-boot uninstall', /Unknown argument: dryrun/],
  [['rc', 'set', '--dryrun', 'kleene_containers_jobs=8'], 'kleene-boot rc set', /kleene-boot: /],
  [['enable', 'kleened', 'kleene_containers'], 'kleene-boot enable', /Unknown argument: kleene_containers/],
  [['rc', 'lint', '-f'], 'kleene-boot rc lint', /Unknown argument: f/],
  [['rc', 'show', '-e'], 'kleene-boot rc show', /Unknown argument: e/],
  [['restore', '--jsn'], 'kleene-boot restore', /Unknown argument: jsn/],
  // One per command.
  [['generate', '--dryrun'], 'kleene-boot generate', /Unknown argument: dryrun/],
  [['generate', '--stdout', '--diff'], 'kleene-boot generate', /mutually exclusive/],
  [['install', '--enabel'], 'kleene-boot install', /Unknown argument: enabel/],
  [['install', '--force', 'extra'], 'kleene-boot install', /Unknown argument: extra/],
  [['uninstall', '--forse'], 'kleene-boot uninstall', /Unknown argument: forse/],
  [['doctor', '--jsno'], 'kleene-boot doctor', /Unknown argument: jsno/],
  [['rc', 'get', '--valuesonly', 'kleened_enable'], 'kleene-boot rc get', /Unknown argument: valuesonly/],
  [['rc', 'set', '-s', 'kleenex', 'kleene_containers_jobs=8'], 'kleene-boot rc set', /Invalid values/],
  [['rc', 'set'], 'kleene-boot rc set', /Not enough non-option arguments/],
  [['rc', 'unset', '--dryrun', 'kleene_containers_list'], 'kleene-boot rc unset', /kleene-boot: /],
  [['rc', 'check', '--quiet', 'kleene_containers_list'], 'kleene-boot rc check', /Unknown argument: quiet/],
  [['rc', 'bogus'], 'kleene-boot rc', /name an rc command: get, show, set, unset, check or lint/],
  [['disable', '--dryrun'], 'kleene-boot disable', /Unknown argument: dryrun/],
  [['stop', '--all'], 'kleene-boot stop', /Unknown argument: all/],
  [['check', '--jsn'], 'kleene-boot check', /Unknown argument: jsn/],
  [['plan', 'web'], 'kleene-boot plan', /Unknown argument: web/],
  [['adopt', '-n'], 'kleene-boot adopt', /Unknown argument: n/],
  [['adopt', '--dryrun'], 'kleene-boot adopt', /Unknown argument: dryrun/],
  [['genrate'], 'kleene-boot <command>', /Unknown argument: genrate \(Did you mean generate\?\)/],
  [[], 'kleene-boot <command>', /name a command/],
];

t.test('a usage error exits 2 with the usage of that command and changes nothing', async (t) => {
  const root = await installedHost();
  const before = await snapshot(root);
  for (const [args, usage, complaint] of CASES) {
    const argv = args.length === 0 ? ['-R', root] : [...args, '-R', root];
    const r = await cli(...argv);
    const name = `kleene-boot ${argv.join(' ')}`;
    t.equal(r.code, 2, `${name}: exit 2`);
    t.equal(r.stdout, '', `${name}: no handler printed anything`);
    t.ok(r.stderr.startsWith(usage), `${name}: shows the usage of ${usage}\n${r.stderr}`);
    t.match(r.stderr, /-R, --root/, `${name}: the usage shows -R`);
    t.match(r.stderr, complaint, `${name}: says what is wrong`);
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
