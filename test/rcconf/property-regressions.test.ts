// Every counterexample the property suite (property.ts) or `npm run fuzz` found, shrunk, checked
// with the same properties. Add new ones at the end with what was wrong.
import t from 'tap';
import { checkOne, type Op } from './property.ts';

const CASES: { why: string; file: string; op: Op }[] = [
  // ECRLF on an append named the file but no line (fixed: the first CRLF line).
  { why: 'CRLF refusal on append names a line', file: "sshd_enable=''\r\n", op: { op: 'add', name: 'kb_a', item: '0' } },
  // The property itself: hostname="$kb_a x" follows kb_a; variables that expand others are exempt.
  { why: 'a variable built from the edited one may change', file: 'kb_a=\'\'; kb_a=\nhostname="$kb_a x"\r', op: { op: 'add', name: 'kb_a', item: '@' } },
  // The property again: the if block's condition reads kb_b, so unsetting kb_b changes kb_a; exempt.
  { why: 'a variable an if block sets may change', file: 'kb_a=\\ ; kb_b="$kb_a x"\nif [ -n "$kb_b" ]; then\n\tkb_a=" \\\n/"\nfi', op: { op: 'unset', name: 'kb_b' } },
  // The oracle split sh's output on \x01\0, which a value of \x01 ends with; the separator is now `=KB=`.
  { why: 'a value of byte 0x01', file: '', op: { op: 'set', name: 'kb_a', value: '\x01' } },
  // `NAME=\` then an empty line: the value word ended with the continuation, so a set swallowed
  // the next line's newline (line 2 vanished) and unset refused. Fixed: the continuation is not
  // part of the value (parse.ts asAssignment). Mutation: drop the trim -> both fail.
  { why: 'set after a trailing continuation keeps the next line', file: 'sshd_enable=\\\n\nkb_a=" \\\n" #', op: { op: 'set', name: 'sshd_enable', value: '\x01' } },
  { why: 'unset of a value ending in a continuation', file: 'sshd_enable=\\\n\nkb_a=1', op: { op: 'unset', name: 'sshd_enable' } },
  // The file ends in a continuation: the appended line joined `kb_a=`'s word, EVERIFY refused
  // (sysrc would corrupt both). Fixed: an empty line goes between. Mutation: drop it -> EVERIFY.
  { why: 'append after a final continuation', file: 'kb_a=\\\n', op: { op: 'set', name: 'kb_b', value: 'YES' } },
  // The property's line check took an earlier identical line for the one given a final newline.
  { why: 'two identical lines, no final newline', file: '. /dev/null\n. /dev/null', op: { op: 'unset', name: 'kb_a' } },
  // `kb_b=\` then a line holding only CR: the value is "\r"; += built "\r web" and shQuote threw
  // UnquotableError (no file, no line). Fixed: refused as EUNSAFE with file:line.
  { why: '+= on a value holding a CR', file: 'kb_b=\\\n\r', op: { op: 'add', name: 'kb_b', item: 'web' } },
  // The property: kb_b's new value makes the if block run and set kb_a; exempt like a changed one.
  { why: 'a variable an if block sets may appear', file: 'kb_b=\nif [ -n "$kb_b" ]; then\n\tkb_a=" \\\n"\nfi', op: { op: 'add', name: 'kb_b', item: '\x01' } },
];

for (const c of CASES) {
  t.test(`${c.why}: ${JSON.stringify(c.file)} ${JSON.stringify(c.op)}`, async (t) => {
    await checkOne(c.file, c.op);
    t.pass('holds');
  });
}
