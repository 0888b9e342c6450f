// Process entry of the bundled boot hook (dist/hook.js).
import { runHook } from './main.ts';

runHook(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
});
