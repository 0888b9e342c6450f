// The fast-check property suite of the rc.conf editor and `rc get -f` (properties and generators:
// ./property.ts), with a fixed seed so every run checks the same 60 cases (each spawns sh once
// or twice and fsyncs a write: 150 cases were a minute of a loaded run). Longer runs, with a new
// seed: `npm run fuzz -- --runs N [--seed S]` (2000 by default); KB_PROPERTY_RUNS=N here.
// Every failure found becomes a case in property-regressions.test.ts with its shrunk input.
// Mutation tried: rcQuote writing "…" for a value holding $ -> fails after 20 cases, shrunk to
// `kb_a+='$x'` on an empty file (sh expands $x); it still does with 60 cases.
import t from 'tap';
import fc from 'fast-check';
import { property, value } from './property.ts';
import { parseRc } from '../../src/rcconf/parse.ts';
import { expandWord } from '../../src/rcconf/static-eval.ts';

export const SEED = 20261130;
const RUNS = Number(process.env.KB_PROPERTY_RUNS ?? 60);

t.test(`rc.conf edits and rc get -f agree with /bin/sh (seed ${SEED}, ${RUNS} cases)`, async (t) => {
  const out = await fc.check(property(), { seed: SEED, numRuns: RUNS, endOnFailure: false });
  t.notOk(out.failed, out.failed ? fc.defaultReportMessage(out) ?? 'failed' : 'all cases hold');
});

t.test('a value the parser reads as literal is the value static evaluation would expand it to', async (t) => {
  // rc get reads a literal value from the parse (static-eval.ts's sourceStatic) instead of
  // expanding it again. Mutation: valueOf keeping the backslash of `\\x` outside quotes fails at once.
  const out = fc.check(fc.property(value, (v) => {
    const a = parseRc(`kb_a=${v}\n`).assignments[0];
    if (!a || a.value === undefined) return true;
    const r = expandWord(a.raw, new Map([['kb_b', 'B']]));
    return 'value' in r && r.value === a.value;
  }), { seed: SEED, numRuns: 2000 });
  t.notOk(out.failed, out.failed ? fc.defaultReportMessage(out) ?? 'failed' : '2,000 values agree');
});
