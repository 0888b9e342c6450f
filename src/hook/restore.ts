// `restore`: find kleened (fast when it is down), then stream: jls, zfs and the volume list run
// concurrently, then one inspect per volume whose dataset is not where kleened expects it (none
// on a healthy host) says which containers it would hold back; each container starts as soon as
// what decides it is known, so the first start does not wait for the slowest fact. No request is
// made per container before its start. The decisions are the plan's (planSkeleton, decideOwn).
import { planSkeleton, volumeProblem } from '../plan/restore.ts';
import type { EntryProblem, Got, Target } from '../plan/types.ts';
import type { VolumeFacts } from '../model/facts.ts';
import type { PreparedStart } from '../kleened/types.ts';
import { hostPath, since, type HookContext } from './context.ts';
import { RestoreRun, type StartActions } from './execute.ts';
import { INVENTORY_TIMEOUT_MS, datasetsFact, got, jailsFact, mountsFact } from './inventory.ts';
import { JailWatch } from './jail-watch.ts';
import { awaitKleened, resolveAddress } from './kleened-up.ts';
import { RUNS, type ContainerResult } from '../model/run.ts';
import { waitReady } from './ready.ts';
import type { Report } from './report.ts';

/** Results for rc.conf entries that are not names, name no container, or name several. */
export function problemResults(problems: EntryProblem[], ctx: HookContext): ContainerResult[] {
  return [
    ...ctx.badEntries.map((e): ContainerResult => ({ name: e, entry: e, outcome: 'unknown',
      reason: 'kleene_containers_list: not a container name or id' })),
    ...problems.map((p): ContainerResult => ({ name: p.entry, entry: p.entry, outcome: p.kind,
      reason: `${p.variable}: ${p.message}${p.hint ? ` (${p.hint})` : ''}` })),
  ];
}

/** A report where kleened could not be asked anything: every configured entry fails with the same reason. */
export function unreachableReport(command: string, ctx: HookContext, err: unknown, extra = ''): Report {
  const reason = (err instanceof Error ? err.message : String(err)) + extra;
  const results: ContainerResult[] = [...ctx.config.list, ...ctx.badEntries].map((e) => ({ name: e, entry: e, outcome: 'failed', reason }));
  ctx.onEvent({ type: 'kleened-down', at: since(ctx), reason });
  return { command, ok: false, results, notes: [...ctx.notes, `error: ${reason}`] };
}

/** How long starts in flight may take to end once the restore is asked to end (SIGTERM). */
export const CANCEL_GRACE_MS = 2_000;

/** What a run ended by a signal says of what it did not do. */
export function endedReason(signal: AbortSignal): string {
  return `the restore was ended by ${String(signal.reason ?? 'a signal')}`;
}

/** A report where nothing was done (the lock not taken, or ended before kleened answered): every configured entry gets `outcome` and `reason`. */
export function notDoneReport(command: string, ctx: HookContext, outcome: 'blocked' | 'failed', reason: string): Report {
  const results: ContainerResult[] = [...ctx.config.list, ...ctx.badEntries].map((e) => ({ name: e, entry: e, outcome, reason }));
  return { command, ok: false, results, notes: [...ctx.notes] };
}

/** Resolves after `n` turns of the event loop (each a setImmediate). */
function nextTurns(n: number): Promise<void> {
  return new Promise((resolve) => {
    const turn = (left: number): void => { if (left <= 0) resolve(); else setImmediate(() => turn(left - 1)); };
    turn(n);
  });
}

/** Rejects once `signal` aborts; never settles otherwise. */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    const fire = (): void => reject(new Ended(endedReason(signal)));
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

class Ended extends Error {}

/** True when the configuration names nothing to restore (then kleened need not even be asked). */
export function nothingConfigured(ctx: HookContext): boolean {
  return ctx.config.list.length === 0 && !ctx.config.importOnStartup && ctx.badEntries.length === 0;
}

