// The rc.conf editor as install and uninstall use it (src/rcconf), behind an interface so
// tests can count calls or simulate failures. Install never edits rc.conf text itself.
import { applyEdits } from '../rcconf/editor.ts';

export type RcEdit = { op: 'set'; name: string; value: string } | { op: 'unset'; name: string };

export interface RcChangeDone {
  file: string;
  name: string;
  before: string | undefined;
  after: string | undefined;
}

export interface RcApplyResult {
  changes: RcChangeDone[];
  diff: string;
  changed: boolean;
}

export interface RcApplyOptions {
  root: string;
  file?: string;
  service?: 'kleened' | 'kleene_containers';
  dryRun?: boolean;
  /** Where the editor keeps its timestamped backups (else FILE.bak beside the file). */
  stateDir?: string;
}

export interface RcEditor {
  /** Applies sysrc-style edits (or, with dryRun, only reports them). */
  apply(edits: RcEdit[], opts: RcApplyOptions): Promise<RcApplyResult>;
}

/** The project's rc.conf editor. */
export const defaultRcEditor: RcEditor = {
  apply: async (edits, opts) => {
    const r = await applyEdits(edits, opts);
    return { changes: r.changes.map((c) => ({ file: c.file, name: c.name, before: c.before, after: c.after })), diff: r.diff, changed: r.changed };
  },
};
