// Types for main.mjs: the release-script command line of the kleened double.
export interface SimPaths { config: string; pidfile: string; log: string; requestLog: string; state: string }
export function simPaths(env?: NodeJS.ProcessEnv): SimPaths;
export function parseConfig(text: string): { sockets: Array<{ socket: string } | { tcp: { host: string; port: number } }>; fault?: string };
export function parseAddress(address: string): { socket: string } | { tcp: { host: string; port: number } };
export function runForeground(env?: NodeJS.ProcessEnv): Promise<number>;
export function main(argv: string[], env?: NodeJS.ProcessEnv): Promise<number>;
