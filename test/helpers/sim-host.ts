// SimHost: a private, throw-away FreeBSD-like host for one test, built from Linux namespaces.
//
// Why this shape (see /work/shared/freebsd/FACTS.md, "Testing rc.d scripts on Linux"):
// - rc.d scripts hard-code FreeBSD paths (/etc/rc.subr, /usr/local/etc/rc.d, /var/run), so the
//   sim puts files at those paths in a private mount namespace: overlays (lower = the real dir,
//   upper on a tmpfs) on /etc, /usr/local, /usr/bin, /usr/sbin and /var, fresh tmpfs on
//   /var/run, /var/log, /var/db.  Nothing is written to the real host's /etc, /usr or /var.
// - Zombies look alive to `kill -0` and to process matching, so PID 1 of a private pid namespace
//   is `tini -s`, which reaps every daemonized orphan at once.
// - Killing that PID 1 kills every process of the sim: destroy() cannot leak daemons.  The
//   holder also exits when this test process dies (it waits for EOF on a pipe from us).
// The repository (/work/main), node and /tmp stay visible inside the sim.
// /etc/defaults/periodic.conf is a double too (test/doubles/defaults-periodic.conf), for the
// periodic(8) daily script.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, constants as fsc, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** Where the doubles live in the repository (rc.subr, defaults-rc.conf, shims/). */
export const DOUBLES_DIR = fileURLToPath(new URL('../doubles/', import.meta.url));

/** FreeBSD path of each shim in test/doubles/shims; other executables there go to /usr/sbin. */
export const SHIM_PATHS: Readonly<Record<string, string>> = {
  daemon: '/usr/sbin/daemon',
  ps: '/bin/ps',
  limits: '/usr/bin/limits',
  sysctl: '/sbin/sysctl',
  pwait: '/bin/pwait',
  kenv: '/bin/kenv',
  kldstat: '/sbin/kldstat',
  kldload: '/sbin/kldload',
  logger: '/usr/bin/logger',
  service: '/usr/sbin/service',
  sysrc: '/usr/sbin/sysrc',
  jls: '/usr/sbin/jls',
  jexec: '/usr/sbin/jexec',
  zfs: '/sbin/zfs',
};

/** rc(8)'s environment: scripts at boot see only this (FACTS: no /usr/local/bin in PATH). */
export const RC_ENV: Readonly<Record<string, string>> = {
  PATH: '/sbin:/bin:/usr/sbin:/usr/bin',
  HOME: '/',
};

export interface SimRunOptions {
  /** Added to RC_ENV (and may override PATH/HOME). */
  env?: Record<string, string>;
  /** After this long, SIGKILL the command's process tree and stop reading its output; default 20 s. */
  timeoutMs?: number;
  /** Written to the command's stdin; otherwise stdin is empty (/dev/null-like). */
  input?: string;
  /** Working directory inside the sim; default "/". */
  cwd?: string;
}

export interface SimRunResult {
  /**
   * Exit status; 128 + signal number when killed by a signal; 124 when the command was still
   * running at the timeout.  With heldOpen, the status the command itself exited with.
   */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the command, in milliseconds. */
  ms: number;
  /** True when timeoutMs expired (the command ran too long, or heldOpen). */
  timedOut: boolean;
  /**
   * True when the command exited but something it started (a daemon without -f/-o, FACTS)
   * kept its stdout/stderr open until the timeout: on FreeBSD `service x start` run from a
   * pipe or ssh would hang the same way.
   */
  heldOpen: boolean;
  /** The signal that killed it, if any (e.g. "SIGTERM"). */
  signal?: string;
}

export interface SimHostOptions {
  /** Prefix of the host-side temp dir name (default "kleene-sim-"). */
  prefix?: string;
}

