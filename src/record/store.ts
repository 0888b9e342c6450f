// Where records live and how they are written and read: one file per run under
// /var/db/kleene-boot/ (under --root for a staged host), `<command>-<time>.json`, mode 0600 in a
// 0700 directory (a record names every container and why it failed: root's business only),
// written atomically (temp file, fsync, rename), keeping the newest KEEP_RUNS of each command.
import { constants, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import { underRoot } from '../fs/root.ts';
import { KleeneBootError } from '../errors.ts';
import { recordText } from './build.ts';
import { checkRecord, RecordFormatError, type RecordCommand, type RunRecord } from './schema.ts';

/** The records' directory on a host. */
export const RECORD_DIR = '/var/db/kleene-boot';
/** Runs of each command kept (the newest). */
export const KEEP_RUNS = 5;

/** The records' directory under a staging root ('/' for the host itself). */
export function recordDir(root = '/'): string {
  return underRoot(root, RECORD_DIR);
}

/** File name of a run's record: sorts by time, so the newest is the last. */
export function recordFileName(command: RecordCommand, startedAt: string): string {
  return `${command}-${startedAt.replace(/:/g, '')}.json`;
}

// `_N` (after `.` in byte order) keeps a same-millisecond second run sorting after the first.
const NAME = /^(restore|stop)-\d{4}-\d\d-\d\dT\d{6}(?:\.\d+)?Z(?:_\d+)?\.json$/;

/** Record files of `command` in `dir`, oldest first (an empty list when the directory is missing). */
export async function listRecords(dir: string, command: RecordCommand): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => NAME.exec(n)?.[1] === command).sort();
}

/**
 * Writes the record atomically and removes the oldest of its command beyond KEEP_RUNS.
 * Creates the directory (0700). Resolves to the file written; rejects on any failure (the
 * caller says so once and goes on: a run never fails for its record).
 */
export async function writeRecord(dir: string, rec: RunRecord): Promise<string> {
  // Parents as the system makes them (on FreeBSD /var/db exists); the records' own directory 0700.
  await fsp.mkdir(dirname(dir), { recursive: true });
  try {
    await fsp.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let file = join(dir, recordFileName(rec.run.command, rec.run.startedAt));
  // Two runs in one millisecond: the second gets a suffix rather than replacing the first.
  for (let k = 1; await exists(file); k++) file = join(dir, recordFileName(rec.run.command, rec.run.startedAt).replace(/\.json$/, `_${k}.json`));
  await writeFileAtomic(file, recordText(rec), { mode: 0o600, keepOwner: false });
  const all = await listRecords(dir, rec.run.command);
  for (const old of all.slice(0, Math.max(0, all.length - KEEP_RUNS))) await fsp.rm(join(dir, old), { force: true });
  return file;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** A record and the file it came from. */
export interface LoadedRecord {
  file: string;
  record: RunRecord;
}

/**
 * Reads the newest record of `command` in `dir`. Every failure is a KleeneBootError naming the
 * file and saying what to do: no record yet, a truncated file (the run was cut short while
 * writing, or the disk filled), a record of an older or newer kleene-boot, a field that is wrong.
 */
export async function readLatestRecord(dir: string, command: RecordCommand): Promise<LoadedRecord> {
  let files: string[];
  try {
    files = await listRecords(dir, command);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KleeneBootError('record-unreadable', `cannot read the records: ${(e as Error).message}`, { file: dir },
      code === 'EACCES' ? 'records are readable by root only: run as root' : undefined);
  }
  const newest = files.at(-1);
  if (newest === undefined) {
    throw new KleeneBootError('no-record', `no record of a ${command} run`, { file: dir },
      `kleene-boot writes one at every ${command} (${command === 'restore' ? 'boot, service kleene_containers start' : 'shutdown, service kleene_containers stop'}, kleene-boot ${command}); run one first`);
  }
  return { file: join(dir, newest), record: await readRecordFile(join(dir, newest), files.slice(0, -1).reverse().map((f) => join(dir, f))) };
}

/** Reads one record file; `older` are other records to mention when this one cannot be read. */
export async function readRecordFile(file: string, older: string[] = []): Promise<RunRecord> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KleeneBootError('no-record', 'no such record', { file }, 'give a record file written by kleene-boot restore or stop');
    throw new KleeneBootError('record-unreadable', `cannot read the record: ${(e as Error).message}`, { file }, code === 'EACCES' ? 'records are readable by root only: run as root' : undefined);
  }
  const others = older.length ? ` (older records: ${older.slice(0, 3).join(', ')})` : '';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const what = text.trim() === '' ? 'the record is empty' : `the record is truncated or not JSON (${(e as Error).message})`;
    throw new KleeneBootError('record-truncated', what, { file },
      `the run that wrote it was cut short or the disk was full; the next run writes a new one${others}`);
  }
  try {
    return checkRecord(doc);
  } catch (e) {
    if (!(e instanceof RecordFormatError)) throw e;
    const hint = e.kind === 'older' || e.kind === 'newer'
      ? `run ${e.kind === 'older' ? 'a restore or stop with this kleene-boot to write a record it reads' : 'the kleene-boot that wrote it, or a new run with this one'}${others}`
      : `records are written by kleene-boot restore and stop only${others}`;
    throw new KleeneBootError(`record-${e.kind}`, e.message, { file }, hint);
  }
}
