// Dry-run output for installed files: a unified diff for text, one line for binary content or a
// mode change. The diff itself comes from the rc.conf editor's unifiedDiff (one diff in the project).
import { unifiedDiff } from '../rcconf/diff.ts';
import type { DesiredFile } from './artifacts.ts';
import type { Present } from './fsops.ts';

const octal = (m: number): string => `0${m.toString(8)}`;

/** What writing `want` over `have` (undefined: nothing there) changes at `label`, as text. Pure. */
export function fileDiff(label: string, have: Present | undefined, want: DesiredFile): string {
  const lines: string[] = [];
  if (have && have.mode !== want.mode) lines.push(`mode ${label}: ${octal(have.mode)} -> ${octal(want.mode)}`);
  const sameBytes = have !== undefined && have.content.equals(want.content);
  if (!sameBytes) {
    if (want.binary || isBinary(want.content) || (have && isBinary(have.content))) {
      lines.push(have ? `Binary files a${label} and b${label} differ` : `new binary file ${label} (${want.content.length} bytes, mode ${octal(want.mode)})`);
    } else {
      const d = unifiedDiff(have ? `a${label}` : '/dev/null', `b${label}`, have ? have.content.toString('utf8') : '', want.content.toString('utf8'));
      lines.push(d.endsWith('\n') ? d.slice(0, -1) : d);
    }
  }
  return lines.join('\n');
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8000).includes(0);
}
