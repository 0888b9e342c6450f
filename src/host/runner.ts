// A resident sh that runs one command again and again on request. The hook calls jls once per
// batch of finished starts (jail-watch.ts), and each node spawn forks the whole node process
// (50–70 MB at 500 containers) and holds the hook's one thread until the tool has exec'd: 2–4 ms
// in the middle of each dependency link (bench marks), with a dependent's start waiting. A sh is
// a small process: its fork and exec of jls cost the tool's own start, and node only writes a
// line to a pipe.
//
// Protocol: node writes a newline; the sh runs "$@" (the command as positional parameters: no
// value is ever part of the script) with stdin from /dev/null and stderr discarded, then prints
// a NUL and the exit status. Only a zero exit is answered from the runner: after any other the
// command is run again the usual way (runTool), so that the error reported is the tool's own
// (its stderr). One call at a time: a call while one runs, or once the runner has failed, is
// not taken (undefined) and the caller spawns the tool itself. A timeout or a cancel kills the
// runner's process group (the sh and the tool) and rejects as runTool does; that runner is then
// not used again. Idle, the runner holds no reference on node's event loop: the hook exits when
// it is done, and the sh then reads the end of its input and exits too.
import { spawn, type ChildProcess } from 'node:child_process';
import { HostCommandError } from '../errors.ts';
import { runTool, type Resident, type RunOptions, type RunResult } from './run.ts';
import { monoMs } from './clock.ts';

const SCRIPT = 'while read -r _; do "$@" </dev/null 2>/dev/null; printf \'\\000%s\\n\' "$?"; done';

/** One resident sh for one command (file and arguments). */
export class ToolRunner {
  private child: ChildProcess | undefined;
  private dead = false;
  private busy = false;
  private out: Buffer[] = [];
  private onAnswer: ((status: number | undefined, stdout: string) => void) | undefined;
  /** Calls answered by the runner (tests, diagnosis). */
  answered = 0;

  constructor(private readonly file: string, private readonly args: readonly string[], private readonly env: NodeJS.ProcessEnv) {}

  /** Runs the command through the runner; undefined when it cannot take the call now (the caller spawns). */
  tryRun(opts: RunOptions): Promise<RunResult> | undefined {
    if (this.dead || this.busy || opts.input !== undefined || opts.signal?.aborted) return undefined;
    const child = this.child ?? this.start();
    if (!child) return undefined;
    this.busy = true;
    this.ref(true);
    const command = [this.file, ...this.args].join(' ');
    return new Promise<RunResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.onAnswer = undefined;
        this.busy = false;
        this.ref(false);
      };
      const timedOut = (): HostCommandError => new HostCommandError('host-timeout', `${this.file} did not finish within ${opts.timeoutMs / 1000} s`, { command });
      const stop = (why: 'timeout' | 'cancel'): void => {
        done();
        this.kill();
        reject(why === 'timeout' ? timedOut() : new HostCommandError('host-cancelled', `${this.file} was cancelled`, { command }));
      };
      const onAbort = (): void => stop('cancel');
      const deadline = monoMs() + opts.timeoutMs;
      timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.onAnswer = (status, stdout) => {
        done();
        if (status === 0) {
          this.answered++;
          resolve({ exitCode: 0, stdout, stderr: '' });
        } else {
          // A failure (or a runner that died): the tool's own run says why, within what is left
          // of the call's time (the bound is the call's, not twice it).
          runTool(this.file, [...this.args], { ...opts, timeoutMs: Math.max(1, deadline - monoMs()) }).then(resolve,
            (e: unknown) => reject(e instanceof HostCommandError && e.code === 'host-timeout' ? timedOut() : e));
        }
      };
      child.stdin!.write('\n');
    });
  }

  /** Ends the runner (its sh exits at the end of its input). */
  close(): void {
    this.dead = true;
    this.child?.stdin?.end();
  }

  private start(): ChildProcess | undefined {
    let child: ChildProcess;
    try {
      // Its own process group: a timeout kills the sh and the tool it runs together.
      child = spawn('/bin/sh', ['-c', SCRIPT, 'sh', this.file, ...this.args], { env: this.env, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    } catch {
      this.dead = true;
      return undefined;
    }
    this.child = child;
    child.on('error', () => this.die());
    child.on('exit', () => this.die());
    child.stdin!.on('error', () => this.die());
    child.stdout!.on('data', (c: Buffer) => this.data(c));
    this.ref(false);
    return child;
  }

  private data(c: Buffer): void {
    this.out.push(c);
    if (c[c.length - 1] !== 10) return;
    const all = Buffer.concat(this.out);
    const nul = all.lastIndexOf(0);
    if (nul < 0) return;
    const status = /^(\d+)\n$/.exec(all.toString('latin1', nul + 1));
    if (!status) return;
    this.out = [];
    this.onAnswer?.(Number(status[1]), all.toString('utf8', 0, nul));
  }

  /** The runner is gone: a call in flight is run the usual way, later calls too. */
  private die(): void {
    if (this.dead && !this.onAnswer) return;
    this.dead = true;
    this.onAnswer?.(undefined, '');
  }

  private kill(): void {
    this.dead = true;
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  /** While a call runs, node waits for its answer; idle, the runner keeps nothing alive. */
  private ref(on: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }
}

/** The runners of one hook run, one per command, made on first use. */
export class ToolRunners implements Resident {
  private readonly runners = new Map<string, ToolRunner>();

  tryRun(file: string, args: readonly string[], opts: RunOptions & { env: NodeJS.ProcessEnv }): Promise<RunResult> | undefined {
    const key = JSON.stringify([file, ...args]);
    let r = this.runners.get(key);
    if (!r) this.runners.set(key, (r = new ToolRunner(file, args, opts.env)));
    return r.tryRun(opts);
  }

  /** Calls answered by a runner, all commands together. */
  get answered(): number {
    let n = 0;
    for (const r of this.runners.values()) n += r.answered;
    return n;
  }

  close(): void {
    for (const r of this.runners.values()) r.close();
  }
}
