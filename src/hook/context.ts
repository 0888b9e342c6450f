// The configuration a hook run works from: rc.conf's variables as the rc.d script exported
// them (same names), parsed by the shared config model.
import { parseContainersConfig, type ContainersConfig, type VarMap } from '../model/config.ts';
import { parseWhole, splitList } from '../model/config.ts';
import { isContainerId, isContainerName } from '../model/names.ts';
import type { HookDeps } from './deps.ts';

export interface HookContext {
  config: ContainersConfig;
  /** Configuration problems, one line each, reported with the run. */
  notes: string[];
  /** rc.shutdown's watchdog: `rcshutdown_timeout` when exported, else 90 (rc.shutdown's default). */
  rcshutdownTimeout: number;
  deps: HookDeps;
  /** kleene_containers_list entries that are not container names or ids: configured, never startable. */
  badEntries: string[];
  /** True when the configuration has an error (a value replaced by its default, a bad entry). */
  configErrors: boolean;
}

/** Builds the context from environment variables; bad values become notes and their defaults. */
export function contextFromEnv(env: VarMap, deps: HookDeps): HookContext {
  const { config, diagnostics } = parseContainersConfig(env);
  const notes = diagnostics.map((d) => `${d.severity}: ${d.variable}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  const raw = env.rcshutdown_timeout;
  let rcshutdownTimeout = 90;
  if (raw !== undefined && raw !== '') {
    const v = parseWhole(raw.trim(), 0, 86_400);
    if (v === undefined) notes.push(`warning: rcshutdown_timeout: '${raw}' is not a number of seconds; using 90`);
    else rcshutdownTimeout = v;
  }
  const badEntries = splitList(env.kleene_containers_list ?? '').filter((e) => !isContainerName(e) && !isContainerId(e));
  const configErrors = diagnostics.some((d) => d.severity === 'error');
  return { config, notes, rcshutdownTimeout, deps, badEntries, configErrors };
}
