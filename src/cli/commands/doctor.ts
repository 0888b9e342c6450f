// `kleene-boot doctor`: drift and common traps, each with the command that fixes it; exit 1 when
// it found a problem. See src/install/doctor.ts (checks) and doctor-facts.ts (what it reads).
import type { CommandModule } from 'yargs';
import { diagnose, formatFindings } from '../../install/doctor.ts';
import { gatherFacts } from '../../install/doctor-facts.ts';

interface DoctorArgs {
  root: string;
  json?: boolean;
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'Print the findings as JSON' }) as never,
  handler: async (argv) => {
    const facts = await gatherFacts(argv.root);
    const findings = diagnose(facts);
    const problems = findings.filter((f) => f.severity === 'problem').length;
    if (argv.json) process.stdout.write(`${JSON.stringify({ problems, findings }, null, 2)}\n`);
    else process.stdout.write(`${formatFindings(findings)}\n`);
    process.exitCode = problems > 0 ? 1 : 0;
  },
};
