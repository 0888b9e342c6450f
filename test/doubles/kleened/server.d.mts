// Types for server.mjs: the kleened double run in-process.
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
/** One API address: a unix socket or TCP, with TLS (cert and key as PEM) for https. */
export type ListenTarget = ({ socket: string } | { tcp: { host?: string; port: number } }) & { tls?: { cert: string | Buffer; key: string | Buffer } };
export interface StartKleenedOptions {
  /** unix socket path */
  socket?: string;
  tcp?: { host?: string; port: number };
  /** every address to serve (config.yaml's api_listening_sockets); replaces socket/tcp */
  listeners?: ListenTarget[];
  /** wait before listening when the state sets no `listen_delay_ms`; default 0 in-process
   * (main.mjs passes DEFAULT_LISTEN_DELAY_MS) */
  listenDelayMs?: number;
  /** sim state file; default env KLEENE_SIM_STATE or /var/db/kleene-sim/state.json */
  statePath?: string;
  /** JSON-lines request log; none when omitted */
  requestLogPath?: string;
  log?: (level: string, msg: string) => void;
  /** start on-startup containers at start, as kleened does; default true */
  autostart?: boolean | Promise<unknown>;
}
export interface KleenedHandle {
  /** the HTTP server; it does not listen itself, the listeners hand it their connections */
  server: Server;
  listeners: NetServer[];
  /** settles when the on-startup pass is over (never under a `hang` fault until close) */
  autostartDone: Promise<void>;
  /** stops listening, drops connections; pending starts and stops are abandoned (a jail whose
   * `jail -c` had not finished never appears) */
  close(): Promise<void>;
}
export function startKleened(opts?: StartKleenedOptions): Promise<KleenedHandle>;
