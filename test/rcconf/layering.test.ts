// Layering: src/rcconf imports nothing from src/install or src/render; the installed
// defaults are passed in (src/install/installed-fill.ts), and the quoting function lives in
// src/shell/quote.ts. Mutation: import underRoot from ../render/render.ts in defaults.ts -> fails.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/rcconf/', import.meta.url));

t.test('src/rcconf imports only model, shell, fs, errors and itself', async (t) => {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const imports = [...readFileSync(dir + f, 'utf8').matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
    const bad = imports.filter((i) => /^\.\.\/(install|render|cli|hook)\//.test(i));
    t.same(bad, [], `${f}: ${imports.join(', ')}`);
  }
});
