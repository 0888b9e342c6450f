// writeFileAtomic's temp file: created with O_EXCL beside the target, and another name is tried
// when one is taken (the name is unlikely to be taken, not unguessable: O_EXCL is the safety).
import { mkdtempSync, promises as fsp, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { writeFileAtomic } from '../../src/fs/atomic.ts';

function testDir(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

t.test('a temp name already taken (even by a symlink) is never used: the next name is', async (t) => {
  const dir = testDir(t, { 'rc.conf': 'a="1"\n', 'elsewhere': 'keep\n' });
  const target = join(dir, 'rc.conf');
  const realRandom = Math.random;
  const realNow = Date.now;
  const draws = [0.5, 0.5, 0.25];
  t.teardown(() => { Math.random = realRandom; Date.now = realNow; });
  Date.now = () => 1_700_000_000_000;
  Math.random = () => draws.shift() ?? realRandom();
  const taken = join(dir, `.rc.conf.kleene-boot.${process.pid}.${(1_700_000_000_000).toString(36)}${(0.5).toString(36).slice(2, 8)}`);
  await fsp.symlink(join(dir, 'elsewhere'), taken);
  await writeFileAtomic(target, 'a="2"\n');
  t.equal(await fsp.readFile(target, 'utf8'), 'a="2"\n', 'written');
  t.equal(await fsp.readFile(join(dir, 'elsewhere'), 'utf8'), 'keep\n', 'the link was not followed');
  t.equal((await fsp.lstat(taken)).isSymbolicLink(), true, 'the taken name is left alone');
  t.same((await fsp.readdir(dir)).sort(), ['.rc.conf.kleene-boot.' + taken.split('.kleene-boot.')[1], 'elsewhere', 'rc.conf'].sort(), 'no temp file left');
  t.equal(draws.length, 0, 'three names drawn: two taken, the third free');
});

t.test('when every try finds its name taken, the error says so instead of looping', async (t) => {
  const dir = testDir(t, { 'rc.conf': 'a="1"\n' });
  const realRandom = Math.random;
  const realNow = Date.now;
  t.teardown(() => { Math.random = realRandom; Date.now = realNow; });
  Date.now = () => 1_700_000_000_000;
  Math.random = () => 0.5;
  await fsp.writeFile(join(dir, `.rc.conf.kleene-boot.${process.pid}.${(1_700_000_000_000).toString(36)}${(0.5).toString(36).slice(2, 8)}`), '');
  await t.rejects(writeFileAtomic(join(dir, 'rc.conf'), 'a="2"\n'), { code: 'EEXIST' });
  t.equal(await fsp.readFile(join(dir, 'rc.conf'), 'utf8'), 'a="1"\n', 'the target is untouched');
});
