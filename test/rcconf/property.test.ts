// The fast-check property suite of the rc.conf editor and `rc get -f` (properties and generators:
// ./property.ts), with a fixed seed so every run checks the same 60 cases (each spawns sh once
// or twice and fsyncs a write: 150 cases were a minute of a loaded run). Longer runs, with a new
// seed: `npm run fuzz -- --runs N [--seed S]` (2000 by default); KB_PROPERTY_RUNS=N here.
// Every failure found becomes a case in property-regressions.test.ts with its shrunk input.
// Mutation tried: rcQuote writing "…" for a value holding $ -> fails after 20 cases, shrunk to
// `kb_a+='$x'` on an empty file (sh expands $x); it still does with 60 cases.
import t from 'tap';
import fc from 'fast-check';
import { property, rcFile, value } from './property.ts';
import { parseRc, replaceValue, type RcDocument } from '../../src/rcconf/parse.ts';
import { rcQuote } from '../../src/shell/quote.ts';
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

/** A document as plain data, lines included: what a fresh parse and a spliced one must share. */
function plainDoc(d: RcDocument): unknown {
  return {
    text: d.text, lines: d.lines, assignments: d.assignments, constructs: d.constructs, commands: d.commands,
    problems: d.problems, crlf: d.crlf, finalNewline: d.finalNewline,
  };
}

t.test('replacing a value in a parse gives the parse of the edited text', async (t) => {
  // rc set splices the edited value into the parse it has (replaceValue) instead of parsing the
  // whole file again. Mutations: not moving later offsets (`moved` returning x) fails at once;
  // replaceValue answering undefined for every edit fails the count below.
  let spliced = 0;
  let tried = 0;
  const anyValue = fc.array(fc.integer({ min: 1, max: 255 }).filter((c) => c !== 10 && c !== 13), { maxLength: 10 })
    .map((a) => String.fromCharCode(...a));
  const out = fc.check(fc.property(rcFile, fc.nat(), anyValue, fc.boolean(), (file, pick, v, single) => {
    const doc = parseRc(file);
    const top = doc.assignments.filter((a) => a.construct === undefined && !a.commandPrefix);
    if (top.length === 0) return true;
    tried++;
    const a = top[pick % top.length]!;
    const word = rcQuote(v, single ? 'single' : 'double');
    const got = replaceValue(doc, a, word);
    if (got === undefined) return true;
    spliced++;
    const text = doc.text.slice(0, a.valueStart) + word + doc.text.slice(a.valueEnd);
    t.same(plainDoc(got), plainDoc(parseRc(text)), JSON.stringify({ file, v, name: a.name, line: a.line }));
    return true;
  }), { seed: SEED, numRuns: 2000 });
  t.notOk(out.failed, out.failed ? fc.defaultReportMessage(out) ?? 'failed' : 'every splice is the fresh parse');
  t.ok(spliced > tried / 3, `most edits are spliced (${spliced} of ${tried})`);
});

t.test('replaceValue leaves to a full parse what a splice cannot know', async (t) => {
  const at = (text: string, name: string) => parseRc(text).assignments.find((a) => a.name === name)!;
  const ok = parseRc('a="1"\nb=2 # c\n');
  const n = replaceValue(ok, ok.assignments[0]!, "'x y'")!;
  t.equal(n.text, "a='x y'\nb=2 # c\n");
  t.equal(n.assignments[1]!.valueStart, 10, 'a later value moves by the difference');
  t.equal(n.assignments[0]!.value, 'x y', "the new value is the edited command's own parse");
  for (const [text, name, why] of [
    ['if true; then\na=1\nfi\n', 'a', 'inside a construct'],
    ['a="1\n2"\n', 'a', 'a value over two lines'],
    ['a=1 &&\nb=2\n', 'a', 'part of an and-or list'],
    ['x=1 export a=2\n', 'a', "a command's args hold it"],
    ['a=1\n"unterminated\n', 'a', 'a document with problems'],
  ] as const) {
    const d = parseRc(text);
    t.equal(replaceValue(d, at(text, name), '"v"'), undefined, why);
  }
  t.equal(replaceValue(ok, ok.assignments[0]!, '"a\nb"'), undefined, 'a word with a line break');
});
