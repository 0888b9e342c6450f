// One bounded poll for tests: every wait in a test has a bound, and says what it waited for
// when the bound passes.

/** Resolves once `test` holds, looking every `everyMs`; rejects naming `what` after `ms`. */
export async function until(what: string, test: () => boolean, ms = 20_000, everyMs = 25): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
