// rcorder(8) header parsing: which PROVIDE/REQUIRE/BEFORE/KEYWORD words a script declares.
// Rules follow FreeBSD's sbin/rcorder/rcorder.c (crunch_file), not a looser reading of them:
// - only lines starting exactly with `# PROVIDE:`, `# REQUIRE:`, `# BEFORE:`, `# KEYWORD:` (and the
//   plural spellings `# PROVIDES:`, `# REQUIRES:`, `# KEYWORDS:`) count; `#PROVIDE:` or `#  PROVIDE:`
//   do not;
// - the header starts at the first such line and ends at the first line that is not one, so a bare
//   `#` or a blank line between header lines silently drops everything after it (a known way for a
//   `KEYWORD: shutdown` to be lost, so we report those lines as `ignored`);
// - a line ending in a backslash continues on the next one (rcorder reads with fparseln(3));
// - words are split on spaces and tabs only, so a CRLF file carries `\r` in its last word, exactly as
//   rcorder would see it (`KEYWORD: shutdown\r` is not `shutdown`).

/** The rcorder-relevant declarations of one rc.d script. */
export interface RcHeader {
  provide: string[];
  require: string[];
  before: string[];
  keyword: string[];
  /** Header-looking lines that rcorder ignores because the header had already ended. */
  ignored: IgnoredHeaderLine[];
}

/** A `# PROVIDE:`-style line after the end of the header: rcorder never reads it. */
export interface IgnoredHeaderLine {
  file: string;
  /** 1-based line number in the file. */
  line: number;
  /** 1-based line number of the line that ended the header. */
  endedAt: number;
  text: string;
}

type Field = 'provide' | 'require' | 'before' | 'keyword';

// Longest spelling first does not matter here: `# REQUIRES:` does not start with `# REQUIRE:`
// (the ninth character differs), so each prefix matches only itself.
const PREFIXES: ReadonlyArray<readonly [string, Field]> = [
  ['# REQUIRE:', 'require'],
  ['# REQUIRES:', 'require'],
  ['# PROVIDE:', 'provide'],
  ['# PROVIDES:', 'provide'],
  ['# BEFORE:', 'before'],
  ['# KEYWORD:', 'keyword'],
  ['# KEYWORDS:', 'keyword'],
];

function classify(line: string): { field: Field; rest: string } | undefined {
  for (const [prefix, field] of PREFIXES) {
    if (line.startsWith(prefix)) return { field, rest: line.slice(prefix.length) };
  }
  return undefined;
}

/** Physical lines joined where a line ends in a backslash, each with its first line number. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const physical = text.split('\n');
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  let pending: { line: number; text: string } | undefined;
  physical.forEach((raw, i) => {
    const cur = pending ?? { line: i + 1, text: '' };
    if (raw.endsWith('\\')) {
      cur.text += raw.slice(0, -1);
      pending = cur;
    } else {
      cur.text += raw;
      out.push(cur);
      pending = undefined;
    }
  });
  if (pending) out.push(pending);
  return out;
}

/**
 * Reads the rcorder header of a script's text the way rcorder(8) does; never throws, and returns
 * empty lists for a file without a header (`file` only labels the `ignored` entries).
 */
export function parseHeaders(text: string, file: string): RcHeader {
  const header: RcHeader = { provide: [], require: [], before: [], keyword: [], ignored: [] };
  let state: 'before' | 'in' | 'done' = 'before';
  let endedAt = 0;
  for (const { line, text: content } of logicalLines(text)) {
    const hit = classify(content);
    if (state === 'done') {
      if (hit) header.ignored.push({ file, line, endedAt, text: content });
      continue;
    }
    if (!hit) {
      if (state === 'in') {
        state = 'done';
        endedAt = line;
      }
      continue;
    }
    state = 'in';
    for (const word of hit.rest.split(/[ \t]+/)) {
      if (word !== '') header[hit.field].push(word);
    }
  }
  return header;
}
