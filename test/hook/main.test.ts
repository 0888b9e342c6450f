// runHook with doubles for every adapter: the wiring from environment to report, without processes.
import t from 'tap';
import { runHook } from '../../src/hook/main.ts';
import { NO_PIDFILE_GRACE_MS } from '../../src/hook/kleened-up.ts';
import type { HookDeps } from '../../src/hook/deps.ts';
import type { ContainerSummary, KleenedApi } from '../../src/kleened/types.ts';

function fakeDeps(containers: ContainerSummary[], running: string[]) {
  const calls = { log: [] as string[][], started: [] as string[], stopped: [] as string[], out: '', err: '' };
  const jails = new Set(running);
  const api: KleenedApi = {
    listContainers: async () => containers,
    inspectContainer: async (id) => ({ container: containers.find((c) => c.id === id)!, container_mountpoints: [] }),
    listVolumes: async () => [],
    inspectVolume: async (name) => { throw new Error(`no volume ${name}: none is listed`); },
    startContainer: async (id) => { calls.started.push(id); jails.add(id); },
    stopContainer: async (id) => { calls.stopped.push(id); jails.delete(id); },
    setRestartPolicy: async () => {},
  };
  const deps: HookDeps = {
    api: () => api,
    waitForApi: async () => {},
    kleenedProcess: () => ({ state: 'alive', pid: 1 }),
    readText: async () => 'api_listening_sockets:\n  - address: "http:///var/run/kleened.sock"\n',
    listJails: async () => [...jails],
    listDatasets: async () => [],
    execInJail: async () => 0,
    probeTcp: async () => true,
    log: async (_logger, tag, lines) => { calls.log.push([tag, ...lines]); },
    stdout: (s) => { calls.out += s; },
    stderr: (s) => { calls.err += s; },
  };
  return { deps, calls };
}

const boxes: ContainerSummary[] = ['aaaaaaaaaaa1', 'aaaaaaaaaaa2', 'aaaaaaaaaaa3'].map((id, k) => ({ id, name: `box${k}` }));

t.test('restore logs its whole report in one logger call tagged kleene_containers', async (t) => {
  const { deps, calls } = fakeDeps(boxes, ['aaaaaaaaaaa2']);
  const code = await runHook(['restore'], { kleene_containers_list: 'box0 box1 box2' }, deps);
  t.equal(code, 0);
  t.same(calls.started, ['aaaaaaaaaaa1', 'aaaaaaaaaaa3']);
  t.equal(calls.log.length, 1, 'one logger call');
  t.equal(calls.log[0]![0], 'kleene_containers');
  t.same(calls.log[0]!.slice(1), calls.out.trimEnd().split('\n'), 'the same lines as stdout');
});

/**
 * fakeDeps whose kleened answers the container list only once `answerList()` is called (or after
 * 300 ms whatever happens: no hang when it never is), noting in `order` when it was asked and answered.
 */
function heldList() {
  const { deps, calls } = fakeDeps(boxes, []);
  const order: string[] = [];
  const api = deps.api('');
  let answerList!: () => void;
  const listed = new Promise<void>((r) => { answerList = r; setTimeout(r, 300); });
  const listContainers: KleenedApi['listContainers'] = async (signal) => {
    order.push('list asked');
    await listed;
    order.push('list answered');
    return api.listContainers(signal);
  };
  return { deps, calls, order, api, answerList, listContainers };
}

t.test('restore loads what a start needs while the container list is asked, before the first start', async (t) => {
  // Mutation: dropping the preloadStarts call from runRestore fails this. kleened answers once the preload has run.
  const { deps, calls, order, api, answerList, listContainers } = heldList();
  deps.api = () => ({
    ...api,
    listContainers,
    startContainer: async (id, signal) => { order.push('start'); return api.startContainer(id, signal); },
    preloadStarts: () => { order.push('preload'); answerList(); },
  });
  const code = await runHook(['restore'], { kleene_containers_list: 'box0' }, deps);
  t.equal(code, 0, calls.out);
  t.same(order, ['list asked', 'preload', 'list answered', 'start'], 'preloaded while waiting for kleened, once');
});

t.test('restore asks for the volume list beside the container list, not after its answer', async (t) => {
  // Every container waits for the volume facts, so asking after the container list put a round
  // trip before every first start. Here kleened answers the container list only once the volume
  // list has been asked (after 300 ms whatever happens). Mutation: asking for the volumes
  // after the list (restore.ts's early volumeList) fails the order.
  const { deps, calls, order, api, answerList, listContainers } = heldList();
  let volumeLists = 0;
  deps.api = () => ({
    ...api,
    listContainers,
    listVolumes: async (signal) => { volumeLists++; order.push('volumes asked'); answerList(); return api.listVolumes(signal); },
  });
  const code = await runHook(['restore'], { kleene_containers_list: 'box0' }, deps);
  t.equal(code, 0, calls.out);
  t.same(order, ['volumes asked', 'list asked', 'list answered'], 'the volume list is asked while the container list is');
  t.equal(volumeLists, 1, 'once');
});

