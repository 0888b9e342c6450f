// The oracle of the fleet tests: what sh reads for kleened and kleene_containers under a staged
// root, in load_rc_config's order (rc.conf, then /etc/rc.conf.d/<service> as a file or every file
// of it as a directory). Only kleene* variables are returned.
import { execa } from 'execa';

const READ = `
root=$1
. "$root/etc/rc.conf" 2>/dev/null || true
for svc in kleened kleene_containers; do
	f=$root/etc/rc.conf.d/$svc
	if [ -f "$f" ]; then . "$f"
	elif [ -d "$f" ]; then for g in "$f"/*; do if [ -f "$g" ]; then . "$g"; fi; done
	fi
done
env -0
`;

export async function shReads(root: string): Promise<Map<string, string>> {
  const r = await execa('/bin/sh', ['-c', `set -a\n${READ}`, 'sh', root], { env: { PATH: '/usr/bin:/bin' }, extendEnv: false });
  const m = new Map<string, string>();
  for (const tok of String(r.stdout).split('\0')) {
    const eq = tok.indexOf('=');
    if (eq > 0 && /^kleene/.test(tok)) m.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return m;
}
