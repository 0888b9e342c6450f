// Process entry of the bundled CLI (dist/cli.js).
import { runCli } from './main.ts';

// `kleene-boot generate --stdout | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