t.test('restore spawns jls and zfs once both requests are out, while the list is awaited', async (t) => {
  // The container list is the slowest fact (kleened's answer); each spawn holds the thread 2-4
  // ms, and node writes a request on a new connection only a turn later. Here kleened answers
  // the list once jls is asked (after 300 ms whatever happens). Mutations: spawning before the
  // requests are made (the order before) fails the first places; spawning after the list's
  // answer fails the last. That the requests are also written first (restore.ts's nextTurns)
  // needs real sockets: the bench shows it (the list reaches kleened 15-24 ms sooner).
  const { deps, calls, order, api, answerList, listContainers } = heldList();
  deps.api = () => ({ ...api, listContainers, listVolumes: async (signal) => { order.push('volumes asked'); return api.listVolumes(signal); } });
  const listJails = deps.listJails;
  deps.listJails = async (...a) => { order.push('jls'); answerList(); return listJails(...a); };
  const listDatasets = deps.listDatasets;
  deps.listDatasets = async (...a) => { order.push('zfs'); return listDatasets(...a); };
  const code = await runHook(['restore'], { kleene_containers_list: 'box0' }, deps);
  t.equal(code, 0, calls.out);
  t.same(order.slice(0, 5), ['volumes asked', 'list asked', 'jls', 'zfs', 'list answered']);
});

t.test('a volume list asked before kleened answered is asked again once it does', async (t) => {
  // kleened's API is not up at the first attempt: the early volume list fails with it.
  const { deps, calls } = fakeDeps(boxes, []);
  const api = deps.api('');
  let up = false;
  let volumeLists = 0;
  deps.api = () => ({
    ...api,
    listContainers: async (signal) => {
      if (!up) { up = true; throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'api-unreachable' }); }
      return api.listContainers(signal);
    },
    listVolumes: async (signal) => {
      volumeLists++;
      if (volumeLists === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'api-unreachable' });
      return api.listVolumes(signal);
    },
  });
  const code = await runHook(['restore'], { kleene_containers_list: 'box0' }, deps);
  t.equal(code, 0, calls.out);
  t.same(calls.started, ['aaaaaaaaaaa1'], 'box0 started: its volume facts were taken again');
  t.equal(volumeLists, 2);
});

t.test('stop goes through the same adapters, dependents first, and is logged once', async (t) => {
  const { deps, calls } = fakeDeps(boxes, boxes.map((b) => b.id));
  const code = await runHook(['stop'], { kleene_containers_list: 'box0 box1 box2', kleene_containers_box1_depend: 'box0' }, deps);
  t.equal(code, 0, calls.out);
  // box1 heads the chain box1 -> box0 and goes first, box2 beside it; box0 once box1 has stopped.
  t.same(calls.stopped, ['aaaaaaaaaaa2', 'aaaaaaaaaaa3', 'aaaaaaaaaaa1']);
  t.equal(calls.log.length, 1);
});

t.test('check and plan never start, stop or log; check fails while a configured container does not run', async (t) => {
  for (const verb of ['check', 'plan']) {
    const { deps, calls } = fakeDeps(boxes, []);
    const code = await runHook([verb], { kleene_containers_list: 'box0' }, deps);
    // rc.d status (= check) is non-zero when a container that should run does not.
    t.equal(code, verb === 'check' ? 1 : 0, verb);
    t.same([calls.started, calls.stopped, calls.log], [[], [], []], verb);
  }
  const { deps } = fakeDeps(boxes, ['aaaaaaaaaaa1']);
  t.equal(await runHook(['check'], { kleene_containers_list: 'box0' }, deps), 0, 'check is ok once it runs');
});

t.test('kleened crashed (its pidfile names a dead pid, no answer) fails every entry at once, saying how to start it', async (t) => {
  const { deps, calls } = fakeDeps(boxes, []);
  let tries = 0;
  deps.kleenedProcess = () => ({ state: 'dead', pid: 99999 });
  deps.api = () => ({ ...fakeDeps(boxes, []).deps.api('/s'), listContainers: async () => { tries++; throw new Error('cannot reach kleened at /s: ENOENT'); } });
  const t0 = Date.now();
  const code = await runHook(['restore'], { kleene_containers_list: 'box0 box1', kleene_containers_wait_timeout: '30' }, deps);
  t.equal(code, 1);
  t.ok(Date.now() - t0 < 1000, 'no wait');
  t.equal(tries, 1, 'one try');
  t.match(calls.out, /^box0: failed: kleened is not running \(\/var\/run\/kleened\.pid names pid 99999, which is gone; cannot reach kleened at \/s: ENOENT\): start it with `service kleened start`; its log is \/var\/log\/kleened\.log$/m);
  t.match(calls.out, /^box1: failed: kleened is not running/m);
});

