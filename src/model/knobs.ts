// Every rc.conf variable kleene-boot reads or writes: the one table behind the rc.d script
// headers, `rc lint`'s vocabulary, the README and the man page. Pure data.

export type KnobType = 'bool' | 'seconds' | 'count' | 'path' | 'string' | 'list' | 'ready';
export type Service = 'kleened' | 'kleene_containers';

export interface Knob {
  /** Variable name; per-container knobs use `<name>` for the container's variable part. */
  name: string;
  service: Service;
  type: KnobType;
  /** Default as rc.conf would spell it; `{prefix}` / `{node}` are filled in by the generator. */
  default: string;
  description: string;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
}

export const KNOBS: readonly Knob[] = [
  { name: 'kleened_enable', service: 'kleened', type: 'bool', default: 'NO', description: 'Start kleened at boot.' },
  { name: 'kleened_program', service: 'kleened', type: 'path', default: '{prefix}/libexec/kleened/bin/kleened', description: 'The kleened release script.' },
  { name: 'kleened_config', service: 'kleened', type: 'path', default: '{prefix}/etc/kleened/config.yaml', description: 'Must exist before kleened starts (kleened itself always reads this path).' },
  { name: 'kleened_socket', service: 'kleened', type: 'path', default: '/var/run/kleened.sock', description: "Unix socket of kleened's API. Unset by default: the first `http:///path` (else `http://IP:PORT`) of `api_listening_sockets` in kleened's config.yaml, as kleened listens; set, it overrides config.yaml. rc.d/kleened's start wait and status and kleene_containers use the same address." },
  { name: 'kleened_ready_timeout', service: 'kleened', type: 'seconds', default: '30', min: 1, max: 3600, description: 'Seconds start waits for the API to answer.' },
  { name: 'kleened_shutdown_timeout', service: 'kleened', type: 'seconds', default: '60', min: 1, max: 3600, description: 'Seconds stop waits for kleened to exit after SIGTERM.' },
  { name: 'kleened_env', service: 'kleened', type: 'string', default: 'LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 PATH={prefix}/libexec/kleened/bin:/sbin:/bin:/usr/sbin:/usr/bin:{prefix}/sbin:{prefix}/bin', description: "Environment of kleened, as env(1) arguments (as the port's script)." },
  { name: 'kleened_node', service: 'kleened', type: 'path', default: '{node}', description: 'Node.js used to probe the API.' },
  { name: 'kleened_hook', service: 'kleened', type: 'path', default: '{prefix}/libexec/kleene-boot/hook.js', description: "kleene-boot's runtime hook." },

  { name: 'kleene_containers_enable', service: 'kleene_containers', type: 'bool', default: 'NO', description: 'Restore containers at boot.' },
  { name: 'kleene_containers_list', service: 'kleene_containers', type: 'list', default: '', description: 'Containers to restore, by name or id. Order: dependencies, priority, the longest chain of dependents, then list order.' },
  { name: 'kleene_containers_import_on_startup', service: 'kleene_containers', type: 'bool', default: 'NO', description: "Also restore containers whose kleened restart_policy is on-startup." },
  { name: 'kleene_containers_jobs', service: 'kleene_containers', type: 'count', default: '4', min: 1, max: 256, description: "Starts in flight to kleened at once, at most (start request to kleened's answer)." },
  { name: 'kleene_containers_start_timeout', service: 'kleene_containers', type: 'seconds', default: '60', min: 1, max: 3600, description: 'Seconds for one container to start and become ready.' },
  { name: 'kleene_containers_stop_jobs', service: 'kleene_containers', type: 'count', default: '8', min: 1, max: 256, description: 'Containers stopped at once, at most; a container stops only after the listed containers that depend on it.' },
  { name: 'kleene_containers_stop_timeout', service: 'kleene_containers', type: 'seconds', default: '30', min: 1, max: 3600, description: 'Seconds for one container to stop; shortened (not below 1 s) when the stops would not fit in `rcshutdown_timeout`.' },
  { name: 'kleene_containers_wait_timeout', service: 'kleene_containers', type: 'seconds', default: '30', min: 1, max: 3600, description: "Seconds to wait for kleened's API while kleened's process runs; defaults to `kleened_ready_timeout`. With no live kleened process, restore, stop, status and plan fail at once." },
  { name: 'kleene_containers_background', service: 'kleene_containers', type: 'bool', default: 'NO', description: 'Restore in the background so boot goes on (result still logged).' },
  { name: 'kleene_containers_node', service: 'kleene_containers', type: 'path', default: '{node}', description: 'Node.js that runs the hook.' },
  { name: 'kleene_containers_hook', service: 'kleene_containers', type: 'path', default: '{prefix}/libexec/kleene-boot/hook.js', description: "kleene-boot's runtime hook." },
  { name: 'kleene_containers_jls', service: 'kleene_containers', type: 'path', default: '/usr/sbin/jls', description: 'jls(8).' },
  { name: 'kleene_containers_zfs', service: 'kleene_containers', type: 'path', default: '/sbin/zfs', description: 'zfs(8).' },
  { name: 'kleene_containers_jexec', service: 'kleene_containers', type: 'path', default: '/usr/sbin/jexec', description: 'jexec(8), for exec: ready checks.' },
  { name: 'kleene_containers_logger', service: 'kleene_containers', type: 'path', default: '/usr/bin/logger', description: 'logger(1), for the boot report in syslog.' },
  { name: 'kleene_containers_<name>_depend', service: 'kleene_containers', type: 'list', default: '', description: 'Containers that must be running (and ready) first.' },
  { name: 'kleene_containers_<name>_priority', service: 'kleene_containers', type: 'count', default: '50', min: 0, max: 999, description: 'Lower starts first where dependencies allow.' },
  { name: 'kleene_containers_<name>_ready', service: 'kleene_containers', type: 'ready', default: 'started', description: '`started`, `tcp:HOST:PORT` or `exec:COMMAND` (run in the jail, exit 0).' },
];

export const PER_CONTAINER_SUFFIXES = ['depend', 'priority', 'ready'] as const;
export type PerContainerSuffix = (typeof PER_CONTAINER_SUFFIXES)[number];

/** Values rc.subr's checkyesno accepts (case-insensitive). */
export const YES_WORDS = ['yes', 'true', 'on', '1'];
export const NO_WORDS = ['no', 'false', 'off', '0'];

/** Parses a checkyesno-style boolean; undefined when rc.subr would warn "is not set properly". */
export function parseYesNo(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (YES_WORDS.includes(v)) return true;
  if (NO_WORDS.includes(v)) return false;
  return undefined;
}

/** A knob's default with the generator's {prefix} and {node} filled in. */
export function knobDefault(k: Knob, fill: { prefix: string; node: string }): string {
  return k.default.replaceAll('{prefix}', fill.prefix).replaceAll('{node}', fill.node);
}

export function knob(name: string): Knob {
  const k = KNOBS.find((x) => x.name === name);
  if (!k) throw new Error(`unknown knob ${name}`);
  return k;
}
