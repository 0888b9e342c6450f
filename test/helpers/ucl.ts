// A strict parser for the subset of UCL (libucl, what pkg reads triggers with) that
// kleene-boot's pkg trigger uses, so a test can read the shipped file the way pkg would and run
// its script: `#` comments, `key: value` or `key = value` entries (optionally ended by `;` or
// `,`), values that are a bare word, a double-quoted JSON string, an array of those, an object
// in braces, or a here-document `<<TERM` … a line `TERM` (TERM: capital letters, libucl's rule;
// the text between is taken verbatim, with its final newline). Anything else is an error naming
// the line, so a file pkg would refuse cannot pass a test.

export type UclValue = string | UclValue[] | { [key: string]: UclValue };

export class UclError extends Error {}
UclError.prototype.name = 'UclError';

export function parseUcl(text: string): Record<string, UclValue> {
  let i = 0;
  const line = () => text.slice(0, i).split('\n').length;
  const fail = (what: string): never => { throw new UclError(`line ${line()}: ${what}`); };
  const skip = () => {
    for (;;) {
      const m = /^(?:[ \t\r\n]+|#[^\n]*)/.exec(text.slice(i));
      if (!m || m[0] === '') return;
      i += m[0].length;
    }
  };
  const string = (): string => {
    const m = /^"(?:[^"\\\n]|\\.)*"/.exec(text.slice(i));
    if (!m) return fail('unterminated string');
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (): UclValue => {
    skip();
    const rest = text.slice(i);
    if (rest.startsWith('<<')) {
      const m = /^<<([A-Z]+)\n/.exec(rest);
      if (!m) return fail('a here-document starts <<TERM (capital letters) at the end of the line');
      const start = i + m[0].length;
      const end = text.indexOf(`\n${m[1]}\n`, start - 1);
      if (end < 0) return fail(`here-document without its closing ${m[1]} line`);
      i = end + m[1]!.length + 2;
      return text.slice(start, end + 1);
    }
    if (rest.startsWith('"')) return string();
    if (rest.startsWith('{')) {
      i++;
      return object('}');
    }
    if (rest.startsWith('[')) {
      i++;
      const out: UclValue[] = [];
      for (;;) {
        skip();
        if (text[i] === ']') { i++; return out; }
        out.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail("expected ',' or ']' in an array");
      }
    }
    const m = /^[A-Za-z0-9_.\/-]+/.exec(rest);
    if (!m) return fail(`unexpected ${JSON.stringify(rest.slice(0, 10))}`);
    i += m[0].length;
    return m[0];
  };
  const object = (close: '}' | ''): Record<string, UclValue> => {
    const out: Record<string, UclValue> = {};
    for (;;) {
      skip();
      if (close === '' ? i >= text.length : text[i] === close) {
        if (close) i++;
        return out;
      }
      if (i >= text.length) fail(`missing '${close}'`);
      const k = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::|=)?/.exec(text.slice(i));
      if (!k) fail('expected a key');
      if (Object.hasOwn(out, k![1]!)) fail(`key ${k![1]} given twice`);
      i += k![0].length;
      out[k![1]!] = value();
      const sep = /^[ \t]*(?:[;,]|(?:#[^\n]*)?(?:\n|$|(?=\})))/.exec(text.slice(i));
      if (!sep) fail('expected the end of the entry');
      i += sep![0].length;
    }
  };
  return object('');
}
