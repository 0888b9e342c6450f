// Names and identifiers as kleened and sh(1) define them. Pure: no I/O.

/** kleened's container name pattern (ContainerConfig.name in openapi.json). */
export const CONTAINER_NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** kleened container ids: 12 lowercase hex characters (jail name = id). */
export const CONTAINER_ID_RE = /^[0-9a-f]{12}$/;

/** A POSIX sh variable name. */
export const SH_VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Volume names: kleened checks nothing server-side, but a volume is the ZFS dataset
 * `<kleene_root>/volumes/<name>`, so a name is one dataset component: ZFS allows
 * alphanumerics and `_ - : .`; we also refuse `:` (kleened's mount syntax) and spaces.
 */
export const VOLUME_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isContainerName(s: string): boolean {
  return CONTAINER_NAME_RE.test(s);
}

export function isContainerId(s: string): boolean {
  return CONTAINER_ID_RE.test(s);
}

export function isShVarName(s: string): boolean {
  return SH_VAR_RE.test(s);
}

export function isVolumeName(s: string): boolean {
  return VOLUME_NAME_RE.test(s);
}

/**
 * The part of a per-container rc.conf variable that stands for a container:
 * every character outside [A-Za-z0-9_] becomes `_` (as rc.d/jail does with `tr /. _`).
 * `web.example-1` → `web_example_1`. A leading `/` (allowed by kleened) is dropped first.
 */
export function varPart(name: string): string {
  return name.replace(/^\//, '').replace(/[^A-Za-z0-9_]/g, '_');
}
