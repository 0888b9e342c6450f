// The defaults the installed rc.d scripts use: KNOBS with {prefix} and {node} filled in from
// the install manifest (what `kleene-boot install` recorded), else the generator's defaults.
import { KNOBS, knobDefault, type Knob } from '../model/knobs.ts';
import { MANIFEST_PATH } from '../install/layout.ts';
import { readManifest } from '../install/manifest.ts';
import { underRoot } from '../fs/root.ts';

export interface DefaultFill { prefix: string; node: string }

/** prefix and node of the installation under root; /usr/local and /usr/local/bin/node when none is recorded. */
export async function installedFill(root = '/'): Promise<DefaultFill> {
  try {
    const m = await readManifest(underRoot(root, MANIFEST_PATH));
    if (m) return { prefix: m.prefix, node: m.node };
  } catch {
    // An unreadable manifest is doctor's business; the defaults still help here.
  }
  return { prefix: '/usr/local', node: '/usr/local/bin/node' };
}

/** The default of a global (not per-container) knob as the scripts apply it, or undefined. */
export function defaultOf(name: string, fill: DefaultFill): { knob: Knob; value: string } | undefined {
  const k = KNOBS.find((x) => x.name === name && !x.name.includes('<name>'));
  return k ? { knob: k, value: knobDefault(k, fill) } : undefined;
}

const PER_CONTAINER = /^kleene_containers_[A-Za-z0-9_]+_(depend|priority|ready)$/;

/** True when `name` is one of kleene-boot's variables (a knob, or a per-container one). */
export function isKnownKleeneVariable(name: string): boolean {
  return KNOBS.some((k) => k.name === name) || PER_CONTAINER.test(name);
}
