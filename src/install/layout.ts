// Where kleene-boot's installed files live on the host. One table, so install, uninstall,
// doctor, the man page's FILES section and the port's pkg-plist agree.
import { codeCacheName, PARTS } from '../cli/parts.ts';

/** State that belongs to no prefix: FreeBSD keeps package state under /var/db (hier(7)). */
export const STATE_DIR = '/var/db/kleene-boot';
export const MANIFEST_PATH = `${STATE_DIR}/manifest.json`;
/**
 * Originals of files the install replaced (the port's rc.d/kleened). Outside every rc.d directory:
 * rc(8) runs each executable with a PROVIDE line in local_startup except *.sample and *.pkgsave,
 * so a copy kept beside the live script would be started at boot too.
 */
export const ORIG_DIR = `${STATE_DIR}/orig`;
/** Where the rc.conf editor keeps its timestamped backups when install or uninstall edits rc.conf. */
export const RC_BACKUP_DIR = `${STATE_DIR}/rc-backup`;

/**
 * The daily script's name: periodic(8) runs a directory's scripts in name order; base's status
 * checks use 400-499, so kleene-boot's report comes among them, after the disks and ZFS.
 */
export const PERIODIC_DAILY_NAME = '460.kleene-boot';

export interface InstallLayout {
  rcd: { kleened: string; kleene_containers: string };
  libexecDir: string;
  cli: string;
  /** V8 code caches of cli.js's parts (src/cli/dispatch.ts): made by the node that built the bundles. */
  codeCaches: string[];
  hook: string;
  templatesDir: string;
  wrapper: string;
  man: string;
  /**
   * The pkg-triggers(5) file that puts kleene-boot's rc.d/kleened back after a package
   * transaction reinstalls the port's. pkg reads triggers from <localbase>/share/pkg/triggers
   * only, so under another prefix the file is installed but pkg never runs it.
   */
  pkgTrigger: string;
  /** The periodic(8) daily script; periodic reads local_periodic, /usr/local/etc/periodic by default. */
  periodicDaily: string;
}

/** The installed paths for a prefix (host paths, not under any staging root). Pure. */
export function installLayout(prefix: string): InstallLayout {
  const libexecDir = `${prefix}/libexec/kleene-boot`;
  return {
    rcd: { kleened: `${prefix}/etc/rc.d/kleened`, kleene_containers: `${prefix}/etc/rc.d/kleene_containers` },
    libexecDir,
    cli: `${libexecDir}/cli.js`,
    codeCaches: PARTS.map((p) => `${libexecDir}/${codeCacheName(p)}`),
    hook: `${libexecDir}/hook.js`,
    templatesDir: `${libexecDir}/templates`,
    wrapper: `${prefix}/bin/kleene-boot`,
    man: `${prefix}/share/man/man8/kleene-boot.8.gz`,
    pkgTrigger: `${prefix}/share/pkg/triggers/kleene-boot.ucl`,
    periodicDaily: `${prefix}/etc/periodic/daily/${PERIODIC_DAILY_NAME}`,
  };
}

/** The backup name of an original, flat under ORIG_DIR (no subdirectories, so never an `rc.d` dir). */
export function origPathFor(hostPath: string): string {
  return `${ORIG_DIR}/${encodeURIComponent(hostPath.replace(/^\/+/, ''))}`;
}
