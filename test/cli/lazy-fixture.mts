// Runs `kleene-boot ARGS` in this process from the sources, then prints (on stderr, as JSON) the
// exit status and which heavy CommonJS packages it loaded. Used by lazy.test.ts.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { runCli } = await import('../../src/cli/main.ts');
const code = await runCli(process.argv.slice(2));
const loaded = Object.keys(require.cache)
  .map((k) => /node_modules\/(handlebars|ws|yaml)\//.exec(k)?.[1])
  .filter((x): x is string => x !== undefined);
process.stderr.write(`\n${JSON.stringify({ code, loaded: [...new Set(loaded)].sort() })}\n`);
