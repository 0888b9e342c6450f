// Runs the kleened test double (test/doubles/kleened/server.mjs) for one benchmark run, in its
// own process as kleened would be, with the state in memory (memo-state.mjs; pass --file-state
// to keep the double's file-backed state). Prints `ready` once it listens; on SIGTERM it closes,
// writes the state back, prints `cpu MS` (its CPU time) and exits 0.
//   node bench/double/serve.mjs --socket S --state FILE --request-log FILE [--jails-file FILE [--jls-out FILE]] [--file-state]
import { register } from 'node:module';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fileState = args.includes('--file-state');
if (!fileState) register('./hooks.mjs', import.meta.url);

const { startKleened } = await import('../../test/doubles/kleened/server.mjs');
const memo = fileState ? undefined : await import('./memo-state.mjs');
if (memo && opt('--jails-file')) {
  memo.mirrorJails(opt('--jails-file'), opt('--jls-out'));
  memo.writeState(opt('--state'), memo.readState(opt('--state')));
}

const handle = await startKleened({
  socket: opt('--socket'),
  statePath: opt('--state'),
  requestLogPath: opt('--request-log'),
  autostart: false,
});
process.stdout.write('ready\n');

let closing = false;
process.on('SIGTERM', async () => {
  if (closing) return;
  closing = true;
  await handle.close();
  memo?.flush();
  // The double's own CPU time, so a run can tell whether the double (not the hook) was the limit.
  const cpu = process.cpuUsage();
  process.stdout.write(`cpu ${Math.round((cpu.user + cpu.system) / 1000)}\n`);
  process.exit(0);
});
