// Child process for the crash tests: runs one rc.conf edit and kills itself with SIGKILL at the
// named step of the file write (argv: root, step, name, value). No top-level await: the test
// bundles it as CommonJS so it starts fast.
import { applyEdits } from '../../src/rcconf/editor.ts';

const [root, step, name, value] = process.argv.slice(2) as [string, string, string, string];
applyEdits([{ op: 'set', name, value }], {
  root,
  file: '/etc/rc.conf',
  onWriteStep: (_file, s) => {
    if (s === step) process.kill(process.pid, 'SIGKILL');
  },
}).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