const SETUP_SCRIPT = String.raw`
set -eu
T=$1 D=$2 NODE=$3
# Overlay upper/work dirs live on a tmpfs only this mount namespace sees.
mount -t tmpfs -o mode=0700 kleene-sim "$T/ovl"
# /bin and /sbin are overlaid too where they are real dirs (no merged /usr).
for d in /etc /usr/local /usr/bin /usr/sbin /var /bin /sbin; do
	[ -d "$d" ] && [ ! -L "$d" ] || continue
	k=$(printf %s "$d" | tr / _)
	mkdir "$T/ovl/u$k" "$T/ovl/w$k"
	mount -t overlay kleene-sim -o "lowerdir=$d,upperdir=$T/ovl/u$k,workdir=$T/ovl/w$k" "$d"
done
# FreeBSD has a real /var/run (Debian links it to /run, outside the overlay).
for d in /var/run /var/lock; do
	if [ -L "$d" ]; then rm "$d"; mkdir "$d"; fi
done
for d in /var/run /var/log /var/db; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0755 kleene-sim "$d"
done
# Refuse to write anywhere that is not one of the private mounts above.
safe() {
	r=$(readlink -f "$(dirname "$1")")
	case "$r" in
	/etc|/etc/*|/usr/local|/usr/local/*|/usr/bin|/usr/bin/*|/usr/sbin|/usr/sbin/*|/var|/var/*|/bin|/sbin) ;;
	*) echo "sim-host: refusing to install $1 ($r is not private)" >&2; exit 1 ;;
	esac
}
mkdir -p /etc/defaults /etc/rc.d /etc/rc.conf.d /usr/local/etc/rc.d /usr/local/etc/rc.conf.d /usr/local/bin
install -m 0444 "$D/rc.subr" /etc/rc.subr
install -m 0444 "$D/defaults-rc.conf" /etc/defaults/rc.conf
install -m 0444 "$D/defaults-periodic.conf" /etc/defaults/periodic.conf
rm -f /etc/periodic.conf /etc/periodic.conf.local
: > /etc/rc.conf
rm -f /etc/rc.conf.local
# FreeBSD's node lives in /usr/local/bin; the shims' "#!/usr/bin/env node" needs it in PATH.
[ -e /usr/local/bin/node ] || ln -s "$NODE" /usr/local/bin/node
[ -e /usr/bin/node ] || { safe /usr/bin/node; ln -s "$NODE" /usr/bin/node; }
for f in "$D"/shims/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	n=$(basename "$f")
	case "$n" in *.*) continue ;; esac
	dest=$(eval "printf %s \"\${SHIM_$n-}\"")
	[ -n "$dest" ] || dest=/usr/sbin/$n
	safe "$dest"
	rm -f "$dest"
	install -m 0555 "$f" "$dest"
	# A sh front's node half (jls.cjs beside jls) goes beside it.
	[ ! -f "$f.cjs" ] || install -m 0444 "$f.cjs" "$dest.cjs"
done
echo READY
# Live until the test process closes our stdin (or destroy() kills PID 1).
while read -r _line; do :; done
# The test process died without destroy(): detach our tmpfs and remove the (empty) temp dir.
umount -l "$T/ovl" 2>/dev/null || :
rm -f "$T/setup.sh"
rmdir "$T/ovl" "$T" 2>/dev/null || :
`;

/** A running simulated FreeBSD host; create() it, use it, destroy() it. */
export class SimHost {
  private destroyed = false;

  private constructor(
    /** Host-side temp directory (empty apart from the private overlay mount point). */
    readonly tempDir: string,
    /** Host pid of the sim's PID 1 (tini); nsenter targets it. */
    readonly pid: number,
    private readonly holder: ChildProcess,
  ) {}

