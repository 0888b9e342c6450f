// Where kleene-boot's installed files live on the host. One table, so install, uninstall,
// doctor, the man page's FILES section and the port's pkg-plist agree.

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

export interface InstallLayout {
  rcd: { kleened: string; kleene_containers: string };
  libexecDir: string;
  cli: string;
  hook: string;
  templatesDir: string;
  wrapper: string;
  man: string;
}

/** The installed paths for a prefix (host paths, not under any staging root). Pure. */
export function installLayout(prefix: string): InstallLayout {
  const libexecDir = `${prefix}/libexec/kleene-boot`;
  return {
    rcd: { kleened: `${prefix}/etc/rc.d/kleened`, kleene_containers: `${prefix}/etc/rc.d/kleene_containers` },
    libexecDir,
    cli: `${libexecDir}/cli.js`,
    hook: `${libexecDir}/hook.js`,
    templatesDir: `${libexecDir}/templates`,
    wrapper: `${prefix}/bin/kleene-boot`,
    man: `${prefix}/share/man/man8/kleene-boot.8.gz`,
  };
}

/** The backup name of an original, flat under ORIG_DIR (no subdirectories, so never an `rc.d` dir). */
export function origPathFor(hostPath: string): string {
  return `${ORIG_DIR}/${encodeURIComponent(hostPath.replace(/^\/+/, ''))}`;
}
