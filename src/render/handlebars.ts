// A private handlebars environment for generated shell. Handlebars' own escaping is for HTML
// ("&amp;", "&#x27;"), which is wrong and unsafe in sh, so it is turned off (noEscape) and the
// only way a template prints a value is the `sh` helper, which single-quotes it (shQuote).
// test/unit/templates.test.ts fails on any other mustache that prints a value.
import Handlebars from 'handlebars';
import { shQuote } from '../shell/quote.ts';
import { SH_VAR_RE } from '../model/names.ts';

export function createShellHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('sh', (value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`sh helper: expected a string or number, got ${value === undefined ? 'undefined' : typeof value}`);
    }
    return shQuote(value);
  });
  // `{{default "knob" value}}` prints rc.d's `: ${knob:='value'}` (`unset=true`: `=`, so that
  // an empty setting stays empty). A helper, not template text, because handlebars cannot
  // parse the `}}}` that `${knob:={{sh value}}}` would need. The value goes through shQuote.
  hb.registerHelper('default', (name: unknown, value: unknown, options: { hash?: { unset?: boolean } }) => {
    if (typeof name !== 'string' || !SH_VAR_RE.test(name)) throw new Error(`default helper: bad variable name ${String(name)}`);
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`default helper: no value for ${name}`);
    return `: \${${name}${options.hash?.unset ? '=' : ':='}${shQuote(value)}}`;
  });
  return hb;
}

/** Compiles a template strictly: a missing value is an error, never an empty string. */
export function compileShellTemplate(source: string, name: string): (ctx: object) => string {
  const hb = createShellHandlebars();
  const tpl = hb.compile(source, { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: { sh: true, default: true } });
  return (ctx: object) => {
    try {
      return tpl(ctx);
    } catch (e) {
      throw new Error(`template ${name}: ${(e as Error).message}`, { cause: e });
    }
  };
}
