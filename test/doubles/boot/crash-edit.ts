// `crash-edit.ts FILE STEP EDIT...` (bundled by the crash scenario, then run by node): applies
// `kleene-boot rc set` does (src/rcconf/editor.ts applyEdits), and SIGKILLs itself when the write
// of FILE (host path) reaches STEP (writeFileAtomic's 'temp-written' | 'temp-synced' | 'renamed').
// The crash scenario (a crash during write) runs it inside the sim for every file and step.
import { applyEdits } from '../../../src/rcconf/editor.ts';
import { parseEditArg } from '../../../src/rcconf/cli-args.ts';

const [file, step, ...args] = process.argv.slice(2);
if (!file || !step || args.length === 0) {
  process.stderr.write('usage: crash-edit.ts FILE STEP NAME=VALUE...\n');
  process.exit(2);
}
await applyEdits(args.map(parseEditArg), {
  root: '/',
  onWriteStep: (host, s) => {
    process.stdout.write(`step ${host} ${s}\n`);
    // SIGKILL: no handler, no cleanup, no flush beyond what already reached the kernel, as a
    // power cut or the OOM killer would leave things.
    if (host === file && s === step) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('done\n');
