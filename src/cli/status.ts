// diff(1)'s exit statuses for every command that answers "would something change?" (rc check,
// rc apply --check, generate --diff, install --diff): 0 nothing would change, 1 something would,
// 2 or more trouble. A command in that mode says so first (answeringCheck); runCli then reports
// any error it ends with as 2, so "would change" is never mistaken for "failed".

/** Exit status of a check or diff whose answer is "something would change". */
export const WOULD_CHANGE = 1;
/** Exit status of a check or diff that could not answer. */
export const CHECK_TROUBLE = 2;

let checking = false;

/** Called by a handler before it does anything else, when its answer is a check or diff. */
export function answeringCheck(): void {
  checking = true;
}

/** True once the running command said it answers a check (answeringCheck); reset by resetCheckMode. */
export function isAnsweringCheck(): boolean {
  return checking;
}

/** Forgets the mode between two in-process runs of the CLI (tests run many). */
export function resetCheckMode(): void {
  checking = false;
}
