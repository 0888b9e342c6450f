// The defaults the installed rc.d scripts use: KNOBS with {prefix} and {node} filled in. The
// caller passes the fill in (src/install/installed-fill.ts reads it from the install
// manifest): src/rcconf knows nothing of src/install.
import { KNOBS, knobDefault, type Knob } from '../model/knobs.ts';

export interface DefaultFill { prefix: string; node: string }

/** The generator's own fill, for callers that know of no installation. */
export const GENERATOR_FILL: DefaultFill = { prefix: '/usr/local', node: '/usr/local/bin/node' };

const PER_CONTAINER = /^kleene_containers_[A-Za-z0-9_]+_(depend|priority|ready)$/;

/** The default of a knob as the scripts apply it (a per-container one: its `<name>` knob's), or undefined. */
export function defaultOf(name: string, fill: DefaultFill): { knob: Knob; value: string } | undefined {
  let k = KNOBS.find((x) => x.name === name && !x.name.includes('<name>'));
  const m = k ? null : PER_CONTAINER.exec(name);
  if (m) k = KNOBS.find((x) => x.name === `kleene_containers_<name>_${m[1]}`);
  return k ? { knob: k, value: knobDefault(k, fill) } : undefined;
}

/** True when `name` is one of kleene-boot's variables (a knob, or a per-container one). */
export function isKnownKleeneVariable(name: string): boolean {
  return KNOBS.some((k) => k.name === name) || PER_CONTAINER.test(name);
}
