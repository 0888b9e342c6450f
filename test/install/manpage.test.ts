// kleene-boot.8: lints clean with mandoc, documents every rc.conf variable and every command.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KNOBS } from '../../src/model/knobs.ts';
import yargs, { type CommandModule } from 'yargs';
import { commandName, commands } from '../../src/cli/commands/index.ts';
import { rcSubcommands } from '../../src/cli/commands/rc.ts';
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

/** `kleene-boot CMD` and the options it declares (yargs: long name and aliases), from the command modules themselves. */
async function declaredCommands(): Promise<Array<{ path: string; options: string[][] }>> {
  const out: Array<{ path: string; options: string[][] }> = [];
  const read = (path: string, m: CommandModule) => {
    const positionals = [...String(m.command).matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((x) => x[1]!);
    const y = yargs([]);
    const built = ((m.builder as (y: unknown) => unknown)(y) ?? y) as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]>; hiddenOptions: string[] } };
    const o = built.getOptions();
    const aliases = new Set(Object.values(o.alias).flat());
    const options = Object.keys(o.key)
      .filter((k) => !['help', 'version'].includes(k) && !positionals.includes(k) && !aliases.has(k) && !o.hiddenOptions.includes(k))
      .map((k) => [k, ...(o.alias[k] ?? [])]);
    out.push({ path, options });
  };
  for (const e of commands) {
    if (commandName(e) === 'rc') {
      for (const sub of rcSubcommands) read(`rc ${String(sub.command).split(' ')[0]}`, sub as CommandModule);
      continue;
    }
    read(commandName(e), (await e.load()) as CommandModule);
  }
  return out;
}

/** SYNOPSIS blocks of the page source: the command (`rc set`) → the block's source. */
async function synopsisBlocks(): Promise<Map<string, string>> {
  const src = await fsp.readFile(PAGE, 'utf8');
  const syn = src.slice(src.indexOf('.Sh SYNOPSIS'), src.indexOf('.Sh DESCRIPTION'));
  const blocks = new Map<string, string>();
  for (const b of syn.split(/^\.Nm\n/m).slice(1)) {
    const m = /^\.Cm ([\w -]+?)\s*$/m.exec(b);
    if (m) blocks.set(m[1]!, (blocks.get(m[1]!) ?? '') + b);
  }
  return blocks;
}

/** True when the mdoc source names option `o` (long: `Fl -name`, one letter: `Fl x` or in a cluster `Fl nF`). */
const namesOption = (block: string, o: string): boolean =>
  o.length === 1 ? new RegExp(`Fl [A-Za-z]*${o}[A-Za-z]*\\b`).test(block) : new RegExp(`Fl -${o}\\b`).test(block);

// Derived from the yargs definitions, never a hand list: a new command or option fails here until
// the page's SYNOPSIS shows it. Mutation tried: removing `.Op Fl -strict` from plan's synopsis.
t.test('the SYNOPSIS shows every command and every option the CLI declares', async (t) => {
  const blocks = await synopsisBlocks();
  for (const c of await declaredCommands()) {
    const block = blocks.get(c.path);
    t.ok(block !== undefined, `kleene-boot ${c.path} has a SYNOPSIS entry`);
    for (const names of c.options) {
      t.ok(block !== undefined && names.some((n) => namesOption(block, n)), `kleene-boot ${c.path}: --${names.join('/-')} is in its SYNOPSIS`);
    }
  }
  const src = await fsp.readFile(PAGE, 'utf8');
  t.match(src, /Fl R Ar dir/, 'the global -R dir is documented');
});

// The rc.d scripts' own commands (rc.subr's extra_commands) and every knob a template sets a
// default for are documented too.
t.test("documents the rc.d scripts' extra commands and every knob of the templates", { skip: hasMandoc ? false : 'mandoc is not installed' }, async (t) => {
  const text = rendered().replace(/\s+/g, ' ');
  const tdir = fileURLToPath(new URL('../../templates/', import.meta.url));
  for (const script of ['kleened', 'kleene_containers']) {
    const tpl = await fsp.readFile(join(tdir, `${script}.hbs`), 'utf8');
    const extra = /^extra_commands="([^"]*)"/m.exec(tpl)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    t.ok(extra.length > 0 || script === 'kleened', `${script}: extra_commands read`);
    for (const cmd of extra) t.ok(text.includes(`service ${script} ${cmd}`), `service ${script} ${cmd} is in the man page`);
    const knobs = new Set([...tpl.matchAll(/\{\{default "([a-z_]+)"/g), ...tpl.matchAll(/^: \$\{([a-z_]+):?=/gm)].map((m) => m[1]!));
    t.ok(knobs.size > 3, `${script}: its knobs were found (${[...knobs].join(' ')})`);
    for (const k of knobs) t.ok(text.includes(k), `${k} (set in ${script}.hbs) is in the man page`);
  }
});
