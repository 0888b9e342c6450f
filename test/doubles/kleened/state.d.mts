// Types for state.mjs: the shared sim state of the kleened double and the jls/zfs/jexec shims.
export type RestartPolicy = 'no' | 'on-startup';
export type StartResult = 'ok' | '1002' | '1011' | 'hang' | 'deleted' | 'no_jail';

export interface SimMount {
  type: 'volume' | 'nullfs';
  /** volume name (type volume) or host path (nullfs) */
  source: string;
  destination: string;
  read_only: boolean;
}

/** Per-container faults the double obeys. */
export interface ContainerFaults {
  /** from the `starting` message to Close 1001 (kleened spawning `jail -c`); default 200 */
  start_delay_ms?: number;
  /** from Close 1001 to the jail showing in jls (`jail -c` at work after kleened answered);
   * default 150 */
  jail_delay_ms?: number;
  /** 'ok' (default) | '1002' close before starting | '1011' error (1011) after start_delay_ms |
   * 'hang' starting then never closes | 'deleted' the container vanishes while starting (1011) |
   * 'no_jail' Close 1001 as usual, then `jail -c` fails: the jail never appears (only logged) */
  start_result?: StartResult;
  /** message for 1011 / 1002 / no_jail results */
  start_error?: string;
  /** KIND mode: the jail exists before Close 1001 (the double's old default; real kleened
   * answers before `jail -c` is done). Also a global fault. */
  jail_before_close?: boolean;
  /** obsolete: closing before the jail exists is the default now; with start_result '1011' it
   * means 'no_jail' */
  close_before_jail?: boolean;
  /** stop answers 200 but the jail keeps running */
  stop_ignore?: boolean;
  /** how long exec.stop (/bin/sh /etc/rc.shutdown) runs: the jail is removed and the stop
   * answers after this; default 200 */
  stop_delay_ms?: number;
  /** exec.stop never ends: the stop request never answers (a `stop_hung` event when it arrives) */
  stop_hang?: boolean;
  /** update answers 409 whatever it asks (string = message) */
  update_409?: boolean | string;
  /** `jail -m` fails (string = its message): an update that changes anything while the jail
   * runs answers 409 "an error ocurred while updating the container: ..." and saves nothing */
  jail_m_fails?: boolean | string;
}

export interface SimContainer {
  id: string;
  name: string;
  image: string;
  image_id: string;
  cmd: string[];
  env: string[];
  user: string;
  jail_param: string[];
  network_driver: 'ipnet' | 'host' | 'vnet' | 'disabled';
  public_ports: unknown[];
  restart_policy: RestartPolicy;
  persist: boolean;
  mounts: SimMount[];
  created: string;
  dataset: string;
  faults: ContainerFaults;
}

export interface SimJail {
  /** jail name; kleened's jails are named by container id */
  name: string;
  jid: number;
  path: string;
  hostname: string;
  /** comma-separated or list; '' for none */
  ipv4?: string | string[];
  ipv6?: string | string[];
  dying?: boolean;
  persist?: boolean;
}

export interface SimVolume {
  name: string; dataset: string; mountpoint: string; created: string;
  /** `GET /volumes/{name}/inspect` answers 500 with this message (true: `server error`) */
  faults?: { inspect_error?: boolean | string };
}

export interface SimDataset {
  name: string;
  mounted: 'yes' | 'no';
  mountpoint: string;
  type?: 'filesystem' | 'volume' | 'snapshot';
  canmount?: 'on' | 'off' | 'noauto';
  used?: number;
  avail?: number;
  refer?: number;
  /** `zfs mount` of this dataset fails with this message */
  mount_error?: string;
}

/** A shim fault: set any of stdout/stderr/exit_code to replace the real output. */
export interface ShimFault { stdout?: string; stderr?: string; exit_code?: number; delay_ms?: number }

