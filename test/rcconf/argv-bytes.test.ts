// Bytes in, bytes out: node decodes argv as UTF-8, so a Latin-1 value typed on the command line
// reaches kleene-boot with U+FFFD in place of its byte. Such a value is refused (the file
// unchanged) with the byte-exact way to give it, `rc set --value-from FILE|- NAME`, which
// stores the bytes exactly. The built CLI is run through sh, which passes the raw byte.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { cli, makeRoot, readHost } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const RC = '/etc/rc.conf';
const TEXT = '# \xe9crit\nfoo_flags="old"\n';

/** `sh -c SCRIPT` with $node and $cli set, rc(8)'s PATH, nothing from the test runner. */
function sh(script: string, input?: Buffer): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', `node=${process.execPath}`, `cli=${CLI}`, '/bin/sh', '-c', script],
    { input, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('utf8') };
}

t.test('a Latin-1 value from argv is refused, the file unchanged, with the byte-exact way in the hint', async (t) => {
  // Mutation: dropping refuseReplacedBytes from parseEditArg (cli-args.ts) wrote caf\357\277\275.
  const root = makeRoot(t, { [RC]: TEXT });
  const r = sh(`"$node" "$cli" rc set -R '${root}' -f ${RC} "foo_flags=$(printf 'caf\\351')"`);
  // A refused value exits 1 as sysrc's refusals do; 2 is for usage errors.
  t.equal(r.code, 1, r.stderr);
  t.equal(r.stdout, '');
  t.match(r.stderr, /^kleene-boot: foo_flags: the value on the command line is not valid UTF-8 \(a byte was replaced by U\+FFFD\); nothing written$/m);
  t.match(r.stderr, /hint: give the bytes exactly from a file or stdin: printf 'caf\\351' \| kleene-boot rc set --value-from - foo_flags/);
  t.equal(readHost(root, RC), TEXT, 'byte-identical');
  // The same for += (an item from argv).
  const add = await cli('rc', 'set', '-R', root, '-f', RC, 'foo_flags+=caf\uFFFD');
  t.equal(add.code, 1);
  t.equal(readHost(root, RC), TEXT);
});

t.test('rc set --value-from - stores the bytes from stdin exactly', async (t) => {
  const root = makeRoot(t, { [RC]: TEXT });
  const r = sh(`printf 'caf\\351\\n' | "$node" "$cli" rc set -R '${root}' -f ${RC} --value-from - foo_flags`);
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, RC), '# \xe9crit\nfoo_flags="caf\xe9"\n', 'the byte 0xE9, without the final newline');
  const g = sh(`"$node" "$cli" rc get -n -R '${root}' -f ${RC} foo_flags`);
  t.equal(g.stdout, 'caf\xe9\n', 'rc get -n prints the same bytes');
});

t.test('rc set --value-from FILE stores its bytes; NAME+= adds them as an item', async (t) => {
  const root = makeRoot(t, { [RC]: TEXT });
  const file = join(root, 'value');
  writeFileSync(file, Buffer.from('na\xefve', 'latin1'));
  let r = await cli('rc', 'set', '-R', root, '-f', RC, '--value-from', file, 'foo_flags');
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, RC), '# \xe9crit\nfoo_flags="na\xefve"\n');
  writeFileSync(file, Buffer.from('caf\xe9\n', 'latin1'));
  r = await cli('rc', 'set', '-R', root, '-f', RC, '--value-from', file, 'foo_flags+=');
  t.equal(r.code, 0, r.stderr);
  t.equal(readHost(root, RC), '# \xe9crit\nfoo_flags="na\xefve caf\xe9"\n');
});

t.test('--value-from takes one NAME with nothing after it', async (t) => {
  const root = makeRoot(t, { [RC]: TEXT });
  const file = join(root, 'value');
  writeFileSync(file, 'x');
  for (const args of [['foo_flags=x'], ['a', 'b']]) {
    const r = await cli('rc', 'set', '-R', root, '-f', RC, '--value-from', file, ...args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, /--value-from: /);
  }
  t.equal(readHost(root, RC), TEXT);
});