/** Restores the configured containers; resolves to the report (ok only when every one runs at the end); never rejects. */
export async function runRestore(ctx: HookContext): Promise<Report> {
  const { config, deps } = ctx;
  if (nothingConfigured(ctx)) return { command: 'restore', ok: true, results: [], notes: [...ctx.notes, 'nothing to restore: kleene_containers_list is empty'] };
  // jls and zfs do not need kleened: while its process is alive they run alongside the wait.
  // When it is not, nothing is spawned, so a kleened that is down costs no more than its check.
  let jails: ReturnType<typeof jailsFact> | undefined;
  let datasets: ReturnType<typeof datasetsFact> | undefined;
  let volumeList: Promise<Got<VolumeFacts[]>> | undefined;
  let address: string;
  let api: ReturnType<typeof deps.api>;
  let containers;
  try {
    address = (await resolveAddress(ctx)).address;
    api = deps.api(address);
    const alive = deps.kleenedProcess(hostPath(ctx, ctx.files.pidfile)).state === 'alive';
    // Beside the container list, not after it: every container waits for the volume facts
    // (any may mount any volume), so asked later it cost every restore a round trip before
    // its first start.
    if (alive) volumeList = got(api.listVolumes(AbortSignal.timeout(INVENTORY_TIMEOUT_MS)));
    // SIGTERM while kleened is awaited: nothing was started, nothing will be.
    const listed = Promise.race([awaitKleened(ctx, address, config.waitTimeout * 1000), untilAborted(ctx.cancel)]);
    // (Handled below; until then a rejection must not count as unhandled.)
    listed.catch(() => {});
    if (alive) {
      // jls and zfs once both requests are written: node writes a request on a new connection
      // when the connection's completion is taken, in the next turn of the event loop, and each
      // spawn holds the thread (forking node) 2-4 ms. Spawned first, they delayed the container
      // list, the slowest fact, by their whole cost.
      await nextTurns(2);
      jails = jailsFact(ctx);
      datasets = datasetsFact(ctx);
    }
    // While jls, zfs and the container list are answered: the first start frame then does not
    // wait for the WebSocket client's module code (about 8 ms).
    setImmediate(() => api.preloadStarts?.());
    containers = await listed;
  } catch (err) {
    if (err instanceof Ended) return notDoneReport('restore', ctx, 'blocked', `not started: ${err.message}`);
    return unreachableReport('restore', ctx, err);
  }
  jails ??= jailsFact(ctx);
  datasets ??= datasetsFact(ctx);

  const skel = planSkeleton(config, containers);
  const watch = new JailWatch(() => deps.listJails(config.tools.jls, { timeoutMs: INVENTORY_TIMEOUT_MS }));
  const actions: StartActions = {
    start: (t, signal, prepared, sent) => api.startContainer(t.id, signal, prepared as PreparedStart | undefined, sent),
    ...(api.prepareStart ? { prepare: (t: Target) => api.prepareStart!(t.id) } : {}),
    ready: (t, signal) => waitReady(t.settings.ready, t.id, config.tools.jexec, deps, signal),
    jail: (id, deadline, urgent) => watch.want(id, deadline, urgent),
    idle: () => watch.flush(),
  };
  const run = new RestoreRun(skel, containers, actions, {
    jobs: config.jobs,
    startTimeoutMs: config.startTimeout * 1000,
    emit: ctx.onEvent,
    at: () => since(ctx),
  });
  // SIGTERM (a stop is coming): nothing more is started; the run ends, reports and records.
  const cancel = ctx.cancel;
  if (cancel) {
    if (cancel.aborted) run.cancel(endedReason(cancel), CANCEL_GRACE_MS);
    else cancel.addEventListener('abort', () => run.cancel(endedReason(cancel), CANCEL_GRACE_MS), { once: true });
  }

  // The facts, each fed to the run the moment it arrives. The volume list and zfs's datasets,
  // then the inspects of the volumes whose dataset is not where kleened expects it: only a
  // container that mounts one of those is held back, so only their mountpoints matter, and a
  // host whose volumes are all in place asks none. Until they are in, no container's mounts
  // are known (any may mount any volume).
  const volumes = async (): Promise<void> => {
    let list = volumeList ? await volumeList : undefined;
    // Asked before kleened answered, it may have found no API yet: asked again, now that it does.
    if (!list?.ok) list = await got(api.listVolumes(AbortSignal.timeout(INVENTORY_TIMEOUT_MS)));
    run.setVolumes(list);
    const ds = await datasets!;
    const suspect: typeof list = list.ok ? { ok: true, value: list.value.filter((v) => volumeProblem(v, ds) !== undefined) } : list;
    run.setVolumeMounts(await mountsFact(api, suspect));
  };
  void Promise.all([
    jails.then((g) => run.setJails(g)),
    datasets.then((g) => run.setDatasets(g)),
    volumes(),
  ]).catch((err: unknown) => {
    // A bug while applying a fact must not leave the run waiting for facts forever.
    ctx.notes.push(`error: taking the inventory: ${err instanceof Error ? err.message : String(err)}`);
  }).then(() => {
    ctx.onEvent({ type: 'inventory-done', at: since(ctx) });
    run.factsComplete();
  });
  const byId = await run.done;
  const results = [...problemResults(skel.problems, ctx), ...skel.order.map((id) => byId.get(id)!)];
  return { command: 'restore', ok: results.every((r) => RUNS.has(r.outcome)), results, notes: [...ctx.notes] };
}
