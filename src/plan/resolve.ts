// Turning rc.conf entries into kleened container ids. Pure.
// kleened's names are not unique and its lookups match a name or an id prefix (FACTS), so an
// entry must match exactly one container by exact name or exact id; from then on we key on ids.
import { settingsFor, type ContainersConfig } from '../model/config.ts';
import { varPart } from '../model/names.ts';
import type { ContainerFacts } from '../model/facts.ts';
import type { EntryProblem, Target } from './types.ts';

type Match = { ok: true; container: ContainerFacts } | { ok: false; kind: 'unknown' | 'ambiguous'; message: string; hint?: string };

interface ContainerIndex {
  byId: Map<string, ContainerFacts>;
  byName: Map<string, ContainerFacts[]>;
  names: string[];
}

// One index per container list (a run resolves the same list more than once): lookups stay O(1)
// with hundreds of containers and entries. Memoised on the array, so still a pure function.
const indexes = new WeakMap<readonly ContainerFacts[], ContainerIndex>();

function indexOf(containers: readonly ContainerFacts[]): ContainerIndex {
  let ix = indexes.get(containers);
  if (!ix) {
    ix = { byId: new Map(), byName: new Map(), names: [] };
    for (const c of containers) {
      ix.byId.set(c.id, c);
      const bare = c.name.replace(/^\//, '');
      (ix.byName.get(bare) ?? ix.byName.set(bare, []).get(bare)!).push(c);
    }
    ix.names = [...new Set(containers.map((c) => c.name))].sort();
    indexes.set(containers, ix);
  }
  return ix;
}

/** Finds the one container `entry` names (exact name, with or without kleened's leading `/`, or exact id). */
export function matchEntry(entry: string, containers: readonly ContainerFacts[]): Match {
  const ix = indexOf(containers);
  const hits = [...(ix.byName.get(entry.replace(/^\//, '')) ?? [])];
  const byIdHit = ix.byId.get(entry);
  if (byIdHit && !hits.includes(byIdHit)) hits.push(byIdHit);
  if (hits.length === 1) return { ok: true, container: hits[0]! };
  if (hits.length === 0) {
    const names = ix.names;
    return { ok: false, kind: 'unknown', message: `no container is named '${entry}'`,
      hint: names.length ? `known containers are ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : 'kleened has no containers' };
  }
  const ids = hits.map((c) => c.id).sort();
  return { ok: false, kind: 'ambiguous', message: `'${entry}' names ${hits.length} containers (${ids.join(', ')})`,
    hint: 'kleened does not keep names unique: name the container by its id instead' };
}

/**
 * The `kleene_containers_<name>_*` settings of a container: under the entry as written (a name,
 * or an id when the sysadmin listed it by id), else under the container's name, so that
 * `kleene_containers_web_depend` applies to web whether it is listed as `web` or by its id.
 */
function settingsOf(config: ContainersConfig, entry: string, c: ContainerFacts): ReturnType<typeof settingsFor> {
  return settingsFor(config, settingsKey(config, entry, c));
}

/** The name whose `kleene_containers_<name>_*` variables apply: the entry's when set, else the container's. */
function settingsKey(config: ContainersConfig, entry: string, c: ContainerFacts): string {
  return config.perContainer.has(varPart(entry)) ? entry : c.name;
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Resolves kleene_containers_list, the on-startup imports and, transitively, their dependencies (pulled in as jail(8)'s `depend` does). */
export function resolveTargets(config: ContainersConfig, containers: readonly ContainerFacts[]): { targets: Target[]; problems: EntryProblem[] } {
  const targets = new Map<string, Target>();
  const problems: EntryProblem[] = [];
  let order = 0;
  const add = (c: ContainerFacts, entry: string, source: Target['source']): Target => {
    const t: Target = { id: c.id, name: c.name, entry, source, order: order++, settings: settingsOf(config, entry, c),
      depends: [], badDepends: [], onStartup: c.restart_policy === 'on-startup',
      dependVariable: `kleene_containers_${varPart(settingsKey(config, entry, c))}_depend` };
    targets.set(c.id, t);
    return t;
  };

  for (const entry of config.list) {
    const m = matchEntry(entry, containers);
    if (!m.ok) {
      problems.push({ entry, variable: 'kleene_containers_list', kind: m.kind, message: m.message, hint: m.hint });
      continue;
    }
    // The same container listed twice (say by name and by id) is restored once, at its first place.
    if (!targets.has(m.container.id)) add(m.container, entry, 'list');
  }
  if (config.importOnStartup) {
    for (const c of [...containers].sort(byId)) {
      if (c.restart_policy === 'on-startup' && !targets.has(c.id)) add(c, c.name, 'import');
    }
  }
  // Dependencies: resolve each target's `_depend` entries; one not configured is pulled in.
  const queue = [...targets.values()];
  while (queue.length > 0) {
    const t = queue.shift()!;
    // Every dependency is honoured, because dropping one would start a container before what it needs: a value that is not a name, or names no single
    // container, blocks the container (and so its dependents) instead of being dropped.
    for (const bad of t.settings.badDepend ?? []) {
      t.badDepends.push(`${t.dependVariable}: '${bad}' is not a container name or id`);
    }
    for (const dep of t.settings.depend) {
      const m = matchEntry(dep, containers);
      if (!m.ok) {
        t.badDepends.push(`${t.dependVariable}: dependency '${dep}': ${m.message}`);
        continue;
      }
      if (!t.depends.includes(m.container.id)) t.depends.push(m.container.id);
      if (!targets.has(m.container.id)) queue.push(add(m.container, dep, 'depend'));
    }
  }
  return { targets: [...targets.values()], problems };
}
