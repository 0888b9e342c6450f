// Layering: the plain data of a run lives in src/model. The run record is a file format and the
// report reads records, so neither may depend on the boot code (src/hook) that writes them; the
// planner is pure and takes plain data, so it may not depend on one client's wire types
// (src/kleened). Each rule is checked on every import of every file of its directory.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const src = join(import.meta.dirname, '../../src');

/** Every `import … from '…'` and `export … from '…'` of a TypeScript file, type-only ones included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1]!);
}

const RULES: { dir: string; forbidden: RegExp; why: string }[] = [
  { dir: 'record', forbidden: /^\.\.\/(hook|plan|kleened|cli|install)\//, why: 'the record is a file format' },
  { dir: 'report', forbidden: /^\.\.\/(hook|kleened|cli|install)\//, why: 'the report reads records' },
  { dir: 'plan', forbidden: /^\.\.\/(kleened|hook|host|cli|install|record|report)\//, why: 'the planner is pure and takes plain data' },
  { dir: 'model', forbidden: /^\.\.\//, why: 'the model stands alone' },
];

for (const rule of RULES) {
  t.test(`src/${rule.dir} imports nothing it must not (${rule.why})`, async (t) => {
    const files = readdirSync(join(src, rule.dir)).filter((f) => f.endsWith('.ts'));
    t.ok(files.length >= 2, `src/${rule.dir} has its modules`);
    for (const f of files) {
      const imports = importsOf(join(src, rule.dir, f));
      t.same(imports.filter((i) => rule.forbidden.test(i)), [], `${rule.dir}/${f}: ${imports.join(', ')}`);
    }
  });
}

t.test('the import reader sees type-only, multi-line and dynamic imports', async (t) => {
  const dir = t.testdir({});
  const f = join(dir, 'x.ts');
  writeFileSync(f, "import type {\n  A,\n} from '../hook/a.ts';\nexport { B } from '../kleened/b.ts';\nconst c = await import('../hook/c.ts');\n");
  t.same(importsOf(f).sort(), ['../hook/a.ts', '../hook/c.ts', '../kleened/b.ts']);
});
