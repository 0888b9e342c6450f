// src/plan must stay a pure function of its inputs (STYLE.md "Pure planner, thin adapters").
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '../../src/plan');

t.test('no planner module imports I/O', async (t) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 3, 'the planner modules are found');
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^'"]*['"]([^'"]+)['"]/gm)];
    for (const [, isType, from] of imports) {
      if (isType) continue;
      t.notMatch(from!, /^(node:)?(fs|net|child_process|http|dgram|os)(\/|$)|^execa$|^ws$|\/(host|hook|kleened)\//, `${f} imports ${from}`);
    }
  }
});
