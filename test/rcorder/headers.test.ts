import t from 'tap';
import { parseHeaders } from '../../src/rcorder/index.ts';

t.test('reads every word of PROVIDE, REQUIRE, BEFORE and KEYWORD lines', async (t) => {
  const h = parseHeaders(
    '#!/bin/sh\n#\n# PROVIDE: kleened\n# REQUIRE: LOGIN\tpf\n# BEFORE: jail\n# KEYWORD: shutdown nojail\n\n. /etc/rc.subr\n',
    'kleened',
  );
  t.same(h.provide, ['kleened']);
  t.same(h.require, ['LOGIN', 'pf']);
  t.same(h.before, ['jail']);
  t.same(h.keyword, ['shutdown', 'nojail']);
  t.same(h.ignored, []);
});

t.test('accepts the plural spellings rcorder also knows', async (t) => {
  const h = parseHeaders('# PROVIDES: a\n# REQUIRES: b\n# KEYWORDS: c\n', 'f');
  t.same([h.provide, h.require, h.keyword], [['a'], ['b'], ['c']]);
});

t.test('collects repeated lines of the same kind', async (t) => {
  const h = parseHeaders('# PROVIDE: NETWORKING NETWORK\n# REQUIRE: netif netwait\n# REQUIRE: resolv bridge\n', 'NETWORKING');
  t.same(h.require, ['netif', 'netwait', 'resolv', 'bridge']);
  t.same(h.provide, ['NETWORKING', 'NETWORK']);
});

t.test('a bare # between header lines ends the header and the rest is ignored', async (t) => {
  const h = parseHeaders('#!/bin/sh\n# PROVIDE: x\n# REQUIRE: LOGIN\n#\n# KEYWORD: shutdown\n', '/etc/rc.d/x');
  t.same(h.provide, ['x']);
  t.same(h.require, ['LOGIN']);
  t.same(h.keyword, [], 'the KEYWORD line after the bare # is not read');
  t.same(h.ignored, [{ file: '/etc/rc.d/x', line: 5, endedAt: 4, text: '# KEYWORD: shutdown' }]);
});

t.test('a blank line also ends the header', async (t) => {
  const h = parseHeaders('# PROVIDE: x\n\n# REQUIRE: y\n', 'x');
  t.same(h.require, []);
  t.equal(h.ignored.length, 1);
});

t.test('lines before the first header line do not start or end it', async (t) => {
  const h = parseHeaders('#!/bin/sh\n# $FreeBSD$\n\nfoo=1\n# PROVIDE: late\n# KEYWORD: shutdown\n', 'f');
  t.same(h.provide, ['late']);
  t.same(h.keyword, ['shutdown']);
});

t.test('only lines starting exactly with "# NAME:" count', async (t) => {
  for (const line of ['#PROVIDE: x', '#  PROVIDE: x', ' # PROVIDE: x', '# provide: x', '# PROVIDE x']) {
    t.same(parseHeaders(`${line}\n`, 'f').provide, [], JSON.stringify(line));
  }
});

t.test('a trailing backslash continues a header line on the next line', async (t) => {
  const h = parseHeaders('# PROVIDE: x\n# REQUIRE: a \\\n b\n# KEYWORD: shutdown\n', 'f');
  t.same(h.require, ['a', 'b']);
  t.same(h.keyword, ['shutdown'], 'the continuation line does not end the header');
});

t.test('a CRLF file keeps the carriage return in the last word, as rcorder sees it', async (t) => {
  const h = parseHeaders('# PROVIDE: x\r\n# KEYWORD: shutdown\r\n', 'f');
  t.same(h.provide, ['x\r']);
  t.same(h.keyword, ['shutdown\r']);
  t.notOk(h.keyword.includes('shutdown'), 'so -k shutdown would not select it');
});

t.test('a file without a header declares nothing', async (t) => {
  t.same(parseHeaders('#!/bin/sh\necho hi\n', 'f'), { provide: [], require: [], before: [], keyword: [], ignored: [] });
  t.same(parseHeaders('', 'f').provide, []);
});

t.test('a header line with no words adds nothing but keeps the header open', async (t) => {
  const h = parseHeaders('# PROVIDE: x\n# BEFORE:\n# KEYWORD: shutdown\n', 'f');
  t.same(h.before, []);
  t.same(h.keyword, ['shutdown']);
});
