// A large, realistic rc.conf for the `rc set` benchmark: what a long-lived host accumulates
// (interfaces, aliases, services with flags, comments, blank lines, quoted values, trailing
// comments), with kleene's own variables near the end. Pure and deterministic.
import { prng } from './graph.ts';

const SERVICES = ['sshd', 'ntpd', 'syslogd', 'cron', 'nginx', 'postgresql', 'redis', 'zfs', 'pf', 'pflog', 'jail',
  'dhcpd', 'named', 'unbound', 'dovecot', 'postfix', 'smartd', 'powerd', 'moused', 'devd'];

/** rc.conf text of exactly `lines` lines (each ending in a newline) that `sh -n` accepts. */
export function generateRcConf(lines: number, seed = 11): string {
  const rand = prng(seed);
  const out: string[] = [
    '# /etc/rc.conf: generated for the kleene-boot benchmark',
    'hostname="bench.example.org"',
    'zfs_enable="YES"',
    '',
  ];
  let i = 0;
  const tail = [
    '# kleene',
    'kleened_enable="YES"',
    'kleene_containers_enable="YES"',
    'kleene_containers_list="web db cache"',
    'kleene_containers_jobs="4"',
    'kleene_containers_web_depend="db cache"',
  ];
  while (out.length < lines - tail.length) {
    const r = rand();
    const room = lines - tail.length - out.length;
    if (r < 0.08) out.push(`# section ${i}: ${SERVICES[i % SERVICES.length]} and friends`);
    else if (r < 0.14) out.push('');
    else if (r < 0.40) {
      const a = i % 250;
      const b = Math.floor(i / 250) % 250;
      out.push(`ifconfig_vtnet${i}_alias${i % 16}="inet 10.${b}.${a}.${(i * 7) % 250 + 1}/32"`);
    } else if (r < 0.60) out.push(`${SERVICES[i % SERVICES.length]}_${i}_enable="${rand() < 0.5 ? 'YES' : 'NO'}"`);
    else if (r < 0.75) out.push(`${SERVICES[i % SERVICES.length]}_${i}_flags="-a -b ${i} --opt='x y'"   # tuned ${i}`);
    else if (r < 0.85) out.push(`static_route_${i}="-net 192.168.${i % 250}.0/24 10.0.0.1"`);
    else if (r < 0.92 && room >= 3) {
      // a multi-line value, as people write long lists
      out.push(`jail_${i}_list="a${i} \\`, `  b${i} \\`, `  c${i}"`);
    } else out.push(`svc${i}_user='user${i}' svc${i}_group=wheel`);
    i++;
  }
  out.push(...tail);
  return out.slice(0, lines).join('\n') + '\n';
}
