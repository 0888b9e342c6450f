// Process entry of dist/cli.js. The CLI ships as ONE file (install copies dist/cli.js alone), but
// a command should not pay for the others: compiling the whole 700 KB bundle cost `rc get` more
// than node's own start. So scripts/build.mjs bundles the CLI several times, each part holding
// only some commands' code (`rc` alone, `generate` alone, and all of them), and stores each part
// in dist/cli.js as a string: V8 scans a string literal far faster than it pre-parses the same
// code. This entry picks the part for argv's command and compiles only that one.
//
// Compiling the part is still a fifth of a short command. Beside cli.js may lie a V8 code cache
// of each part (`cli-<part>.v8cache`, written at build by `KLEENE_BOOT_WRITE_CODE_CACHE=DIR node cli.js`,
// with the node that builds, which install.sh is the host's), so that V8 deserialises the
// part's bytecode instead of compiling it. V8 itself checks a cache against its version, its
// flags and the source's length only, so each file begins with a line naming the part's
// sha256 (scripts/build.mjs embeds the hashes in cli.js) and the checksum of its data: a cache
// of another build, or a damaged one, is never used, and one V8 rejects (another node after `pkg upgrade`) leaves the part compiled as if
// there were none. A command never writes a cache. KLEENE_BOOT_DEBUG=1 says which it was.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
import { lazyBuiltin } from '../builtin.ts';
import { wantedCommand } from './commands/index.ts';
import { codeCacheName, PARTS } from './parts.ts';

/** The parts scripts/build.mjs builds, by command; every other command (and none) runs `all`. */
export const PART_OF: Readonly<Record<string, string>> = { rc: 'rc', generate: 'generate' };

/** Which part runs `argv`: the part of the command it names, else `all`. */
export function partFor(argv: readonly string[]): string {
  const c = wantedCommand(argv);
  return (c !== undefined && PART_OF[c]) || 'all';
}

/**
 * The variable that makes cli.js write its code caches into the directory it names instead of
 * running a command. Not an option: nothing a sysadmin types, misspells or finds in --help
 * writes files beside an installed cli.js (install's manifest would call them changed).
 */
export const WRITE_CODE_CACHE_ENV = 'KLEENE_BOOT_WRITE_CODE_CACHE';

declare const __kleene_boot_parts: Record<string, string> | undefined;
declare const __kleene_boot_part_ids: Record<string, string>;
declare const __kleene_boot_filename: string;

/**
 * Two 32-bit lanes over the bytes, as hex: V8 does not check a cache's own checksum (a cache
 * damaged on disk crashes node), so the header carries this and a damaged file is never used.
 * Detects damage, not malice: whoever can write libexec/ is root already.
 */
export function checksum(b: Uint8Array): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 | 0;
  const n = b.length & ~3;
  for (let i = 0; i < n; i += 4) {
    const w = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h1 = Math.imul(h1 ^ w, 0x9e3779b1);
    h2 = Math.imul(h2 + w, 0x85ebca77) ^ (h2 >>> 13);
  }
  for (let i = n; i < b.length; i++) h1 = Math.imul(h1 ^ b[i]!, 0x9e3779b1);
  h1 = Math.imul(h1 ^ b.length, 0x9e3779b1);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** A part's cache file: a line naming the part source (sha256) and the data's checksum, then V8's data. */
export function codeCacheFile(sha256: string, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`kleene-boot v8 code cache ${sha256} ${checksum(data)}\n`), data]);
}

/** The V8 data of a cache file when it was made from this source and is whole; undefined for any other file. */
export function cacheFor(file: Buffer | undefined, sha256: string): Buffer | undefined {
  if (file === undefined) return undefined;
  const prefix = `kleene-boot v8 code cache ${sha256} `;
  const end = file.indexOf(10);
  if (end !== prefix.length + 16 || file.toString('latin1', 0, prefix.length) !== prefix) return undefined;
  const data = file.subarray(end + 1);
  return data.length > 0 && checksum(data) === file.toString('latin1', prefix.length, end) ? data : undefined;
}

function readOrNone(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

type PartFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

function unpack(parts: Record<string, string>, part: string): string {
  return brotliDecompressSync(Buffer.from(parts[part]!, 'base64')).toString();
}

/** A part as a script whose value is its module function (the same text when written and read). */
function partScript(parts: Record<string, string>, part: string, filename: string, cachedData?: Buffer): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${unpack(parts, part)}\n})`, { filename, cachedData });
}

/**
 * Writes each part's code cache into `dir`. Compiled eagerly (every function, not only the
 * top level that V8 compiles at first), so that the cache holds the code a command will run.
 */
function writeCodeCaches(parts: Record<string, string>, ids: Record<string, string>, file: string, dir: string): void {
  // node:v8 here only: loading it (and its heap utilities) was part of every command's start.
  const { setFlagsFromString } = lazyBuiltin<typeof import('node:v8')>('node:v8')();
  for (const part of PARTS) {
    const path = `${dir}/${codeCacheName(part)}`;
    // One this node accepts for this very source stays as it is: building twice changes no file
    // (V8's bytes differ from one compile to the next), so install has nothing to do.
    const old = cacheFor(readOrNone(path), ids[part]!);
    if (old !== undefined && !partScript(parts, part, file, old).cachedDataRejected) continue;
    // The cache records V8's flags when it is made: --lazy again before it is (a cache made
    // under --no-lazy is rejected by every normal start).
    setFlagsFromString('--no-lazy');
    let script: Script;
    try {
      script = partScript(parts, part, file);
    } finally {
      setFlagsFromString('--lazy');
    }
    writeFileSync(path, codeCacheFile(ids[part]!, script.createCachedData()));
  }
}

if (typeof __kleene_boot_parts !== 'undefined') {
  const file = __kleene_boot_filename;
  const dir = file.replace(/\/[^/]*$/, '');
  const argv = process.argv.slice(2);
  const cacheDir = process.env[WRITE_CODE_CACHE_ENV];
  if (cacheDir) {
    writeCodeCaches(__kleene_boot_parts, __kleene_boot_part_ids, file, cacheDir);
  } else {
    const part = partFor(argv);
    const found = readOrNone(`${dir}/${codeCacheName(part)}`);
    const cachedData = cacheFor(found, __kleene_boot_part_ids[part]!);
    const script = partScript(__kleene_boot_parts, part, file, cachedData);
    if (process.env.KLEENE_BOOT_DEBUG) {
      const verdict = found === undefined ? 'none' : cachedData === undefined ? 'not for this build, or damaged' : script.cachedDataRejected ? 'rejected by node' : 'used';
      process.stderr.write(`kleene-boot: code cache ${codeCacheName(part)}: ${verdict}\n`);
    }
    const mod = { exports: {} };
    (script.runInThisContext() as PartFunction)(mod.exports, createRequire(file), mod, file, dir);
  }
}
