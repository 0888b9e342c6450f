// The rcorder headers of the FreeBSD 14 base rc.d scripts that matter to kleened's place in the
// boot, as listed in ../shared/freebsd/rcd-headers-14.txt (read from the FreeBSD 14 vendor tree's
// libexec/rc/rc.d/*). Data only: the boot simulation writes a stand-in per entry and the rcorder
// unit tests order them. Requirements on scripts not listed here (fsck, hostid, netwait, …) stay
// unresolved on purpose, as on a partial tree: rcorder warns and goes on.

export interface BaseScript {
  name: string;
  provide: string[];
  require: string[];
  before: string[];
  keyword: string[];
}

const s = (name: string, provide: string, require: string, before = '', keyword = ''): BaseScript => ({
  name,
  provide: provide.split(' ').filter(Boolean),
  require: require.split(' ').filter(Boolean),
  before: before.split(' ').filter(Boolean),
  keyword: keyword.split(' ').filter(Boolean),
});

/** FreeBSD 14 base scripts (name = file name under /etc/rc.d). */
export const BASE_SCRIPTS_14: readonly BaseScript[] = [
  s('FILESYSTEMS', 'FILESYSTEMS', 'root mountcritlocal cleanvar tmp'),
  s('NETWORKING', 'NETWORKING NETWORK',
    'netif netwait netoptions routing ppp ipfw stf defaultroute route6d resolv bridge static_arp static_ndp'),
  s('SERVERS', 'SERVERS', 'mountcritremote sysvipc linux ldconfig savecore watchdogd'),
  s('DAEMON', 'DAEMON', 'NETWORKING SERVERS'),
  s('LOGIN', 'LOGIN', 'DAEMON'),
  s('mountcritlocal', 'mountcritlocal', 'root hostid_save mdconfig', '', 'nojail shutdown'),
  s('mountcritremote', 'mountcritremote', 'NETWORKING FILESYSTEMS ipsec netwait nfscbd', '', 'nojail'),
  s('mountlate', 'mountlate', 'DAEMON', 'LOGIN', 'nojail'),
  s('root', 'root', 'fsck', '', 'nojail'),
  s('var', 'var', 'mountcritlocal'),
  s('tmp', 'tmp', 'mountcritlocal'),
  s('cleanvar', 'cleanvar', 'var'),
  s('devfs', 'devfs', 'mountcritremote', 'SERVERS securelevel', 'nojail'),
  s('zpool', 'zpool', 'hostid disks', 'mountcritlocal', 'nojail'),
  s('zfsbe', 'zfsbe', 'mountcritlocal'),
  s('zfs', 'zfs', 'zfsbe', 'FILESYSTEMS var'),
  s('zvol', 'zvol', 'zpool', '', 'nojail'),
  s('zfskeys', 'zfskeys', 'zpool', 'zfs zvol'),
  s('zfsd', 'zfsd', 'devd zfs', '', 'nojail shutdown'),
  s('netif', 'netif', 'FILESYSTEMS iovctl serial sppp sysctl hostid', '', 'nojailvnet'),
  s('routing', 'routing', 'netif ppp stf', '', 'nojailvnet'),
  s('pf', 'pf', 'FILESYSTEMS netif pflog pfsync routing', '', 'nojailvnet'),
  s('pflog', 'pflog', 'FILESYSTEMS netif', '', 'nojailvnet'),
  s('pfsync', 'pfsync', 'FILESYSTEMS netif', '', 'nojailvnet'),
  s('syslogd', 'syslogd', 'mountcritremote FILESYSTEMS newsyslog netif', 'SERVERS'),
  s('securelevel', 'securelevel', 'adjkerntz ipfw pf sysctl_lastload'),
  s('jail', 'jail', 'LOGIN FILESYSTEMS', 'securelevel', 'shutdown'),
];

/** The header block of a base script as it appears in the file (REQUIRE wrapped like base does). */
export function headerText(b: BaseScript): string {
  const lines = [`# PROVIDE: ${b.provide.join(' ')}`];
  // Long REQUIRE lists are split over several `# REQUIRE:` lines in base (NETWORKING): keep that
  // shape so the parser is exercised on repeated header lines.
  for (let i = 0; i < b.require.length; i += 6) lines.push(`# REQUIRE: ${b.require.slice(i, i + 6).join(' ')}`);
  if (b.before.length) lines.push(`# BEFORE: ${b.before.join(' ')}`);
  if (b.keyword.length) lines.push(`# KEYWORD: ${b.keyword.join(' ')}`);
  return lines.join('\n') + '\n';
}
