// Types for server.mjs: the kleened double run in-process.
import type { Server } from 'node:http';
export interface StartKleenedOptions {
  /** unix socket path */
  socket?: string;
  tcp?: { host?: string; port: number };
  /** sim state file; default env KLEENE_SIM_STATE or /var/db/kleene-sim/state.json */
  statePath?: string;
  /** JSON-lines request log; none when omitted */
  requestLogPath?: string;
  log?: (level: string, msg: string) => void;
  /** start on-startup containers at start, as kleened does; default true */
  autostart?: boolean;
}
export interface KleenedHandle {
  server: Server;
  /** settles when the on-startup pass is over (never under a `hang` fault until close) */
  autostartDone: Promise<void>;
  close(): Promise<void>;
}
export function startKleened(opts?: StartKleenedOptions): Promise<KleenedHandle>;
