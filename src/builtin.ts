// node's own modules loaded on first use, for those a command often does not need: each one
// a command loads is part of its start (child_process with net and dgram, crypto: 2-3 ms each
// here), and `rc get` or `generate` into an empty root use neither. Required, not imported:
// a dynamic import() of node's modules fails in the built CLI, which runs each part as a
// vm.Script (no dynamic import callback); any absolute path makes a require that finds them.
import { createRequire } from 'node:module';

const requireBuiltin = createRequire('/');

/** A getter of node's module `name` that loads it on its first call. */
export function lazyBuiltin<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireBuiltin(name) as T);
}
