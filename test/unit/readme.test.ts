import t from 'tap';
import { readFileSync } from 'node:fs';
import { KNOBS } from '../../src/model/knobs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('the README documents every rc.conf variable with its default', async (t) => {
  for (const k of KNOBS) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${k.name}\` |`));
    t.ok(row, `README has a row for ${k.name}`);
    if (k.default !== '' && !k.default.includes('{')) t.ok(row?.includes(`\`${k.default}\``), `${k.name} default ${k.default}`);
  }
});

t.test('the quick start has exactly two commands', async (t) => {
  const qs = readme.split('## Quick start')[1]!.split('\n## ')[0]!;
  const block = qs.split('```sh\n')[1]!.split('```')[0]!;
  const cmds = block.split('\n').filter((l) => l.trim() !== '');
  t.equal(cmds.length, 2);
  t.match(cmds[0]!, /^\.\/install\.sh --root /);
  t.match(cmds[1]!, /^npm install-test/);
});
