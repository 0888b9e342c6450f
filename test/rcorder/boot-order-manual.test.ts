// The boot and shutdown order of the generated scripts checked against rcorder(8)'s rules as the
// manual (and sbin/rcorder/rcorder.c, ../shared/freebsd/FACTS.md) state them, by a reader and a
// checker written here from those rules, not by src/rcorder: the order src/rcorder produces (what
// the boot simulation runs) must satisfy every constraint the manual's rules derive from the
// headers, and src/rcorder must read the headers the way the manual says.
//
// rcorder(8) rules used:
// - header lines are `# PROVIDE:`, `# REQUIRE:`, `# BEFORE:`, `# KEYWORD:` followed by
//   space-separated words; they may repeat; the header starts at the first such line and ends at
//   the first line that is not one (a bare `#` included);
// - a file comes after every file that PROVIDEs something it REQUIREs;
// - `BEFORE: x` puts the file before every file that PROVIDEs x;
// - `-s kw` leaves out files with KEYWORD kw; `-k kw` lists only files with KEYWORD kw;
// - rc.shutdown runs `rcorder -k shutdown` reversed.
//
// Mutation tried: BEFORE ignored by src/rcorder/order.ts (its `for (const b of f.header.before)`
// loop made to run over nothing): "the boot order satisfies every REQUIRE and BEFORE" fails
// (mountlate, devfs, zfs out of place), and so does the checker's own case.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseHeaders, rcorder, type RcFile } from '../../src/rcorder/index.ts';
import { BASE_SCRIPTS_14, headerText } from '../doubles/boot/base-headers.ts';

interface ManualHeader { provide: string[]; require: string[]; before: string[]; keyword: string[] }

/** Reads a header by the manual's rules. */
function readHeader(text: string): ManualHeader {
  const h: ManualHeader = { provide: [], require: [], before: [], keyword: [] };
  let inHeader = false;
  for (const line of text.split('\n')) {
    const m = /^# (PROVIDE|REQUIRE|BEFORE|KEYWORD):(.*)$/.exec(line);
    if (!m) {
      if (inHeader) break;
      continue;
    }
    inHeader = true;
    const key = m[1]!.toLowerCase() as keyof ManualHeader;
    h[key].push(...m[2]!.split(/[ \t]+/).filter(Boolean));
  }
  return h;
}

/** Every violation of the manual's ordering rules in `order` (files by name). */
function violations(headers: Map<string, ManualHeader>, order: string[]): string[] {
  const pos = new Map(order.map((f, i) => [f, i]));
  const providers = (x: string) => [...headers].filter(([f, h]) => pos.has(f) && h.provide.includes(x)).map(([f]) => f);
  const out: string[] = [];
  for (const f of order) {
    const h = headers.get(f)!;
    for (const r of h.require) for (const p of providers(r)) if (p !== f && pos.get(p)! > pos.get(f)!) out.push(`${f} runs before ${p}, which provides ${r} it requires`);
    for (const b of h.before) for (const p of providers(b)) if (p !== f && pos.get(p)! < pos.get(f)!) out.push(`${f} runs after ${p}, though it is BEFORE: ${b}`);
  }
  return out;
}

const repo = new URL('../../', import.meta.url).pathname;
const ours = ['kleened', 'kleene_containers'].map((name) => ({ name, text: readFileSync(`${repo}rc.d/${name}`, 'utf8') }));
const all = [...BASE_SCRIPTS_14.map((b) => ({ name: b.name, text: `#!/bin/sh\n#\n${headerText(b)}\n. /etc/rc.subr\n` })), ...ours];
const manual = new Map(all.map((s) => [s.name, readHeader(s.text)]));
const files: RcFile[] = all.map((s) => ({ file: s.name, header: parseHeaders(s.text, s.name) }));

t.test('src/rcorder reads our headers as the manual says', async (t) => {
  for (const s of ours) {
    const h = parseHeaders(s.text, s.name);
    const m = manual.get(s.name)!;
    t.same({ provide: h.provide, require: h.require, before: h.before, keyword: h.keyword }, m, s.name);
  }
  // written out from the manual's rules, for our two scripts (rc.d/ is what install puts on a host)
  t.same(manual.get('kleened'), { provide: ['kleened'], require: ['LOGIN', 'pf'], before: ['securelevel'], keyword: ['shutdown', 'nojail'] });
  t.same(manual.get('kleene_containers'), { provide: ['kleene_containers'], require: ['kleened'], before: ['securelevel'], keyword: ['shutdown', 'nojail'] });
});

t.test('a bare # ends the header, for src/rcorder as for the manual', async (t) => {
  const text = '#!/bin/sh\n# PROVIDE: a\n#\n# REQUIRE: b\n';
  t.same(readHeader(text).require, [], 'the manual: REQUIRE after the bare # is not read');
  t.same(parseHeaders(text, 'a').require, [], 'src/rcorder agrees');
});

t.test('the boot order satisfies every REQUIRE and BEFORE of the manual', async (t) => {
  const { order } = rcorder(files, { skipKeywords: ['nostart'] });
  t.same(violations(manual, order), []);
  const at = (f: string) => order.indexOf(f);
  for (const dep of ['LOGIN', 'pf', 'DAEMON', 'FILESYSTEMS', 'zfs', 'syslogd', 'mountlate']) {
    t.ok(at(dep) >= 0 && at(dep) < at('kleened'), `${dep} before kleened`);
  }
  t.ok(at('kleened') < at('kleene_containers'), 'kleened before kleene_containers');
  // jailed hosts skip nojail scripts: ours are left out with the other nojail ones
  const jailed = rcorder(files, { skipKeywords: ['nostart', 'nojail'] }).order;
  t.notOk(jailed.includes('kleened') || jailed.includes('kleene_containers'), 'nojail: not run inside a jail');
  t.same(violations(manual, jailed), []);
});

t.test('the shutdown order (rcorder -k shutdown, reversed) stops containers before kleened', async (t) => {
  const kept = rcorder(files, { onlyKeywords: ['shutdown'] }).order;
  t.ok(kept.every((f) => manual.get(f)!.keyword.includes('shutdown')), 'only KEYWORD: shutdown files');
  t.same(violations(manual, kept), [], 'the -k order itself follows the rules');
  const down = [...kept].reverse();
  t.ok(down.indexOf('kleene_containers') < down.indexOf('kleened'), 'kleene_containers stops first');
  t.ok(down.indexOf('kleened') < down.indexOf('mountcritlocal'), 'kleened stops while local file systems are still there');
});

t.test('the checker bites: a swapped order is a violation', async (t) => {
  const { order } = rcorder(files, { skipKeywords: ['nostart'] });
  const swapped = order.map((f) => (f === 'kleened' ? 'kleene_containers' : f === 'kleene_containers' ? 'kleened' : f));
  t.same(violations(manual, swapped), ['kleene_containers runs before kleened, which provides kleened it requires']);
});
