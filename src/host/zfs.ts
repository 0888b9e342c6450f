// zfs(8): which datasets exist, whether they are mounted and where. One call per run, in the
// script-friendly form (-H: tabs, no header; -p: exact values). OpenZFS 2.2 has no JSON output.
import { HostCommandError } from '../errors.ts';
import { firstLine, runTool } from './run.ts';

export interface Dataset {
  name: string;
  mounted: boolean;
  /** As zfs prints it: a path, `legacy`, `none` or `-`. */
  mountpoint: string;
}

/** Lists every filesystem dataset; rejects with HostCommandError when zfs fails or prints what we cannot read. */
export async function listDatasets(zfs: string, opts: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<Dataset[]> {
  const args = ['list', '-H', '-p', '-o', 'name,mounted,mountpoint', '-t', 'filesystem'];
  const r = await runTool(zfs, args, opts);
  if (r.exitCode !== 0) {
    throw new HostCommandError('host-failed', `${zfs} failed: ${firstLine(r)}`, { command: `${zfs} ${args.join(' ')}` });
  }
  return parseZfsList(r.stdout, zfs);
}

/** Parses `zfs list -H -o name,mounted,mountpoint` output; throws HostCommandError on a line without three tab-separated fields. */
export function parseZfsList(text: string, zfs = 'zfs'): Dataset[] {
  const out: Dataset[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    // Tabs only: a mountpoint may contain spaces.
    const f = line.split('\t');
    if (f.length !== 3) {
      throw new HostCommandError('host-garbage', `${zfs} list line ${i + 1} does not have 3 tab-separated fields: ${JSON.stringify(line.slice(0, 80))}`, { command: zfs });
    }
    out.push({ name: f[0]!, mounted: f[1] === 'yes', mountpoint: f[2]! });
  }
  return out;
}
