// Process entry of the bundled CLI (dist/cli.js).
import { runCli } from './main.ts';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
