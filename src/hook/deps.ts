// What the hook needs from the outside world, as one interface: the real adapters by default,
// doubles in tests. Each member makes one call and decides nothing.
import { readFile } from 'node:fs/promises';
import { createKleenedClient } from '../kleened/client.ts';
import type { KleenedApi } from '../kleened/types.ts';
import { waitForApi } from '../kleened/wait-api.ts';
import { execInJail } from '../host/jexec.ts';
import { listJails } from '../host/jls.ts';
import { ToolRunners } from '../host/runner.ts';
import { logLines } from '../host/logger.ts';
import { openLogStream, type LogStream } from '../host/logger-stream.ts';
import type { RunRecord } from '../record/schema.ts';
import { writeRecord } from '../record/store.ts';
import { checkPidfile, type KleenedProcess } from '../host/pidfile.ts';
import { probeTcp } from '../host/tcp.ts';
import { listDatasets } from '../host/zfs.ts';
import { toolEnv } from '../host/run.ts';
import { acquireLock, onTerminate, type AcquireOptions, type LockResult } from './lock.ts';
import type { DatasetInfo } from '../plan/types.ts';

export interface HookDeps {
  /** The API client for kleened at `address` (a unix socket path, or http://HOST:PORT). */
  api(address: string): KleenedApi;
  /** Polls the API until it answers (wait-api, for rc.d/kleened's start and status). */
  waitForApi(address: string, timeoutMs: number): Promise<void>;
  /** Whether the pid in kleened's pidfile runs. */
  kleenedProcess(pidfile: string): KleenedProcess;
  /** Reads a text file (kleened's config.yaml). */
  readText(path: string): Promise<string>;
  listJails(jls: string, opts: { timeoutMs: number }): Promise<string[]>;
  listDatasets(zfs: string, opts: { timeoutMs: number }): Promise<DatasetInfo[]>;
  execInJail(jexec: string, jail: string, command: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<number>;
  probeTcp(host: string, port: number, signal: AbortSignal): Promise<boolean>;
  log(logger: string, tag: string, lines: string[]): Promise<void>;
  /** One logger process taking lines as they come (live progress); without it, lines go through log() at the end. */
  logStream?(logger: string, tag: string): LogStream;
  /** Writes a run's record into `dir` (atomic, 0600, rotated); without it, no record is kept. */
  writeRecord?(dir: string, rec: RunRecord): Promise<string>;
  /** Takes the host-wide lock of restore and stop (lock.ts); without it, runs take no lock. */
  lock?(o: AcquireOptions): Promise<LockResult>;
  /** Routes SIGTERM and SIGINT to `fn` while a run goes (lock.ts); returns the undo. Without it, signals keep their default. */
  onTerminate?(fn: (signal: NodeJS.Signals) => void): () => void;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The real adapters: kleened over its socket, jls/zfs/jexec/logger as child processes, stdout/stderr of this process. */
export function defaultDeps(envSource?: Readonly<Record<string, string | undefined>>): HookDeps {
  // The tools' environment, filtered once: at 500 containers process.env holds 500 `_depend`
  // variables, and filtering it again for each of 200 jls calls cost the restore its CPU.
  let env: NodeJS.ProcessEnv | undefined;
  const tool = <O extends object>(opts: O): O & { env: NodeJS.ProcessEnv } => ({ ...opts, env: (env ??= toolEnv(envSource)) });
  // jls runs once per batch of finished starts: through a resident sh, not a spawn of node each.
  const resident = new ToolRunners();
  return {
    api: createKleenedClient,
    waitForApi: (address, timeoutMs) => waitForApi(address, timeoutMs),
    kleenedProcess: checkPidfile,
    readText: (p) => readFile(p, 'utf8'),
    listJails: async (jls, opts) => (await listJails(jls, { ...tool(opts), resident })).map((j) => j.name),
    listDatasets: (zfs, opts) => listDatasets(zfs, tool(opts)),
    execInJail: (jexec, jail, command, opts) => execInJail(jexec, jail, command, tool(opts)),
    probeTcp,
    log: (logger, tag, lines) => logLines(logger, tag, lines, tool({ timeoutMs: 10_000 })),
    logStream: (logger, tag) => openLogStream(logger, tag, tool({ timeoutMs: 10_000 })),
    writeRecord,
    lock: acquireLock,
    onTerminate,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  };
}
