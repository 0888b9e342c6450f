import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shQuote, UnquotableError } from '../../src/shell/quote.ts';

const dir = mkdtempSync(join(tmpdir(), 'kb-quote-'));
const canary = join(dir, 'pwned');

// Every value must come back from dash byte for byte, and nothing in it may run.
const hostile = [
  'plain',
  '',
  'with space',
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  "it's",
  "''",
  `"double" quotes`,
  'back\\slash\\',
  'semi; touch ' + canary,
  '${HOME}',
  '*',
  '-n',
  "'\\''",
  'tab\there',
  'ünïcödé',
];

for (const value of hostile) {
  t.test(`dash reads back ${JSON.stringify(value)} unchanged`, async (t) => {
    const out = execFileSync('dash', ['-c', `printf '%s' ${shQuote(value)}`]).toString();
    t.equal(out, value);
    t.notOk(existsSync(canary), 'nothing executed');
  });
}

t.test('a NUL or a line break cannot be quoted', async (t) => {
  t.throws(() => shQuote('a\0b'), UnquotableError);
  t.throws(() => shQuote('a\nb'), UnquotableError);
  t.throws(() => shQuote('a\rb'), UnquotableError);
});

t.test('numbers are quoted like strings', async (t) => {
  t.equal(shQuote(30), "'30'");
});
