// jls(8): which jails run. One call per run. Parameters are named because plain
// `jls --libxo json` has no `name` field (../shared/freebsd/FACTS.md), and kleened's jail name
// is the container id, while the hostname may have been changed by jail_param.
import { HostCommandError } from '../errors.ts';
import { firstLine, runTool, type Resident } from './run.ts';

export interface Jail {
  jid: number;
  name: string;
}

/** Lists running jails with `jls --libxo json jid name`; rejects with HostCommandError when jls fails or prints what we cannot read. */
export async function listJails(jls: string, opts: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv; resident?: Resident }): Promise<Jail[]> {
  const args = ['--libxo', 'json', 'jid', 'name'];
  const r = await runTool(jls, args, opts);
  if (r.exitCode !== 0) {
    throw new HostCommandError('host-failed', `${jls} failed: ${firstLine(r)}`, { command: `${jls} ${args.join(' ')}` });
  }
  return parseJlsJson(r.stdout, jls);
}

/** Parses jls' libxo JSON (`{"jail-information": {"jail": [...]}}`); throws HostCommandError on anything else. */
export function parseJlsJson(text: string, jls = 'jls'): Jail[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HostCommandError('host-garbage', `${jls} printed something that is not JSON`, { command: jls });
  }
  const info = (doc as Record<string, unknown> | null)?.['jail-information'] as Record<string, unknown> | undefined;
  if (!info || typeof info !== 'object') {
    throw new HostCommandError('host-garbage', `${jls}'s JSON has no jail-information`, { command: jls });
  }
  // libxo omits the list entirely when no jail runs.
  const list = info.jail ?? [];
  if (!Array.isArray(list)) throw new HostCommandError('host-garbage', `${jls}'s jail-information.jail is not a list`, { command: jls });
  return list.map((j: Record<string, unknown>) => {
    if (!j || typeof j.name !== 'string') {
      throw new HostCommandError('host-garbage', `${jls} printed a jail without a name`, { command: jls });
    }
    return { jid: Number(j.jid), name: j.name };
  });
}
