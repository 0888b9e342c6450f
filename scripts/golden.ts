// Regenerates the golden files: rc.d/ (the defaults) and test/golden/<case>/ (options.json →
// the expected scripts). Review the diff, then commit it with the template change behind it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderScript, SCRIPTS } from '../src/render/render.ts';
import { validateGenerateOptions } from '../src/render/options.ts';

export const GOLDEN_DEFAULTS = { prefix: '/usr/local', node: '/usr/local/bin/node' };

async function main(): Promise<void> {
  for (const s of SCRIPTS) writeFileSync(join('rc.d', s), await renderScript(s, GOLDEN_DEFAULTS), { mode: 0o755 });
  for (const c of readdirSync('test/golden')) {
    const dir = join('test/golden', c);
    const opts = validateGenerateOptions(JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')));
    for (const s of SCRIPTS) writeFileSync(join(dir, s), await renderScript(s, opts));
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
