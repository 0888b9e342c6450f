// Stand-ins for FreeBSD base rc.d scripts in the boot simulation: the real rcorder header (from
// base-headers.ts) and a body that only records that it ran, with which argument. They let the
// /etc/rc-like driver (./rc) order kleened among LOGIN, pf, zfs… exactly as a FreeBSD 14 host would.
import { BASE_SCRIPTS_14, headerText, type BaseScript } from './base-headers.ts';

/** Where the drivers and the stand-ins append their events (see ./rc). */
export const EVENTS_LOG = '/var/log/boot-sim/events';

/** The text of one stand-in script; it is sourced by run_rc_script, so `$1` is faststart/faststop. */
export function standInScript(b: BaseScript): string {
  return [
    '#!/bin/sh',
    '#',
    headerText(b).trimEnd(),
    '',
    `# Boot-simulation stand-in for FreeBSD's rc.d/${b.name}: same rcorder header; it only logs.`,
    `echo "$(date +%s%3N) stand-in ${b.name} $1" >> ${EVENTS_LOG}`,
    '',
  ].join('\n');
}

/**
 * Placeholders for the base scripts the table only names (fsck, hostid, netwait, …): `# PROVIDE:`
 * and nothing else, so the simulated tree resolves every base requirement and any rcorder warning
 * left in the boot log comes from the scripts under test. Their true headers would not change
 * kleened's place: they all sit below FILESYSTEMS/NETWORKING/SERVERS, which LOGIN requires.
 */
export function placeholderScripts(scripts: readonly BaseScript[] = BASE_SCRIPTS_14): BaseScript[] {
  const provided = new Set(scripts.flatMap((b) => b.provide));
  const named = [...new Set(scripts.flatMap((b) => [...b.require, ...b.before]))].filter((n) => !provided.has(n));
  return named.sort().map((n) => ({ name: n, provide: [n], require: [], before: [], keyword: [] }));
}

/** Every base stand-in (placeholders included) as `{ path, text }`, for /etc/rc.d with mode 0555. */
export function baseStandIns(scripts: readonly BaseScript[] = BASE_SCRIPTS_14): Array<{ path: string; text: string }> {
  return [...scripts, ...placeholderScripts(scripts)].map((b) => ({ path: `/etc/rc.d/${b.name}`, text: standInScript(b) }));
}
