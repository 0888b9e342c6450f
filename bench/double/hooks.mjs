// Module-resolution hook for the benchmark's kleened double (see serve.mjs): every import of the
// double's state.mjs, except the one from memo-state.mjs itself, gets memo-state.mjs instead.
const ORIGINAL = new URL('../../test/doubles/kleened/state.mjs', import.meta.url).href;
const MEMO = new URL('./memo-state.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const r = await nextResolve(specifier, context);
  if (r.url === ORIGINAL && context.parentURL !== MEMO) return { ...r, url: MEMO };
  return r;
}