t.test('no pidfile and no answer: kleened is not running once the start grace is over, not after the wait timeout', async (t) => {
  // Mutation tried: NO_PIDFILE_GRACE_MS ignored (no `starting` in awaitKleened): one try, and the
  // next test's starting kleened is reported not running.
  const { deps, calls } = fakeDeps(boxes, []);
  let tries = 0;
  deps.kleenedProcess = () => ({ state: 'no-pidfile' });
  deps.api = () => ({ ...fakeDeps(boxes, []).deps.api('/s'), listContainers: async () => { tries++; throw new Error('cannot reach kleened at /s: ENOENT'); } });
  const t0 = Date.now();
  const code = await runHook(['restore'], { kleene_containers_list: 'box0 box1', kleene_containers_wait_timeout: '30' }, deps);
  const ms = Date.now() - t0;
  t.equal(code, 1);
  t.ok(ms >= NO_PIDFILE_GRACE_MS && ms < 30_000, `the grace, not the wait timeout (${ms} ms)`);
  t.ok(tries > 1, `asked again during the grace (${tries} tries)`);
  t.match(calls.out, /^box0: failed: kleened is not running \(no pidfile \/var\/run\/kleened\.pid; cannot reach kleened at \/s: ENOENT\): start it with `service kleened start`; its log is \/var\/log\/kleened\.log$/m);
});

t.test('kleened just started (`kleened daemon` returned, no pidfile yet): waited for, then restored', async (t) => {
  const { deps, calls } = fakeDeps(boxes, []);
  const t0 = Date.now();
  // The VM writes its pidfile 300 ms after `kleened daemon` returned, and answers 600 ms later.
  deps.kleenedProcess = () => (Date.now() - t0 < 300 ? { state: 'no-pidfile' } : { state: 'alive', pid: 4242 });
  const api = deps.api('/s');
  deps.api = () => ({ ...api, listContainers: async (signal) => {
    if (Date.now() - t0 < 900) throw new Error('cannot reach kleened at /s: ENOENT');
    return api.listContainers(signal);
  } });
  const code = await runHook(['restore'], { kleene_containers_list: 'box0', kleene_containers_wait_timeout: '10' }, deps);
  t.equal(code, 0, calls.out);
  t.same(calls.started, ['aaaaaaaaaaa1']);
});

t.test('kleened alive but not answering: waited for, bounded by the wait timeout (kleened_ready_timeout by default)', async (t) => {
  const { deps, calls } = fakeDeps(boxes, []);
  let tries = 0;
  deps.api = () => ({ ...fakeDeps(boxes, []).deps.api('/s'), listContainers: async () => { tries++; throw new Error('ECONNREFUSED'); } });
  const t0 = Date.now();
  const code = await runHook(['restore'], { kleene_containers_list: 'box0', kleened_ready_timeout: '1' }, deps);
  t.equal(code, 1);
  t.ok(Date.now() - t0 >= 1000, 'waited the whole second');
  t.ok(tries > 2, `and kept asking (${tries} tries)`);
  t.match(calls.out, /^box0: failed: kleened's API at \/var\/run\/kleened\.sock did not answer within 1 s \(kleened runs as pid 1\): ECONNREFUSED; see \/var\/log\/kleened\.log$/m);
});

t.test('a container name or kleened message with a newline cannot forge a report line', async (t) => {
  // kleened's update sets a name without checking it; messages are kleened's own text.
  const evil: ContainerSummary[] = [{ id: 'aaaaaaaaaaa1', name: 'ok-name' }, { id: 'aaaaaaaaaaa2', name: 'x\nrestore: ok: all fine' }];
  const { deps, calls } = fakeDeps(evil, []);
  const api = deps.api('/s');
  deps.api = () => ({ ...api, startContainer: async () => { throw new Error('boom\nfake: started'); } });
  const code = await runHook(['restore'], { kleene_containers_list: 'ok-name aaaaaaaaaaa2' }, deps);
  t.equal(code, 1);
  const lines = calls.out.trimEnd().split('\n');
  t.equal(lines.length, 3, 'two containers and the summary');
  t.equal(lines[0], 'ok-name (aaaaaaaaaaa1): failed: boom\\x0afake: started');
  t.match(lines[1], /^x\\x0arestore: ok: all fine \(aaaaaaaaaaa2\): failed: /);
  t.same(calls.log[0]!.slice(1), lines, 'syslog gets the same single lines');
});

t.test('no pidfile, but something accepts and is slow to answer: waited for as a live kleened', async (t) => {
  // Mutation: failing fast on a try that timed out (listening ignored in awaitKleened) failed this run.
  const { deps, calls } = fakeDeps(boxes, []);
  deps.kleenedProcess = () => ({ state: 'no-pidfile' });
  const api = deps.api('/s');
  let tries = 0;
  deps.api = () => ({ ...api, listContainers: async (signal) => {
    if (++tries === 1) {
      await new Promise((r) => signal.addEventListener('abort', r));
      throw Object.assign(new Error('kleened did not answer GET /containers/list?all=true in time'), { code: 'api-timeout' });
    }
    return boxes;
  } });
  // A real socket keeps node's loop alive while it waits; AbortSignal.timeout's timer does not.
  const keep = setTimeout(() => {}, 10_000);
  const code = await runHook(['restore'], { kleene_containers_list: 'box0', kleene_containers_wait_timeout: '5' }, deps);
  clearTimeout(keep);
  t.equal(code, 0, calls.out);
  t.equal(tries, 2);
});
