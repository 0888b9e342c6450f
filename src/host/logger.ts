// logger(1): the boot report in syslog. One call per run with the lines on stdin (logger logs
// each stdin line as its own message), so a hundred containers cost one process, not a hundred.
import { HostCommandError } from '../errors.ts';
import { firstLine, runTool } from './run.ts';

/** Sends `lines` to syslog as `logger -t TAG`; rejects with HostCommandError when logger fails. */
export async function logLines(logger: string, tag: string, lines: string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<void> {
  if (lines.length === 0) return;
  const r = await runTool(logger, ['-t', tag], { ...opts, input: lines.join('\n') + '\n' });
  if (r.exitCode !== 0) throw new HostCommandError('host-failed', `${logger} failed: ${firstLine(r)}`, { command: `${logger} -t ${tag}` });
}
