// FreeBSD 14's base rc.d headers (PROVIDE/REQUIRE/BEFORE/KEYWORD words only), from
// ../shared/freebsd/rcd-headers-14.txt. `doctor` orders the installed scripts against these
// when the root it checks has no /etc/rc.d of its own (a staging root on a non-FreeBSD machine),
// so the rcorder position it reports is the one a stock FreeBSD 14 boot would give.
import type { RcFile } from '../rcorder/index.ts';

// The list as recorded: `name  PROVIDE: …  REQUIRE: …  BEFORE: …  KEYWORD: …`; a `/` separates
// groups of words for readability and `( … )` holds notes (differences on FreeBSD main).
const TEXT = `
FILESYSTEMS   PROVIDE: FILESYSTEMS          REQUIRE: root mountcritlocal cleanvar tmp
NETWORKING    PROVIDE: NETWORKING NETWORK   REQUIRE: netif netwait netoptions routing ppp ipfw stf / defaultroute route6d resolv bridge / static_arp static_ndp
SERVERS       PROVIDE: SERVERS              REQUIRE: mountcritremote sysvipc linux ldconfig savecore watchdogd
DAEMON        PROVIDE: DAEMON               REQUIRE: NETWORKING SERVERS
LOGIN         PROVIDE: LOGIN                REQUIRE: DAEMON
mountcritlocal PROVIDE: mountcritlocal      REQUIRE: root hostid_save mdconfig      KEYWORD: nojail shutdown
mountcritremote PROVIDE: mountcritremote    REQUIRE: NETWORKING FILESYSTEMS ipsec netwait nfscbd   KEYWORD: nojail
mountlate     PROVIDE: mountlate            REQUIRE: DAEMON     BEFORE: LOGIN      KEYWORD: nojail
root          PROVIDE: root                 REQUIRE: fsck                          KEYWORD: nojail
var           PROVIDE: var                  REQUIRE: mountcritlocal
tmp           PROVIDE: tmp                  REQUIRE: mountcritlocal
cleanvar      PROVIDE: cleanvar             REQUIRE: var
devfs         PROVIDE: devfs                REQUIRE: mountcritremote   BEFORE: SERVERS securelevel   KEYWORD: nojail
zpool         PROVIDE: zpool                REQUIRE: hostid disks      BEFORE: mountcritlocal        KEYWORD: nojail
zfsbe         PROVIDE: zfsbe                REQUIRE: mountcritlocal
zfs           PROVIDE: zfs                  REQUIRE: zfsbe             BEFORE: FILESYSTEMS var        (main: BEFORE: FILESYSTEMS tmp var)
zvol          PROVIDE: zvol                 REQUIRE: zpool                                          KEYWORD: nojail
zfskeys       PROVIDE: zfskeys              REQUIRE: zpool             BEFORE: zfs zvol   (read from freebsd-src main)
zfsd          PROVIDE: zfsd                 REQUIRE: devd zfs                                       KEYWORD: nojail shutdown
netif         PROVIDE: netif                REQUIRE: FILESYSTEMS iovctl serial sppp sysctl / hostid   KEYWORD: nojailvnet
routing       PROVIDE: routing              REQUIRE: netif ppp stf                                  KEYWORD: nojailvnet
pf            PROVIDE: pf                   REQUIRE: FILESYSTEMS netif pflog pfsync routing         KEYWORD: nojailvnet
pflog         PROVIDE: pflog                REQUIRE: FILESYSTEMS netif                              KEYWORD: nojailvnet
pfsync        PROVIDE: pfsync               REQUIRE: FILESYSTEMS netif                              KEYWORD: nojailvnet
syslogd       PROVIDE: syslogd              REQUIRE: mountcritremote FILESYSTEMS newsyslog netif  BEFORE: SERVERS
securelevel   PROVIDE: securelevel          REQUIRE: adjkerntz ipfw pf sysctl_lastload
jail          PROVIDE: jail                 REQUIRE: LOGIN FILESYSTEMS BEFORE: securelevel          KEYWORD: shutdown
kleened       PROVIDE: kleened              REQUIRE: LOGIN                                          KEYWORD: shutdown
`;

const FIELDS: Record<string, 'provide' | 'require' | 'before' | 'keyword'> = {
  'PROVIDE:': 'provide', 'REQUIRE:': 'require', 'BEFORE:': 'before', 'KEYWORD:': 'keyword',
};

/** Parses the recorded list into rcorder input named /etc/rc.d/<name> (the port's kleened excluded: it is what we replace). Pure. */
export function parseHeaderList(text: string, { dir = '/etc/rc.d' } = {}): RcFile[] {
  const out: RcFile[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\([^)]*\)/g, ' ').trim();
    if (line === '' || line.startsWith('#')) continue;
    const [name, ...words] = line.split(/\s+/);
    if (!name || name === 'kleened') continue;
    const header: RcFile['header'] = { provide: [], require: [], before: [], keyword: [] };
    let field: keyof typeof header | undefined;
    for (const w of words) {
      if (w in FIELDS) field = FIELDS[w];
      else if (w !== '/' && field) header[field].push(w);
    }
    out.push({ file: `${dir}/${name}`, header });
  }
  return out;
}

/** The FreeBSD 14 base scripts as rcorder input. */
export function freebsd14BaseScripts(): RcFile[] {
  return parseHeaderList(TEXT);
}
