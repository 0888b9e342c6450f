// Which containers `adopt` takes over from kleened's own on-startup policy. Pure.
import type { ContainerFacts } from '../model/facts.ts';

export interface AdoptStep {
  id: string;
  name: string;
  /** Add this entry to kleene_containers_list (false when the list already names the container). */
  addToList: boolean;
  /** The entry to add: the name when it is unique, else the id (names are not unique, FACTS). */
  entry: string;
}

/** Lists the on-startup containers to adopt, by id order; entries by name only when the name is unambiguous. */
export function planAdopt(containers: readonly ContainerFacts[], list: readonly string[]): AdoptStep[] {
  const named = (c: ContainerFacts): boolean => list.some((e) => e === c.id || e.replace(/^\//, '') === c.name.replace(/^\//, ''));
  return containers
    .filter((c) => c.restart_policy === 'on-startup')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => {
      const unique = containers.filter((x) => x.name === c.name).length === 1;
      return { id: c.id, name: c.name, addToList: !named(c), entry: unique ? c.name.replace(/^\//, '') : c.id };
    });
}
