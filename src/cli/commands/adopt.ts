// `kleene-boot adopt [--dry-run]`: take the containers kleened starts by itself (restart_policy
// on-startup: one by one, no order, re-running commands in live jails, ignoring failed volume
// mounts; FACTS) over into kleene_containers_list, then set their policy to "no" so only the
// checked restore starts them. rc.conf is edited first: if that fails, kleened still starts them
// as before instead of nobody starting them.
import type { CommandModule } from 'yargs';
import { ApiError, KleeneBootError } from '../../errors.ts';
import { acquireLock, lockPathFor, onTerminate, type HeldLock } from '../../hook/lock.ts';
import { createKleenedClient } from '../../kleened/client.ts';
import { waitForApi } from '../../kleened/wait-api.ts';
import { parseContainersConfig } from '../../model/config.ts';
import { planAdopt } from '../../plan/adopt.ts';
import { applyEdits, type RcEdit } from '../../rcconf/editor.ts';
import { readHostVars } from './restore.ts';

interface AdoptArgs {
  root: string;
  'dry-run'?: boolean;
}

const API_TIMEOUT_MS = 10_000;

export const adoptCommand: CommandModule<object, AdoptArgs> = {
  command: 'adopt',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', describe: 'Show what would change; change nothing' }) as never,
  handler: async (argv) => {
    const { config } = parseContainersConfig(await readHostVars(argv.root));
    // The host-wide lock, as restore and stop take it: a restore going meanwhile would read a
    // kleene_containers_list and restart policies half changed. --dry-run changes nothing.
    let lock: HeldLock | undefined;
    const undo = argv['dry-run'] === true ? undefined : onTerminate(() => process.exit(143));
    try {
      if (argv['dry-run'] !== true) lock = await takeAdoptLock(argv.root, config.waitTimeout);
      await adopt(argv, config);
    } finally {
      lock?.release();
      undo?.();
    }
  },
};

/** Takes the lock (waiting up to kleene_containers_wait_timeout), or throws saying who holds it. */
async function takeAdoptLock(root: string, waitTimeout: number): Promise<HeldLock> {
  const path = lockPathFor(process.env, root);
  const r = await acquireLock({
    path, pid: process.pid, command: 'adopt', preempt: false, waitMs: waitTimeout * 1000, onTimeout: 'refuse',
    say: (line) => process.stderr.write(`kleene-boot: adopt: ${line}\n`),
  });
  if ('held' in r) return r.held;
  const why = 'refused' in r ? r.refused : 'the lock was not taken';
  throw new KleeneBootError('locked', `nothing changed: ${why}`, { command: 'adopt' },
    'run adopt again once the restore or stop holding it has ended');
}

async function adopt(argv: AdoptArgs, config: ReturnType<typeof parseContainersConfig>['config']): Promise<void> {
  await waitForApi(config.socket, Math.min(config.waitTimeout * 1000, 5000));
  const containers = await createKleenedClient(config.socket).listContainers(AbortSignal.timeout(API_TIMEOUT_MS));
  const steps = planAdopt(containers, config.list);
  if (steps.length === 0) {
    process.stdout.write('adopt: no container has restart_policy on-startup: nothing to do\n');
    return;
  }
  const dry = argv['dry-run'] === true;
  const edits: RcEdit[] = steps.filter((s) => s.addToList).map((s) => ({ op: 'add', name: 'kleene_containers_list', item: s.entry }));
  if (edits.length > 0) {
    const r = await applyEdits(edits, { root: argv.root, dryRun: dry });
    for (const w of r.warnings) process.stderr.write(`kleene-boot: warning: ${w}\n`);
    if (dry) process.stdout.write(r.diff);
  }
  let failed = 0;
  const api = createKleenedClient(config.socket);
  for (const s of steps) {
    const who = `${s.name} (${s.id})`;
    const listed = s.addToList ? `added to kleene_containers_list as ${s.entry}` : 'already in kleene_containers_list';
    if (dry) {
      process.stdout.write(`${who}: would be ${listed.replace(/^already/, 'left, already')}; restart_policy on-startup -> no\n`);
      continue;
    }
    try {
      const c = containers.find((x) => x.id === s.id)!;
      await api.setRestartPolicy(c, 'no', AbortSignal.timeout(API_TIMEOUT_MS));
      process.stdout.write(`${who}: ${listed}; restart_policy on-startup -> no\n`);
    } catch (err) {
      failed++;
      const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      process.stdout.write(`${who}: ${listed}; restart_policy NOT changed: ${msg}\n`);
    }
  }
  if (failed > 0) {
    process.stderr.write(`kleene-boot: adopt: ${failed} container(s) keep restart_policy on-startup: kleened will also start them (restore then finds them running)\n`);
    process.exitCode = 1;
  }
}

