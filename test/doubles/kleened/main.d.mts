// Types for main.mjs: the release-script command line of the kleened double.
export interface SimPaths { config: string; pidfile: string; log: string; requestLog: string; state: string }
export function simPaths(env?: NodeJS.ProcessEnv): SimPaths;
export type ConfigTarget = ({ socket: string } | { tcp: { host: string; port: number } }) & { tls?: true | { cert: Buffer | string; key: Buffer | string } };
export const REQUIRED_KEYS: string[];
export function parseConfig(text: string, readKey?: (path: string) => Buffer | string): { kleeneRoot: string; sockets: ConfigTarget[]; fault?: string };
export function parseAddress(address: string): ConfigTarget;
export function evalExpr(expr: string | undefined, env?: NodeJS.ProcessEnv): number;
export function runForeground(env?: NodeJS.ProcessEnv): Promise<number>;
export function main(argv: string[], env?: NodeJS.ProcessEnv): Promise<number>;
