// Where kleened's API listens. kleened reads it from config.yaml's `api_listening_sockets`
// (a list of `{address, tlscert, ...}`; addresses `http:///path` (unix socket), `http://IP:PORT`,
// `https://...` (TLS); FACTS), at a path hard-coded in kleened. kleene-boot uses the same
// source: rc.conf's kleened_socket when set, else the first unix socket of config.yaml, else its
// first plain TCP listener. The yaml parser is loaded only when config.yaml is read.
import type { KleenedAddress } from './http.ts';

/** kleened's own default listener (config.yaml's example, FACTS). */
export const DEFAULT_SOCKET = '/var/run/kleened.sock';

export type Listener =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; address: string }
  | { kind: 'tls'; address: string };

/** Parses one `address` of api_listening_sockets; a string saying why when it is none of kleened's four forms. */
export function parseListener(address: string): Listener | string {
  const m = /^(https?):\/\/(.*)$/.exec(address);
  if (!m) return `'${address}' is not http://HOST:PORT, http:///PATH or https://…`;
  if (m[1] === 'https') return { kind: 'tls', address };
  const rest = m[2]!;
  if (rest.startsWith('/')) {
    if (/[\0\n]/.test(rest) || rest.length < 2) return `'${address}' names no socket path`;
    return { kind: 'unix', path: rest };
  }
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}\/?$/.test(rest)) return `'${address}' is not http://HOST:PORT`;
  return { kind: 'tcp', address: `http://${rest.replace(/\/$/, '')}` };
}

/**
 * The `address` of each api_listening_sockets entry when config.yaml is written in the plain
 * block layout of kleened's example (`api_listening_sockets:` then `  - address: "…"` items);
 * undefined whenever anything else could be going on (anchors, flow style, tabs, escapes, block
 * scalars, several documents), and then the yaml parser decides. Loading and running the yaml
 * parser costs a boot tens of milliseconds for three lines, and the hook's start-up is on every boot's path.
 */
export function quickListenAddresses(text: string): string[] | undefined {
  if (/[\t\r&*!{}[\]|>%@`\\]/.test(text) || /^(---|\.\.\.)/m.test(text)) return undefined;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^api_listening_sockets:\s*(#.*)?$/.test(l));
  if (at < 0 || lines.some((l, i) => i !== at && /^\s*api_listening_sockets\s*:/.test(l))) return undefined;
  const out: string[] = [];
  let indent: number | undefined;
  for (const line of lines.slice(at + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (!/^\s/.test(line)) break;
    const item = /^( +)- ([A-Za-z_]+):\s*(.*)$/.exec(line);
    const more = /^( +)([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (item) {
      if (indent !== undefined && item[1]!.length !== indent) return undefined;
      indent = item[1]!.length;
      out.push('');
    } else if (!more || indent === undefined || more[1]!.length !== indent + 2) return undefined;
    const [key, raw] = item ? [item[2]!, item[3]!] : [more![2]!, more![3]!];
    const v = quickScalar(raw);
    if (v === undefined) return undefined;
    if (key === 'address') {
      if (out[out.length - 1] !== '') return undefined;
      out[out.length - 1] = v;
    }
  }
  return out.length > 0 && out.every((a) => a !== '') ? out : undefined;
}

/** A plain, single- or double-quoted scalar with no escapes and an optional comment; undefined otherwise. */
function quickScalar(raw: string): string | undefined {
  const m = /^("([^"]*)"|'([^']*)'|([^\s#'"][^#]*?))\s*(#.*)?$/.exec(raw);
  if (!m) return undefined;
  return m[2] ?? m[3] ?? m[4];
}

/** The address kleene-boot should use from config.yaml's text, or an error naming the file and what to do. */
export async function addressFromConfigYaml(text: string, file: string): Promise<{ address: KleenedAddress } | { error: string }> {
  const quick = quickListenAddresses(text);
  let list: unknown;
  if (quick) {
    list = quick.map((address) => ({ address }));
  } else {
    const { parse } = await import('yaml');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      return { error: `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
    }
    list = (doc as Record<string, unknown> | null)?.api_listening_sockets;
  }
  if (!Array.isArray(list) || list.length === 0) return { error: `${file} has no api_listening_sockets list` };
  const listeners: Listener[] = [];
  for (const [i, e] of list.entries()) {
    const a = (e as Record<string, unknown> | null)?.address;
    if (typeof a !== 'string') return { error: `${file}: api_listening_sockets entry ${i + 1} has no address` };
    const l = parseListener(a);
    if (typeof l === 'string') return { error: `${file}: api_listening_sockets entry ${i + 1}: ${l}` };
    listeners.push(l);
  }
  const unix = listeners.find((l) => l.kind === 'unix');
  if (unix && unix.kind === 'unix') return { address: unix.path };
  const tcp = listeners.find((l) => l.kind === 'tcp');
  if (tcp && tcp.kind === 'tcp') return { address: tcp.address };
  return { error: `${file} lists only TLS listeners (${listeners.map((l) => (l as { address: string }).address).join(', ')}), which kleene-boot cannot use: add an http:///var/run/kleened.sock listener to it, or set kleened_socket in rc.conf to a plain listener` };
}

export interface AddressChoice {
  address: KleenedAddress;
  /** Where it came from, for messages and doctor. */
  source: 'kleened_socket' | 'config.yaml' | 'default';
  /** Why config.yaml could not be used (then the address is kleened's default), or is unusable (then `fatal`). */
  problem?: string;
  /** True when no address can be used at all (only TLS listeners, no kleened_socket; config.yaml unreadable). */
  fatal?: boolean;
  /** config.yaml exists and cannot be read (permission): an error, never "use the default". */
  unreadable?: boolean;
}

/**
 * rc.conf's kleened_socket (set and not empty) wins; else config.yaml's; when config.yaml cannot
 * be read or parsed, kleened's default socket with the problem noted; a config.yaml with only
 * TLS listeners is fatal (kleene-boot speaks no TLS).
 */
export async function chooseAddress(kleenedSocket: string | undefined, configPath: string,
  readText: (path: string) => Promise<string>): Promise<AddressChoice> {
  if (kleenedSocket !== undefined && kleenedSocket !== '') return { address: kleenedSocket, source: 'kleened_socket' };
  let text: string;
  try {
    text = await readText(configPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    // Guessing kleened's default address would hide that this run cannot see its configuration.
    if (code === 'EACCES' || code === 'EPERM') {
      return { address: DEFAULT_SOCKET, source: 'default', problem: `cannot read ${configPath}: permission denied`, fatal: true, unreadable: true };
    }
    return { address: DEFAULT_SOCKET, source: 'default', problem: `cannot read ${configPath} (${code}); using ${DEFAULT_SOCKET}` };
  }
  const r = await addressFromConfigYaml(text, configPath);
  if ('address' in r) return { address: r.address, source: 'config.yaml' };
  if (/only TLS listeners/.test(r.error)) return { address: DEFAULT_SOCKET, source: 'config.yaml', problem: r.error, fatal: true };
  return { address: DEFAULT_SOCKET, source: 'default', problem: `${r.error}; using ${DEFAULT_SOCKET}` };
}
