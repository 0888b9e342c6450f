// Validation of the generator's options. Every value that reaches a generated script is checked
// here first, then quoted by the `sh` helper: two independent fences around root code at boot.
import { OptionError } from '../errors.ts';

export interface GenerateOptions {
  /** Installation prefix on the target host, e.g. /usr/local. */
  prefix: string;
  /** Node.js binary on the target host. */
  node: string;
}

// Characters a FreeBSD install path needs. Anything else (spaces, quotes, $, `, ;, newlines)
// is refused rather than quoted: a path such as "/opt/$(x)" is a mistake or an attack.
const PATH_RE = /^\/[A-Za-z0-9._+@/-]*$/;

/** Checks one absolute path option; throws OptionError naming the option and what is valid. */
export function validatePathOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new OptionError('EOPTION', 'needs an absolute path', { option }, 'for example /usr/local');
  }
  if (/[\0\n\r]/.test(value)) {
    throw new OptionError('EOPTION', 'contains a NUL or line break', { option }, 'give a plain absolute path');
  }
  if (!PATH_RE.test(value)) {
    throw new OptionError('EOPTION', `'${value}' is not a plain absolute path`, { option },
      'use only letters, digits and . _ + @ - /, starting with /');
  }
  if (value.split('/').some((c) => c === '..' || c === '.')) {
    throw new OptionError('EOPTION', `'${value}' contains '.' or '..'`, { option }, 'give the path without . or .. components');
  }
  // /usr/local/ -> /usr/local, but keep "/" as it is.
  return value.length > 1 ? value.replace(/\/+$/, '').replace(/\/{2,}/g, '/') : value;
}

/** Validates raw CLI values; fills --node from --prefix as `<prefix>/bin/node`. */
export function validateGenerateOptions(raw: { prefix?: unknown; node?: unknown }): GenerateOptions {
  const prefix = validatePathOption('prefix', raw.prefix ?? '/usr/local');
  if (prefix === '/') {
    throw new OptionError('EOPTION', "'/' is not a usable prefix", { option: 'prefix' }, 'FreeBSD ports use /usr/local');
  }
  const node = validatePathOption('node', raw.node ?? `${prefix}/bin/node`);
  return { prefix, node };
}
