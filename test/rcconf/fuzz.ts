// `npm run fuzz -- [--runs N] [--seed S]`: the property suite of property.ts, longer and with a
// new seed each time (printed, so that a failure can be replayed with --seed). Exit 1 on a
// counterexample, printed shrunk: add it to property-regressions.test.ts.
// `npm run fuzz -- --case '["FILE",{"op":"set","name":"kb_a","value":"x"}]'` checks one case and
// prints which property fails.
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { checkOne, property } from './property.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' }, case: { type: 'string' } } });
if (values.case !== undefined) {
  const [file, op] = JSON.parse(values.case) as Parameters<typeof checkOne>;
  try {
    await checkOne(file, op);
    process.stdout.write('fuzz: the case holds\n');
  } catch (e) {
    process.stdout.write(`fuzz: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.exit(0);
}
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const numRuns = Number(values.runs);
process.stdout.write(`fuzz: ${numRuns} cases, seed ${seed}\n`);
const out = await fc.check(property(), { seed, numRuns });
if (out.failed) {
  process.stdout.write(`${fc.defaultReportMessage(out)}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`fuzz: ${out.numRuns} cases hold\n`);
}