export interface GlobalFaults {
  /** every API request answers 500 {"message":"server error"} */
  api_500?: boolean;
  /** every API request answers 200 with this (or built-in) non-JSON text */
  api_garbage?: boolean | string;
  /** GET /containers/list waits this long */
  slow_list_ms?: number;
  /** the server runs (pidfile written) but never creates its socket */
  never_listen?: boolean;
  /** the server writes its pidfile then exits 1 (stale pidfile) */
  exit_on_start?: boolean;
  /** detached exec start closes 1001 without a `starting` message first, as kleened's
   * lib/api/exec_start.ex does (the spec/FACTS shape, with the message, is the default) */
  no_starting_message?: boolean;
  /** a start WebSocket that has sent no frame this many ms after its upgrade is dropped
   * (cowboy's idle_timeout: kleened's lib/api/exec_start.ex sets 60000) */
  start_socket_idle_ms?: number;
  /** POST /exec/create answers this many ms after it made the exec instance */
  exec_create_delay_ms?: number;
  /** SIGTERM is logged and ignored */
  ignore_sigterm?: boolean;
  /** after `kleened daemon` returned, the VM boots this long before it writes the pidfile;
   * default 150 */
  pidfile_delay_ms?: number;
  /** after reading the config, the API listeners start this long later; default 100 for the
   * daemon (main.mjs), 0 in-process (startKleened) */
  listen_delay_ms?: number;
  /** KIND mode for every container: the jail exists before Close 1001 */
  jail_before_close?: boolean;
  jls?: ShimFault;
  zfs?: ShimFault;
  jexec?: ShimFault;
}

export type SimEventType = 'start' | 'duplicate_start' | 'start_failed' | 'mount_warning' | 'stop' | 'stop_ignored' | 'stop_hung' | 'update' | 'update_failed' | 'remove';
export interface SimEvent { time: string; type: SimEventType; container: string; detail?: Record<string, unknown> }

/**
 * starts_in_flight: jails being created (start asked until the jail exists or failed);
 * start_requests_open: start WebSockets kleened has not answered yet (what kleene_containers_jobs bounds).
 */
export interface SimStats {
  starts_total: number; starts_in_flight: number; max_starts_in_flight: number;
  start_requests_open: number; max_start_requests_open: number;
  /** exec instances created and neither started nor stopped (kleened keeps them until it restarts) */
  execs_unused: number;
  /** exec instances removed with POST /exec/{id}/stop */
  execs_destroyed: number;
}

export interface SimState {
  kleene_root: string;
  next_jid: number;
  containers: SimContainer[];
  jails: SimJail[];
  volumes: SimVolume[];
  datasets: SimDataset[];
  faults: GlobalFaults;
  events: SimEvent[];
  stats: SimStats;
}

export const DEFAULT_STATE_PATH: string;
export const DEFAULT_KLEENE_ROOT: string;
export const DEFAULT_START_DELAY_MS: number;
export const DEFAULT_JAIL_DELAY_MS: number;
export const DEFAULT_STOP_DELAY_MS: number;
export const DEFAULT_PIDFILE_DELAY_MS: number;
export const DEFAULT_LISTEN_DELAY_MS: number;
export function delayMs(value: unknown, fallback: number): number;
export function statePathFromEnv(env?: NodeJS.ProcessEnv): string;
export function idForName(name: string, n?: number): string;
export function randomId(): string;
export function emptyState(): SimState;
export function normalizeState(raw: unknown): SimState;
export function normalizeContainer(c: Partial<SimContainer> & { name?: string }, root?: string): SimContainer;
export function readState(path?: string): SimState;
export function writeState(path: string, state: SimState): void;
export function mutateState<R>(path: string, fn: (s: SimState) => R): R;
export function findContainer(state: SimState, idOrName: string): SimContainer | undefined;
export function jailOf(state: SimState, id: string): SimJail | undefined;
export function jailPath(state: SimState, id: string): string;
export function jailHostname(container: SimContainer): string;
export function pushEvent(state: SimState, type: SimEventType, container: string, detail?: Record<string, unknown>): SimEvent;
