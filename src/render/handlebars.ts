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

/** How every shell template compiles: strictly (a missing value is an error, never an empty string), no HTML escaping, our helpers only. */
const OPTIONS = { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: { sh: true, default: true } } as const;

/**
 * The template as JavaScript (handlebars' precompile), with the same options: scripts/build.mjs
 * puts each shipped template's code in the bundle, so `generate` does not compile it at each run.
 */
export function precompileShellTemplate(source: string): string {
  return Handlebars.precompile(source, OPTIONS) as string;
}

/** Set by scripts/build.mjs in the bundle: each shipped template's source and its precompiled code. */
declare const __kleene_boot_templates: Record<string, { source: string; spec: Parameters<typeof Handlebars.template>[0] }> | undefined;

/**
 * Compiles a template strictly: a missing value is an error, never an empty string. The
 * bundle's precompiled code stands in when it was made from this very source; a template that
 * differs from the one built in is compiled.
 */
export function compileShellTemplate(source: string, name: string): (ctx: object) => string {
  const hb = createShellHandlebars();
  const pre = typeof __kleene_boot_templates === 'undefined' ? undefined : __kleene_boot_templates[name];
  const use = pre !== undefined && pre.source === source;
  if (process.env.KLEENE_BOOT_DEBUG) process.stderr.write(`kleene-boot: template ${name}: ${use ? 'precompiled' : 'compiled'}\n`);
  const tpl = use ? hb.template(pre.spec) : hb.compile(source, OPTIONS);
  return (ctx: object) => {
    try {
      return tpl(ctx);
    } catch (e) {
      throw new Error(`template ${name}: ${(e as Error).message}`, { cause: e });
    }
  };
}
