// Process entry of dist/cli.js. The CLI ships as ONE file (install copies dist/cli.js alone), but
// a command should not pay for the others: compiling the whole 700 KB bundle cost `rc get` more
// than node's own start. So scripts/build.mjs bundles the CLI several times, each part holding
// only some commands' code (`rc` alone, `generate` alone, and all of them), and stores each part
// in dist/cli.js as a string: V8 scans a string literal far faster than it pre-parses the same
// code. This entry picks the part for argv's command and compiles only that one.
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
import { wantedCommand } from './commands/index.ts';

/** The parts scripts/build.mjs builds, by command; every other command (and none) runs `all`. */
export const PART_OF: Readonly<Record<string, string>> = { rc: 'rc', generate: 'generate' };

/** Which part runs `argv`: the part of the command it names, else `all`. */
export function partFor(argv: readonly string[]): string {
  const c = wantedCommand(argv);
  return (c !== undefined && PART_OF[c]) || 'all';
}

declare const __kleene_boot_parts: Record<string, string> | undefined;
declare const __kleene_boot_filename: string;

if (typeof __kleene_boot_parts !== 'undefined') {
  const src = brotliDecompressSync(Buffer.from(__kleene_boot_parts[partFor(process.argv.slice(2))]!, 'base64')).toString();
  const file = __kleene_boot_filename;
  const run = compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const mod = { exports: {} };
  run(mod.exports, createRequire(file), mod, file, file.replace(/\/[^/]*$/, ''));
}
