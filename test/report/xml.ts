// A strict XML well-formedness check for the SVG tests (no XML parser among the dependencies):
// one root element, every tag closed in order, attributes quoted and unique, only the five
// predefined entities or character references, no character XML 1.0 forbids. Throws with the
// offset of the first problem. Not a test file itself.
const NAME = '[A-Za-z_:][A-Za-z0-9_.:-]*';
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
const ATTR = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');

function checkText(s: string, at: number): void {
  const bad = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.exec(s);
  if (bad) throw new Error(`forbidden character U+${bad[0].charCodeAt(0).toString(16)} at ${at + bad.index}`);
  for (const m of s.matchAll(/&([^;]*);?/g)) {
    if (!/^(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+)$/.test(m[1]!) || !m[0].endsWith(';')) throw new Error(`bad entity ${m[0]} at ${at + m.index!}`);
  }
}

/** Throws unless `xml` is well-formed; returns the root element's name. */
export function checkWellFormed(xml: string): string {
  let i = 0;
  const stack: string[] = [];
  let root: string | undefined;
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root element at ${i}`);
    checkText(text, i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new Error(`unclosed comment at ${lt}`);
      i = end + 3;
      continue;
    }
    const m = TAG.exec(xml.slice(lt));
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [whole, close, name, attrs, selfClose] = m;
    if (close) {
      if (attrs!.trim() || selfClose) throw new Error(`malformed end tag at ${lt}`);
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element at ${lt}`);
    } else {
      if (stack.length === 0) {
        if (root !== undefined) throw new Error(`a second root element at ${lt}`);
        root = name;
      }
      const seen = new Set<string>();
      for (const a of attrs!.matchAll(ATTR)) {
        if (seen.has(a[1]!)) throw new Error(`attribute ${a[1]} twice at ${lt}`);
        seen.add(a[1]!);
        checkText(a[2] ?? a[3] ?? '', lt);
      }
      if (!selfClose) stack.push(name!);
    }
    i = lt + whole!.length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
