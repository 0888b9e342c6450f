// kleene-boot.8: lints clean with mandoc, documents every rc.conf variable and every command.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KNOBS } from '../../src/model/knobs.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { stagingRoot } from './tree.ts';

const PAGE = fileURLToPath(new URL('../../kleene-boot.8', import.meta.url));
const hasMandoc = spawnSync('mandoc', ['-V']).error === undefined;

// The FreeBSD manuals the page cross-references. Debian has none of them, so mandoc's
// "referenced manual not found" (a STYLE message) fires for exactly these on Linux.
const FREEBSD_ONLY = ['rc 8', 'rc.conf 5', 'rcorder 8', 'sysrc 8', 'rc.subr 8', 'jls 8', 'zfs 8', 'jexec 8', 'jail 8', 'service 8', 'node 1', 'env 1', 'logger 1', 'daemon 8',
  'periodic 8', 'periodic.conf 5', 'pkg 8', 'pkg-triggers 5'];

t.test('mandoc -T lint reports nothing', { skip: hasMandoc ? false : 'mandoc is not installed (Debian package mandoc)' }, async (t) => {
  // mandoc also accepts a cross-reference NAME.SECTION present in the current directory; empty
  // stand-ins for the FreeBSD manuals make it check everything else as on a FreeBSD host.
  const dir = await stagingRoot('kb-man-');
  for (const x of FREEBSD_ONLY) await fsp.writeFile(join(dir, x.replace(' ', '.')), '');
  const r = spawnSync('mandoc', ['-T', 'lint', PAGE], { cwd: dir, encoding: 'utf8' });
  t.equal(r.stdout, '', 'no lint message');
  t.equal(r.status, 0);
  // Without the stand-ins, only the missing FreeBSD manuals may be reported.
  const plain = spawnSync('mandoc', ['-T', 'lint', PAGE], { encoding: 'utf8' });
  for (const line of plain.stdout.split('\n').filter(Boolean)) {
    const m = /STYLE: referenced manual not found: Xr (\S+ \d)/.exec(line);
    t.ok(m && FREEBSD_ONLY.includes(m[1]!), `only a FreeBSD manual is missing: ${line}`);
  }
});

const rendered = (): string => {
  // Plain text as man(1) shows it, without overstrike.
  const out = execFileSync('mandoc', ['-T', 'ascii', PAGE], { encoding: 'utf8' });
  return out.replace(/.\x08/g, '');
};

t.test('documents every rc.conf variable of the KNOBS table', { skip: hasMandoc ? false : 'mandoc is not installed' }, async (t) => {
  const text = rendered();
  for (const k of KNOBS) t.ok(text.includes(k.name), `${k.name} is in the man page`);
});

t.test('documents every command of the CLI', { skip: hasMandoc ? false : 'mandoc is not installed' }, async (t) => {
  const text = rendered();
  for (const c of commands) {
    const name = String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!;
    t.match(text, new RegExp(`kleene-boot ${name}\\b`), `${name} is in the SYNOPSIS`);
  }
});

t.test('has the sections a FreeBSD manual page needs', async (t) => {
  const src = await fsp.readFile(PAGE, 'utf8');
  for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'FILES', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']) t.match(src, new RegExp(`^\\.Sh ${s}$`, 'm'), s);
  for (const x of ['rc.conf 5', 'rc.subr 8', 'sysrc 8', 'service 8']) t.match(src, `.Xr ${x}`, `SEE ALSO ${x}`);
});
