// The one shell-quoting function. Every value that reaches generated shell goes through it.
//
// POSIX single quotes are the only quoting in which sh interprets nothing ($, `, \, " are
// literal), so a value is wrapped in '…' and each ' inside becomes '\'' (close, escaped
// quote, reopen). Unlike execa's escape we always quote, even safe strings: generated
// scripts then read uniformly and a reviewer never has to decide whether a bare word is safe.
// NUL cannot be represented in a sh word at all and is refused; newlines are refused too
// because nothing we generate needs them and rc.conf values with newlines break rcorder
// and sysrc (see ../shared/freebsd/FACTS.md).

export class UnquotableError extends Error {}
UnquotableError.prototype.name = 'UnquotableError';

export function shQuote(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new UnquotableError('value contains a NUL byte');
  if (/[\n\r]/.test(s)) throw new UnquotableError('value contains a line break');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * An rc.conf value as sysrc writes it: in double quotes when nothing inside them is special to
 * sh (no $, `, \ or "), else single-quoted by shQuote. `prefer: 'single'` keeps a file's
 * single quotes (the old value was written '…'). Either way sh reads back exactly `value`.
 */
export function rcQuote(value: string, prefer: 'double' | 'single' = 'double'): string {
  const s = shQuote(value);
  if (prefer === 'single' || /[$`\\"]/.test(value)) return s;
  return `"${value}"`;
}
