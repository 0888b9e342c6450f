// `kleene-boot rc apply [--check] [--diff] [--json] FILE|-`: make rc.conf say exactly what a
// declaration of the host's kleene state says (src/rcconf/apply.ts), through the same editor as
// `rc set`. What the Ansible role (contrib/ansible) calls; never a template over rc.conf.
import type { CommandModule } from 'yargs';
import { promises as fsp } from 'node:fs';
import { ConfigError, OptionError } from '../../errors.ts';
import { checkDeclaration, enableRemovals, planApply, settingNames, type CurrentAssignment } from '../../rcconf/apply.ts';
import { formatChange, quoteForCheck, writeBytes } from '../../rcconf/cli-args.ts';
import { applyEdits, serviceOf, type EditResult } from '../../rcconf/editor.ts';
import { bytesToText, textToBytes } from '../../rcconf/bytes.ts';
import { answeringCheck, WOULD_CHANGE } from '../status.ts';
import { ASSUMED_FILE, DEFAULTS_FILE, evaluateRc, parseSourced } from '../../rcconf/effective.ts';

interface ApplyArgs {
  file: string;
  root: string;
  check?: boolean;
  diff?: boolean;
  json?: boolean;
}


async function readDeclaration(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new OptionError('ENOENT', `cannot read the declaration: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('EJSON', `the declaration is not JSON: ${(e as Error).message}`, { file }, 'see `kleene-boot rc apply --help` for the format');
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Top-level assignments of kleened_* and kleene_containers_* in the files rc(8) reads for each service, in load order. */
async function currentAssignments(root: string): Promise<CurrentAssignment[]> {
  const out: CurrentAssignment[] = [];
  for (const service of ['kleened', 'kleene_containers'] as const) {
    const ev = await evaluateRc(service, { root });
    const docs = await parseSourced(ev, { root });
    for (const [file, doc] of docs) {
      if (file === DEFAULTS_FILE || file.startsWith('/etc/defaults/') || file === ASSUMED_FILE) continue;
      for (const a of doc.assignments) {
        if (a.commandPrefix || serviceOf(a.name) !== service) continue;
        out.push({ file, line: a.line, name: a.name, value: a.construct ? undefined : a.value });
      }
    }
  }
  return out;
}

export const rcApplyCommand: CommandModule<object, ApplyArgs> = {
  command: 'apply <file>',
  describe: 'Make rc.conf say exactly what a JSON declaration of the containers and settings says',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'The declaration (JSON), or - for stdin' })
      .option('check', { type: 'boolean', describe: 'Change nothing; exit 0 when nothing would change, 1 when something would, 2 on trouble (a bad declaration)' })
      .option('diff', { type: 'boolean', describe: 'Print the unified diff of each file (with --json: in "diff")' })
      .option('json', { type: 'boolean', describe: 'Print {changed, check, files, changes, warnings, diff} as JSON' })
      .epilogue([
        'The declaration:',
        '  {"kleened_enable": true, "kleene_containers_enable": true,',
        '   "containers": [{"name": "db", "priority": 10, "ready": "tcp:10.0.0.2:5432"},',
        '                  {"name": "web", "depend": ["db"], "ready": "exec:/usr/local/bin/check"}],',
        '   "settings": {"jobs": 8, "start_timeout": 120}}',
        `settings: ${settingNames().join(', ')}.`,
        'The declaration owns every variable it could set: every kleene_containers_* variable and',
        "kleened's knobs (kleened_enable, the kleened_* settings). One it does not declare is removed,",
        'so its default applies; removing an _enable is always named in the output (a warning).',
        'Nothing is written when the declaration has a problem.',
        'Exit status (as diff(1)): 0 applied, or with --check nothing would change; 1 with --check,',
        'something would change; 2 trouble (a bad declaration, a file that cannot be edited).',
      ].join('\n')) as never,
  handler: async (argv) => {
    // Always diff(1)'s statuses, applying too: 1 means only "--check: would change", so a
    // configuration manager tells a change from a failure by the status alone.
    answeringCheck();
    // yargs-parser hands a lone `-` to a string positional as ''; no file is named '' either.
    const source = argv.file === '' ? '-' : String(argv.file);
    const declared = checkDeclaration(await readDeclaration(source), source);
    // rc.conf is edited as bytes (src/rcconf/bytes.ts): the declaration's text becomes its UTF-8 bytes.
    const desired = { ...declared, vars: new Map([...declared.vars].map(([k, v]) => [k, textToBytes(v)] as const)) };
    const current = await currentAssignments(argv.root);
    const edits = planApply(desired, current);
    const r: EditResult = edits.length === 0
      ? { changes: [], diff: '', changed: false, warnings: [], notes: [], unchanged: [] }
      : await applyEdits(edits, { root: argv.root, dryRun: argv.check });
    const warnings = [...enableRemovals(edits, current), ...desired.warnings, ...r.warnings, ...r.notes];
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({
        changed: r.changed,
        check: argv.check === true,
        files: [...new Set(r.changes.map((c) => c.file))].sort(),
        changes: r.changes.map((c) => ({ file: c.file, name: c.name, before: c.before === undefined ? null : bytesToText(c.before), after: c.after === undefined ? null : bytesToText(c.after) })),
        warnings,
        diff: argv.diff ? bytesToText(r.diff) : null,
      })}\n`);
    } else {
      for (const w of warnings) process.stderr.write(`kleene-boot: warning: ${w}\n`);
      if (argv.diff) writeBytes(process.stdout, r.diff);
      else {
        for (const c of r.changes) {
          writeBytes(process.stdout, argv.check
            ? `${c.name}: would change from ${quoteForCheck(c.before)} to ${quoteForCheck(c.after)} in ${textToBytes(c.file)}\n`
            : `${formatChange(c)}\n`);
        }
      }
    }
    if (argv.check && r.changed) process.exitCode = WOULD_CHANGE;
  },
};
