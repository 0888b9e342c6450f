// Comments and docs give the reason, never a ticket number: a reader of the code, the README or
// the man page has no tracker to look it up in.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const top = join(import.meta.dirname, '../..');
const TICKET = /\b(?:issues?|tickets?)\s+#?\d+|\(#\d+\)/i;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

t.test('no ticket numbers in src, templates, bench, scripts, tests, README or man page', async (t) => {
  const files = [
    ...['src', 'templates', 'bench', 'scripts', 'test', 'contrib', 'packaging'].flatMap((d) => filesUnder(join(top, d))),
    join(top, 'README.md'), join(top, 'kleene-boot.8'), join(top, 'install.sh'),
  ].filter((f) => !f.includes(`${join('test', 'fixtures')}`) && !f.endsWith('no-tickets.test.ts') && !f.endsWith('openapi.json'));
  t.ok(files.length > 100, `${files.length} files read`);
  const hits = files.flatMap((f) => readFileSync(f, 'latin1').split('\n')
    .map((line, i) => (TICKET.test(line) ? `${f.slice(top.length + 1)}:${i + 1}: ${line.trim()}` : ''))
    .filter(Boolean));
  t.same(hits, [], 'lines that cite a ticket instead of giving the reason');
});

t.test('the pattern catches the ways a ticket is cited, and not prose', async (t) => {
  for (const s of ['(issue 11)', "issue 13's overhead", 'issues 7 and 13', 'Issue #4', 'see (#12)', 'ticket 4411']) t.match(s, TICKET, s);
  for (const s of ['an issue with 3 containers', 'issues a warning', 'jail #3']) t.notMatch(s, TICKET, s);
});
