// The parts of dist/cli.js (see dispatch.ts) and the names of their V8 code caches, which lie
// beside cli.js in dist/ and in <prefix>/libexec/kleene-boot/. Pure data: the installer lists
// the caches from here.

/** Every part dist/cli.js holds. */
export const PARTS = ['rc', 'generate', 'all'] as const;

/** The file name of a part's code cache, in the directory of cli.js. */
export function codeCacheName(part: string): string {
  return `cli-${part}.v8cache`;
}
