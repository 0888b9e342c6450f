// `kleene-boot rc lint [--json]`: check what rc(8) would read for kleened and kleene_containers.
import type { CommandModule } from 'yargs';
import { lintRc, formatLint } from '../../rcconf/lint.ts';

interface LintArgs {
  root: string;
  json?: boolean;
}

export const rcLintCommand: CommandModule<object, LintArgs> = {
  command: 'lint',
  describe: 'Find misspelled variables, bad values, unknown or colliding containers and dependency cycles; exit 1 on errors',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'Print JSON' }) as never,
  handler: async (argv) => {
    const r = await lintRc({ root: argv.root });
    process.stdout.write(argv.json ? JSON.stringify(r, null, 2) + '\n' : formatLint(r));
    process.exitCode = r.errors > 0 ? 1 : 0;
  },
};
