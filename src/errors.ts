// One error family for the whole tool. Every error says where (file:line, option or
// command), what is wrong, and where it helps, what would be valid (hint). Callers test
// `code`, never the message text.

export type Where =
  | { file: string; line?: number }
  | { option: string }
  | { command: string }
  | { container: string };

export class KleeneBootError extends Error {
  readonly code: string;
  readonly where: Where | undefined;
  readonly hint: string | undefined;
  /** Exit status the CLI uses for this error. */
  exitCode = 1;

  constructor(code: string, message: string, where?: Where, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.where = where;
    this.hint = hint;
  }
}
KleeneBootError.prototype.name = 'KleeneBootError';

/** Bad content in an rc.conf file or another configuration source. */
export class ConfigError extends KleeneBootError {}
ConfigError.prototype.name = 'ConfigError';

/** A command-line option or argument that cannot be used. Exit status 2, like sysrc's usage errors. */
export class OptionError extends KleeneBootError {
  override exitCode = 2;
}
OptionError.prototype.name = 'OptionError';

/**
 * A value refused on its way into rc.conf (lint's rules, a NUL byte, a line break). Exit status 1,
 * as sysrc's refusal of a value: 2 is kept for usage errors (an unknown option or command).
 */
export class ValueError extends KleeneBootError {}
ValueError.prototype.name = 'ValueError';

/** A host command (jls, zfs, sh, …) that failed or printed what we cannot read. */
export class HostCommandError extends KleeneBootError {}
HostCommandError.prototype.name = 'HostCommandError';

/** kleened's API did not answer, or answered with an error. */
export class ApiError extends KleeneBootError {
  readonly status: number | undefined;
  constructor(code: string, message: string, status?: number, where?: Where, hint?: string, options?: ErrorOptions) {
    super(code, message, where, hint, options);
    this.status = status;
  }
}
ApiError.prototype.name = 'ApiError';

/** Renders where an error happened the way sysrc and Quadlet do: `file:line`, `--option`, `command`. */
export function formatWhere(where: Where | undefined): string {
  if (!where) return '';
  if ('file' in where) return where.line !== undefined ? `${where.file}:${where.line}` : where.file;
  if ('option' in where) return `--${where.option}`;
  if ('command' in where) return where.command;
  return `container '${where.container}'`;
}

/** One line for the error, then the hint on its own line: `kleene-boot: FILE:LINE: message\n  hint: …`. */
export function formatError(err: unknown, prog = 'kleene-boot'): string {
  if (err instanceof KleeneBootError) {
    const where = formatWhere(err.where);
    let out = `${prog}: ${where ? `${where}: ` : ''}${err.message}`;
    if (err.hint) out += `\n  hint: ${err.hint}`;
    return out;
  }
  if (err instanceof Error) return `${prog}: ${err.message}`;
  return `${prog}: ${String(err)}`;
}
