// The resident runner (src/host/runner.ts): the same answers as a spawn, one sh for many calls,
// the tool's own error when it fails, a spawn when it is busy, every wait bounded, and nothing
// that keeps node alive.
import t from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostCommandError } from '../../src/errors.ts';
import { runTool } from '../../src/host/run.ts';
import { ToolRunners } from '../../src/host/runner.ts';

/** A tool in a directory of its own: prints its arguments and its parent's pid, logs each call. */
function rig(t: { teardown(fn: () => void): void }, body?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kb-runner-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tool = join(dir, 'tool');
  const calls = join(dir, 'calls');
  writeFileSync(tool, `#!/bin/sh
echo "$$ $PPID" >> ${JSON.stringify(calls)}
${body ?? 'printf \'{"args": "%s", "stdin": "%s"}\\n\' "$*" "$(cat)"'}
`);
  chmodSync(tool, 0o755);
  const parents = () => existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1])) : [];
  const pids = () => existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[0])) : [];
  return { dir, tool, parents, pids };
}

/** The process runs (a zombie waiting for its reaper does not: PID 1 here may be slow to reap). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

t.test('answers as a spawn does, from one resident sh for every call', async (t) => {
  const r = rig(t);
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const args = ['--libxo', 'json', 'jid', 'name'];
  const spawned = await runTool(r.tool, args, { timeoutMs: 10_000 });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await runTool(r.tool, args, { timeoutMs: 10_000, resident }));
  for (const a of answers) t.same(a, spawned, 'the same exit status and output (stdin is empty, as for a spawn)');
  t.equal(resident.answered, 4, 'every call answered by the runner');
  const parents = r.parents();
  t.equal(parents[0], process.pid, 'the plain call was node\'s child');
  t.equal(new Set(parents.slice(1)).size, 1, 'the four others had one parent');
  t.not(parents[1], process.pid, 'the runner\'s sh, not node');
});

t.test('a failing tool is run again the usual way: its own message, not the runner\'s', async (t) => {
  // Mutation: answering a non-zero exit from the runner (stderr is discarded there) loses "no such jail".
  const r = rig(t, 'echo "jls: no such jail" >&2\nexit 1');
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const res = await runTool(r.tool, [], { timeoutMs: 10_000, resident });
  t.equal(res.exitCode, 1);
  t.match(res.stderr, /jls: no such jail/);
  t.equal(resident.answered, 0);
  t.equal(r.parents().length, 2, 'run by the runner, then again');
  t.equal(r.parents()[1], process.pid, 'the second run spawned by node');
});

t.test('the usual run after a failure gets what is left of the call\'s time, not a time of its own', async (t) => {
  // Fails after 0.4 s through the runner, then hangs when run again: the call still ends at its
  // own timeout. Mutation: the rerun with the call's whole timeoutMs ends it 0.4 s later.
  const r = rig(t, `if [ -e ${JSON.stringify('$0.failed')} ]; then exec sleep 30; fi\n: > "$0.failed"\nsleep 0.4\nexit 1`);
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const t0 = performance.now();
  const err = await runTool(r.tool, [], { timeoutMs: 600, resident }).catch((e: unknown) => e);
  const took = performance.now() - t0;
  t.equal((err as HostCommandError).code, 'host-timeout');
  t.match((err as Error).message, /did not finish within 0\.6 s/, 'the call\'s own timeout in the message');
  t.equal(r.parents().length, 2, 'run by the runner, then again');
  t.ok(took >= 590 && took < 900, `ended at the call's timeout, not later (${Math.round(took)} ms)`);
});

t.test('a call while another runs is spawned, not queued behind it', async (t) => {
  const r = rig(t, 'sleep 0.3; echo done');
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const [a, b] = await Promise.all([runTool(r.tool, [], { timeoutMs: 10_000, resident }), runTool(r.tool, [], { timeoutMs: 10_000, resident })]);
  t.same([a.stdout, b.stdout], ['done\n', 'done\n']);
  const parents = r.parents();
  t.equal(parents.filter((p) => p === process.pid).length, 1, 'one spawned by node');
  t.equal(parents.filter((p) => p !== process.pid).length, 1, 'one by the runner');
});

t.test('a tool that hangs is killed with the runner at its timeout, which is not used again', async (t) => {
  // Mutation: a runner without its own process group (detached: false) leaves the sleeping tool
  // alive after the timeout.
  const r = rig(t, 'sleep 30');
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const t0 = performance.now();
  const err = await runTool(r.tool, [], { timeoutMs: 300, resident }).catch((e: unknown) => e);
  const took = performance.now() - t0;
  t.type(err, HostCommandError);
  t.equal((err as HostCommandError).code, 'host-timeout');
  t.match((err as Error).message, /did not finish within 0\.3 s/);
  t.ok(took >= 290 && took < 600, `rejected at its timeout, not twice it (${Math.round(took)} ms)`);
  const [pid] = r.pids();
  for (let i = 0; i < 50 && alive(pid!); i++) await new Promise((res) => setTimeout(res, 10));
  t.notOk(alive(pid!), 'the hanging tool was killed');
  writeFileSync(r.tool, '#!/bin/sh\necho "$$ $PPID" >> ' + JSON.stringify(join(r.dir, 'calls')) + '\necho fine\n');
  const after = await runTool(r.tool, [], { timeoutMs: 10_000, resident });
  t.equal(after.stdout, 'fine\n');
  t.equal(r.parents().at(-1), process.pid, 'the next call was spawned: that runner is gone');
});

t.test('a cancelled call kills the tool and rejects as a cancelled spawn does', async (t) => {
  const r = rig(t, 'sleep 30');
  const resident = new ToolRunners();
  t.teardown(() => resident.close());
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  const err = await runTool(r.tool, [], { timeoutMs: 10_000, signal: ctl.signal, resident }).catch((e: unknown) => e);
  t.equal((err as HostCommandError).code, 'host-cancelled');
  const [pid] = r.pids();
  for (let i = 0; i < 50 && alive(pid!); i++) await new Promise((res) => setTimeout(res, 10));
  t.notOk(alive(pid!), 'the tool was killed');
});

t.test('an idle runner does not keep node alive, and its sh ends with node', async (t) => {
  // Mutation: leaving the runner's handles referenced (ref(false) not called when idle) keeps
  // this child process running until it is killed.
  const r = rig(t, 'echo ok');
  const script = join(r.dir, 'once.mts');
  writeFileSync(script, `import { runTool } from ${JSON.stringify(join(process.cwd(), 'src/host/run.ts'))};
import { ToolRunners } from ${JSON.stringify(join(process.cwd(), 'src/host/runner.ts'))};
const resident = new ToolRunners();
const a = await runTool(${JSON.stringify(r.tool)}, [], { timeoutMs: 10000, resident });
process.stdout.write(a.stdout + resident.answered + '\\n');
`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(false); }, 20_000);
    child.on('exit', () => { clearTimeout(timer); resolve(true); });
  });
  t.ok(exited, 'node exited by itself');
  t.equal(out, 'ok\n1\n', 'answered by the runner');
  const sh = r.parents()[0]!;
  for (let i = 0; i < 100 && alive(sh); i++) await new Promise((res) => setTimeout(res, 10));
  t.notOk(alive(sh), 'the runner\'s sh is gone too');
});
