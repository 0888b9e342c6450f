// Process entry of the bundled boot hook (dist/hook.js).
import { envSnapshot } from '../host/run.ts';
import { defaultDeps } from './deps.ts';
import { runHook } from './main.ts';

// The environment read once (envSnapshot): the configuration and the tools' environment both come from it.
const env = envSnapshot();
runHook(process.argv.slice(2), env, defaultDeps(env)).then((code) => {
  process.exitCode = code;
});
