// The rcorder adapter the boot driver calls: argument handling, file reading, exit status.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { simTempDir } from '../helpers/sim-state.ts';

const BIN = new URL('../../src/rcorder/bin.ts', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8' });

t.test('prints paths in order, skips -s keywords, and exits 0 without warnings', async (t) => {
  const d = simTempDir((fn) => t.teardown(fn), 'rcorder-'); // removed after the test
  writeFileSync(join(d, 'b'), '# PROVIDE: b\n# REQUIRE: a\n');
  writeFileSync(join(d, 'a'), '# PROVIDE: a\n');
  writeFileSync(join(d, 'n'), '# PROVIDE: n\n# KEYWORD: nostart\n');
  mkdirSync(join(d, 'dir'));
  const r = run(['-s', 'nostart', join(d, 'b'), join(d, 'a'), join(d, 'n'), join(d, 'dir')]);
  t.equal(r.stdout, `${join(d, 'a')}\n${join(d, 'b')}\n`, 'directories are skipped silently');
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
});

t.test('-k keeps only matching files; warnings go to stderr with exit status 1', async (t) => {
  const d = simTempDir((fn) => t.teardown(fn), 'rcorder-'); // removed after the test
  writeFileSync(join(d, 'x'), '# PROVIDE: x\n# REQUIRE: ghost\n# KEYWORD: shutdown\n');
  writeFileSync(join(d, 'y'), '# PROVIDE: y\n');
  const r = run(['-k', 'shutdown', join(d, 'x'), join(d, 'y'), join(d, 'absent')]);
  t.equal(r.stdout, `${join(d, 'x')}\n`);
  t.match(r.stderr, /requirement 'ghost' in file '.*\/x' has no providers/);
  t.match(r.stderr, /could not open .*absent/);
  t.equal(r.status, 1);
});
