// prefix and node of the kleene-boot installation under a root, from the install manifest:
// what the installed rc.d scripts use as their defaults. The rc commands pass it to src/rcconf
// (which must not read install's files itself).
import { GENERATOR_FILL, type DefaultFill } from '../rcconf/defaults.ts';
import { underRoot } from '../fs/root.ts';
import { MANIFEST_PATH } from './layout.ts';
import { readManifest } from './manifest.ts';

/** prefix and node recorded under root; the generator's defaults when none is recorded. */
export async function installedFill(root = '/'): Promise<DefaultFill> {
  try {
    const m = await readManifest(underRoot(root, MANIFEST_PATH));
    if (m) return { prefix: m.prefix, node: m.node };
  } catch {
    // An unreadable manifest is doctor's business; the defaults still help here.
  }
  return GENERATOR_FILL;
}