  /**
   * Builds a fresh sim (about 100 ms) and resolves when it is ready; rejects with the setup's
   * stderr when the host cannot do it (needs root, unshare, nsenter, tini, overlayfs).
   */
  static async create(opts: SimHostOptions = {}): Promise<SimHost> {
    const tempDir = await mkdtemp(path.join(os.tmpdir(), opts.prefix ?? 'kleene-sim-'));
    await fsp.mkdir(path.join(tempDir, 'ovl'));
    const setup = path.join(tempDir, 'setup.sh');
    await fsp.writeFile(setup, SETUP_SCRIPT, { mode: 0o644 });
    const shimEnv: Record<string, string> = {};
    for (const [n, p] of Object.entries(SHIM_PATHS)) shimEnv[`SHIM_${n}`] = p;
    const holder = spawn(
      'unshare',
      ['--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private',
        'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', ...Object.entries(shimEnv).map(([k, v]) => `${k}=${v}`),
        'tini', '-s', '--', 'sh', setup, tempDir, DOUBLES_DIR, process.execPath],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    let stderr = '';
    holder.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        // generous: a loaded 2-core machine can take several seconds per setup; a hang still ends
        const timer = setTimeout(() => reject(new Error('sim-host: setup timed out after 60 s')), 60_000);
        holder.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('READY\n')) { clearTimeout(timer); resolve(); }
        });
        holder.once('error', (e) => { clearTimeout(timer); reject(e); });
        holder.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`sim-host: setup failed (exit ${code}): ${stderr.trim()}`));
        });
      });
    } catch (e) {
      holder.kill('SIGKILL');
      await rm(tempDir, { recursive: true, force: true });
      throw e;
    }
    const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim();
    const pid = Number(children.split(/\s+/)[0]);
    // Don't keep the test's event loop alive for the holder; EOF on stdin ends it if we die.
    holder.unref();
    for (const s of [holder.stdin, holder.stdout, holder.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    return new SimHost(tempDir, pid, holder);
  }

  /**
   * Runs `cmd args` inside the sim as root with rc(8)'s environment plus opts.env; never
   * rejects for a failing command: the result carries code/stdout/stderr/ms.
   */
  async run(cmd: string, args: readonly string[] = [], opts: SimRunOptions = {}): Promise<SimRunResult> {
    this.assertAlive();
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const started = performance.now();
    // env -i inside the sim: test runners inject variables into every child (tap adds
    // NODE_OPTIONS=--import=... even with extendEnv: false); rc(8) gives scripts none of them.
    const env = Object.entries({ ...RC_ENV, ...opts.env }).map(([k, v]) => `${k}=${v}`);
    const sub = execa('nsenter', ['-t', String(this.pid), '-m', '-p', `--wd=${opts.cwd ?? '/'}`, '/usr/bin/env', '-i', ...env, cmd, ...args], {
      extendEnv: false,
      env: { PATH: RC_ENV.PATH! },
      reject: false,
      stripFinalNewline: false,
      ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    });
    // execa's own timeout only kills nsenter: the command inside the sim and anything that
    // inherited its stdout would keep the pipes open.  So on expiry kill nsenter's whole
    // process tree and stop reading the pipes.
    const exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    sub.once('exit', (code, signal) => { exit.code = code; exit.signal = signal; });
    let stdout = '';
    let stderr = '';
    sub.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    sub.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (sub.pid !== undefined) for (const p of [...descendants(sub.pid), sub.pid]) {
        try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
      sub.stdout?.destroy();
      sub.stderr?.destroy();
    }, timeoutMs);
    await sub;
    clearTimeout(timer);
    const ms = Math.round(performance.now() - started);
    const bySignal = exit.signal ? 128 + (os.constants.signals[exit.signal] ?? 0) : 1;
    const exited = exit.code !== null || exit.signal !== null;
    // Exited on its own before the timer fired (our kill is SIGKILL): only the pipes were held.
    const heldOpen = timedOut && exited && exit.signal !== 'SIGKILL';
    let code: number;
    if (timedOut && !heldOpen) code = 124;
    else code = exit.code ?? bySignal;
    return {
      code, ms, timedOut, heldOpen, stdout, stderr,
      ...(exit.signal && !(timedOut && !heldOpen) ? { signal: exit.signal } : {}),
    };
  }

  /** Runs a /bin/sh script inside the sim (`sh -c script`), like run(). */
  sh(script: string, opts: SimRunOptions = {}): Promise<SimRunResult> {
    return this.run('/bin/sh', ['-c', script], opts);
  }

  /**
   * Host-side path of `p` inside the sim (through /proc/<pid>/root), resolving symlinks inside
   * the sim so an absolute link never leads to the real host's file.
   */
  path(p: string): string {
    this.assertAlive();
    if (!p.startsWith('/')) throw new Error(`sim-host: path must be absolute: ${p}`);
    const root = `/proc/${this.pid}/root`;
    const todo = p.split('/').filter(Boolean);
    const done: string[] = [];
    let hops = 0;
    while (todo.length) {
      const part = todo.shift()!;
      if (part === '.') continue;
      if (part === '..') { done.pop(); continue; }
      const host = `${root}/${[...done, part].join('/')}`;
      const target = readLinkOrNull(host);
      if (target === null) { done.push(part); continue; }
      if (++hops > 40) throw new Error(`sim-host: too many symlinks in ${p}`);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
    }
    return `${root}/${done.join('/')}`;
  }

  /** Writes a file inside the sim (parents created, root-owned), mode default 0644. */
  async writeFile(p: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    const dir = path.posix.dirname(p);
    await fsp.mkdir(this.path(dir), { recursive: true });
    const host = this.path(p);
    await fsp.writeFile(host, content, { mode });
    await fsp.chmod(host, mode);
  }

  /** Appends to a file inside the sim (created 0644 when missing). */
  async appendFile(p: string, content: string): Promise<void> {
    await fsp.mkdir(this.path(path.posix.dirname(p)), { recursive: true });
    await fsp.appendFile(this.path(p), content);
  }

  /** Reads a file inside the sim as UTF-8. */
  readFile(p: string): Promise<string> {
    return fsp.readFile(this.path(p), 'utf8');
  }

  /** True when p exists inside the sim. */
  async exists(p: string): Promise<boolean> {
    try { await fsp.access(this.path(p), fsc.F_OK); return true; } catch { return false; }
  }

  /** Copies a host file into the sim at destPathInSim with the given mode (default 0755). */
  async installFile(src: string, destPathInSim: string, mode = 0o755): Promise<void> {
    await this.writeFile(destPathInSim, await fsp.readFile(src), mode);
  }

  /** Installs an rc.d script as /usr/local/etc/rc.d/<name> (or /etc/rc.d with base: true), 0755. */
  async installRcScript(name: string, content: string, opts: { base?: boolean } = {}): Promise<string> {
    const p = `${opts.base ? '/etc/rc.d' : '/usr/local/etc/rc.d'}/${name}`;
    await this.writeFile(p, content, 0o755);
    return p;
  }

  /** The syslog the logger shim writes ("tag: message" lines); "" when nothing was logged. */
  async syslog(): Promise<string> {
    try { return await this.readFile('/var/log/messages'); } catch { return ''; }
  }

  /** Pids (sim numbering) of live, non-zombie processes whose command line matches re. */
  async pids(re: RegExp): Promise<number[]> {
    const r = await this.run('/bin/ps', ['-ax', '-o', 'pid=', '-o', 'command=']);
    return r.stdout.split('\n').map((l) => /^\s*(\d+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m)
      .filter((m) => re.test(m[2]!) && !m[2]!.startsWith('/bin/ps ')).map((m) => Number(m[1]));
  }

  /** Kills every process of the sim (PID 1 of its pid namespace) and removes the temp dir. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const exited = new Promise<void>((resolve) => {
      if (this.holder.exitCode !== null || this.holder.signalCode !== null) resolve();
      else this.holder.once('exit', () => resolve());
    });
    try { process.kill(this.pid, 'SIGKILL'); } catch { /* already gone */ }
    // The bound must not keep the test process alive once the holder is gone.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
    await rm(this.tempDir, { recursive: true, force: true });
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error('sim-host: used after destroy()');
  }
}

/** Host pids of every descendant of pid (children first found via /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tids: string[] = [];
    try { tids = readdirSync(`/proc/${p}/task`); } catch { return; }
    for (const tid of tids) {
      let kids = '';
      try { kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8'); } catch { continue; }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) { out.push(k); walk(k); }
    }
  };
  walk(pid);
  return out;
}

/** The target of symlink p, or null when p is not a symlink (or does not exist). */
function readLinkOrNull(p: string): string | null {
  try { return readlinkSync(p); } catch { return null; }
}
