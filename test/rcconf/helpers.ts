// Shared helpers for the rcconf tests: staged roots in temp dirs, the CLI run in-process with
// its output captured, and sh's own reading of a file (the oracle for values).
import type { Test } from 'tap';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/rcconf/', import.meta.url));

/** A staged root holding `files` (host path → content), removed when the test ends. */
export function makeRoot(t: Test, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kb-rcconf-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [p, text] of Object.entries(files)) writeHost(root, p, text);
  return root;
}

// Files are bytes: content is a byte string (one char per byte, latin1), as in src/rcconf/bytes.ts.
export function writeHost(root: string, hostPath: string, text: string): void {
  mkdirSync(dirname(join(root, hostPath)), { recursive: true });
  writeFileSync(join(root, hostPath), Buffer.from(text, 'latin1'));
}

export function readHost(root: string, hostPath: string): string {
  return readFileSync(join(root, hostPath), 'latin1');
}

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'latin1');
}

/** Runs `kleene-boot ARGS` in this process; returns exit status and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  // Captured as byte strings too: a Buffer's bytes one char each, a string as its UTF-8 bytes.
  const bytes = (s: string | Uint8Array) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s)).toString('latin1');
  process.stdout.write = ((s: string | Uint8Array) => { stdout += bytes(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { stderr += bytes(s); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await runCli(argv);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = 0;
  }
  return { code, stdout, stderr };
}

/** Every variable after sh sources `file` (set -a; . file; env -0): sh's own reading, the oracle. */
export async function shVars(file: string): Promise<Map<string, string>> {
  const r = await execa('/bin/sh', ['-c', 'set -a; . "$1" >/dev/null 2>&1; env -0', 'sh', file], {
    env: { PATH: '/usr/bin:/bin' }, extendEnv: false, input: '', encoding: 'buffer',
  });
  const m = new Map<string, string>();
  for (const tok of Buffer.from(r.stdout).toString('latin1').split('\0')) {
    const eq = tok.indexOf('=');
    if (eq > 0) m.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return m;
}
