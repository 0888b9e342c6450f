import t from 'tap';
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRc, serializeRc } from '../../src/rcconf/parse.ts';
import { FIXTURES, fixture, shVars } from './helpers.ts';

const corpus = readdirSync(FIXTURES).filter((f) => f.endsWith('.conf')).sort();

t.test('the corpus has at least 12 real-world-shaped files', async (t) => {
  t.ok(corpus.length >= 12, `${corpus.length} files`);
});

t.test('parse then serialize is byte-identical for every corpus file', async (t) => {
  for (const f of [...corpus, ...readdirSync(join(FIXTURES, 'lint')).map((x) => `lint/${x}`)]) {
    const text = fixture(f);
    const doc = parseRc(text);
    t.equal(serializeRc(doc), text, f);
    t.equal(doc.lines.map((l) => l.text).join(''), text, `${f}: lines`);
  }
});

t.test('literal values the parser reads equal what sh assigns, for every corpus file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-parse-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of corpus) {
    const doc = parseRc(fixture(f));
    const path = join(dir, f);
    writeFileSync(path, fixture(f));
    const sh = await shVars(path);
    const last = new Map<string, (typeof doc.assignments)[number]>();
    for (const a of doc.assignments) if (!a.commandPrefix) last.set(a.name, a);
    let compared = 0;
    for (const [name, a] of last) {
      // Only values the parser claims to know, set unconditionally.
      if (a.value === undefined || doc.assignments.some((b) => b.name === name && b.construct)) continue;
      t.equal(a.value, sh.get(name), `${f}:${a.line} ${name}`);
      compared++;
    }
    t.ok(compared > 0 || /^(05|11)/.test(f), `${f}: compared ${compared} values`);
  }
});

t.test('finds the value byte range, keeping a trailing comment outside it', async (t) => {
  const text = 'kleened_enable="NO" # off for now\n';
  const a = parseRc(text).assignments[0]!;
  t.equal(text.slice(a.valueStart, a.valueEnd), '"NO"');
  t.equal(a.value, 'NO');
  t.equal(a.line, 1);
});

t.test('marks values that need expansion as not literal', async (t) => {
  const doc = parseRc(fixture('03-quotes.conf'));
  const v = (n: string) => doc.assignments.find((a) => a.name === n)!;
  for (const n of ['n_expansion', 'o_command_subst', 'p_backquote', 'q_param_default', 'r_tilde']) t.equal(v(n).value, undefined, n);
  t.equal(v('m_dollar_in_single').value, '$HOME `id`');
  t.equal(v('u_dollar_literal').value, 'cost: 5$');
});

t.test('reads assignments after export/readonly, in ; lists, and tells command prefixes apart', async (t) => {
  const doc = parseRc(fixture('10-export-and-semicolons.conf'));
  const a = (n: string) => doc.assignments.find((x) => x.name === n)!;
  t.ok(a('kleened_socket').exported);
  t.equal(a('kleened_ready_timeout').value, '20');
  t.equal(a('kleened_ready_timeout').line, 4);
  t.equal(a('kleene_containers_background').value, 'NO');
  t.ok(a('FOO').commandPrefix, 'FOO=bar cmd only sets cmd\'s environment');
  t.notOk(a('x').construct, 'the first command of && runs always');
  t.equal(a('y').construct?.kind, 'and-or');
});

t.test('reports if/case blocks, functions, loops and here-documents, and what is inside them', async (t) => {
  const d5 = parseRc(fixture('05-if-blocks.conf'));
  t.same(d5.constructs.map((c) => [c.kind, c.line, c.endLine]), [['if', 3, 8], ['if', 10, 12], ['case', 14, 21]]);
  t.same(d5.assignments.filter((a) => a.construct).map((a) => `${a.line}:${a.name}`),
    ['4:powerd_enable', '5:kleene_containers_jobs', '7:kleene_containers_jobs', '16:kleene_containers_list', '19:kleene_containers_list']);
  t.notOk(d5.assignments.find((a) => a.name === 'sshd_enable')!.construct);
  const d11 = parseRc(fixture('11-functions-heredoc.conf'));
  t.same(d11.constructs.map((c) => c.kind), ['function', 'heredoc', 'subshell', 'brace', 'for', 'while']);
  t.notOk(d11.assignments.some((a) => a.name === 'kleene_containers_list'), 'here-document text is not an assignment');
  const top = d11.assignments.filter((a) => a.name === 'kleened_enable' && !a.construct);
  t.same(top.map((a) => a.line), [10]);
});

t.test('reads continued values over several lines', async (t) => {
  const doc = parseRc(fixture('04-continuations.conf'));
  const a = doc.assignments.find((x) => x.name === 'kleene_containers_list')!;
  t.equal(a.line, 2);
  t.equal(a.endLine, 4);
  t.equal(a.value, 'web \tapi \tdb');
});

t.test('reports an unterminated quote and an unclosed block with their lines', async (t) => {
  const doc = parseRc('a=1\nb="open\nc=2\n');
  t.match(doc.problems, [{ line: 2, code: 'unterminated', severity: 'error' }]);
  const d2 = parseRc('if true; then\n x=1\n');
  t.match(d2.problems, [{ line: 1, code: 'unterminated' }]);
});

t.test('notes CRLF line ends and a missing final newline', async (t) => {
  t.ok(parseRc(fixture('07-crlf.conf')).crlf);
  t.notOk(parseRc(fixture('08-no-final-newline.conf')).finalNewline);
  t.equal(parseRc(fixture('07-crlf.conf')).assignments[0]!.value, 'winbox"\r'.replace('"', ''), 'sh reads the CR as part of the value');
});
