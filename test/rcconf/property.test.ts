// The fast-check property suite of the rc.conf editor and `rc get -f` (properties and generators:
// ./property.ts), with a fixed seed so every run checks the same 60 cases (each spawns sh once
// or twice and fsyncs a write: 150 cases were a minute of a loaded run). Longer runs, with a new
// seed: `npm run fuzz -- --runs N [--seed S]` (2000 by default); KB_PROPERTY_RUNS=N here.
// Every failure found becomes a case in property-regressions.test.ts with its shrunk input.
// Mutation tried: rcQuote writing "…" for a value holding $ -> fails after 20 cases, shrunk to
// `kb_a+='$x'` on an empty file (sh expands $x); it still does with 60 cases.
import t from 'tap';
import fc from 'fast-check';
import { property } from './property.ts';

export const SEED = 20261130;
const RUNS = Number(process.env.KB_PROPERTY_RUNS ?? 60);

t.test(`rc.conf edits and rc get -f agree with /bin/sh (seed ${SEED}, ${RUNS} cases)`, async (t) => {
  const out = await fc.check(property(), { seed: SEED, numRuns: RUNS, endOnFailure: false });
  t.notOk(out.failed, out.failed ? fc.defaultReportMessage(out) ?? 'failed' : 'all cases hold');
});
