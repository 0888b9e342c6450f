// `npm run bench`: how fast kleene-boot gets a host's containers back, against the limit and the
// alternatives. Runs hook.js restore against the kleened double and the jls/zfs
// shims, and in the same repetitions the reference restorer (bench/reference-restore.mjs, a naive
// parallel restorer) against the same double; plus the hook bundle's load time, `generate` and
// `rc set`, several times; prints markdown tables of medians with each target beside its figure
// (misses marked). Progress goes to stderr, the tables to stdout.
//
//   npm run bench [-- --runs N] [--delay MS] [--jail-delay MS] [--sizes 50,200,500] [--jobs 4,16,64]
//                 [--quick] [--file-state] [--node-shims] [--cpu-prof DIR] [--json FILE]
//
// Every ratio is taken within one repetition (these machines are noisy and shared), then the
// median over repetitions is printed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  criticalFirstOrder, criticalPathMs, jobsBoundMs, layeredGraph, listOrderTopo, listScheduleMs, totalWorkMs, type GraphNode,
} from './graph.ts';
import { generateRcConf } from './rcconf-gen.ts';
import {
  countsTable, figureTable, GENERATE_LIMIT, OVERHEAD_LIMIT, probeRow, RC_SET_LIMIT, ratioRow, REFERENCE_LIMIT, restoreDiagnosisTable,
  restoreTable, rssRow, type FigureRow, type RestoreCell,
} from './report.ts';
import {
  bareNodeMs, cleanEnv, cleanUp, CLI_JS, CONFIG_ENV, HOOK_JS, jlsStandin, removeTempDir, runRestore, shortTempDir, spawnCostMs, timeSpawn,
  type RestoreRun, type RestoreRunOptions,
} from './sim.ts';
import { fmtMs, fmtRatio, median } from './stats.ts';

interface Options {
  runs: number;
  delayMs: number;
  jailDelayMs?: number;
  sizes: number[];
  jobs: number[];
  fileState: boolean;
  nodeShims: boolean;
  cpuProf?: string;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 3, delayMs: 200, sizes: [50, 200, 500], jobs: [4, 16, 64], fileState: false, nodeShims: false };
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what} needs a whole number, got '${v}'`);
    return n;
  };
  const list = (v: string | undefined, what: string): number[] => String(v ?? '').split(',').map((x) => num(x, what));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') o.runs = Math.max(1, num(argv[++i], a));
    else if (a === '--delay') o.delayMs = num(argv[++i], a);
    else if (a === '--jail-delay') o.jailDelayMs = num(argv[++i], a);
    else if (a === '--sizes') o.sizes = list(argv[++i], a);
    else if (a === '--jobs') o.jobs = list(argv[++i], a);
    else if (a === '--quick') { o.runs = 1; o.sizes = [50]; o.jobs = [16]; }
    else if (a === '--file-state') o.fileState = true;
    else if (a === '--node-shims') o.nodeShims = true;
    else if (a === '--cpu-prof') o.cpuProf = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else throw new Error(`unknown option '${a}' (see the top of bench/run.ts)`);
  }
  return o;
}

const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1]!.trim();
  } catch { /* not Linux */ }
  return `${availableParallelism()} CPUs (nproc), ${model}, node ${process.version}, ${process.platform}`;
}

/** Median of three bare node starts: the yardstick for this moment of this repetition. */
/** Runs of each CLI figure per repetition, each beside its own bare node. */
const CLI_SAMPLES = 5;

async function bareNow(): Promise<number> {
  return median([await bareNodeMs(), await bareNodeMs(), await bareNodeMs()]);
}

/** `node dist/hook.js` with no command: loads the whole bundle, prints its usage and exits 2. */
async function hookLoadMs(): Promise<number> {
  const r = await timeSpawn(process.execPath, [HOOK_JS], { env: cleanEnv() });
  if (r.code !== 2 || !/usage/.test(r.stderr + r.stdout)) throw new Error(`hook.js without a command exited ${r.code}: ${r.stderr}`);
  return r.wallMs;
}

async function timeGenerate(): Promise<number> {
  const root = shortTempDir('kbg-');
  try {
    const r = await timeSpawn(process.execPath, [CLI_JS, 'generate', '--root', root], { env: cleanEnv() });
    if (r.code !== 0) throw new Error(`generate exited ${r.code}: ${r.stderr}`);
    return r.wallMs;
  } finally {
    removeTempDir(root);
  }
}

/** `rc get` of one variable: in a one-line rc.conf (the command's start), or in the 10,000-line one. */
async function timeRcGet(rcConf: string): Promise<number> {
  const root = shortTempDir('kbq-');
  try {
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'rc.conf'), rcConf);
    const r = await timeSpawn(process.execPath, [CLI_JS, 'rc', 'get', '-f', '/etc/rc.conf', '--root', root, 'kleene_containers_jobs'], { env: cleanEnv() });
    if (r.code !== 0 || !/^kleene_containers_jobs: \d+$/m.test(r.stdout)) throw new Error(`rc get exited ${r.code}: ${r.stderr}`);
    return r.wallMs;
  } finally {
    removeTempDir(root);
  }
}

async function timeRcSet(rcConf: string, value: number): Promise<number> {
  const root = shortTempDir('kbr-');
  try {
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'rc.conf'), rcConf);
    const r = await timeSpawn(process.execPath, [CLI_JS, 'rc', 'set', '-f', '/etc/rc.conf', '--root', root, `kleene_containers_jobs=${value}`], { env: cleanEnv() });
    if (r.code !== 0) throw new Error(`rc set exited ${r.code}: ${r.stderr}`);
    if (!readFileSync(join(root, 'etc', 'rc.conf'), 'utf8').includes(`kleene_containers_jobs='${value}'`)
      && !readFileSync(join(root, 'etc', 'rc.conf'), 'utf8').includes(`kleene_containers_jobs="${value}"`)) {
      throw new Error('rc set did not write the new value');
    }
    return r.wallMs;
  } finally {
    removeTempDir(root);
  }
}

let jailBeforeClose = true;

function checkRun(r: RestoreRun, who = 'hook'): string | undefined {
  if (r.exitCode !== 0) return `${who} exited ${r.exitCode}: ${r.hookOutput.split('\n').filter((l) => !/: started$/.test(l)).slice(0, 5).join(' / ')}`;
  if (r.starts !== r.n || r.jailsAtEnd !== r.n) return `${r.starts} starts, ${r.jailsAtEnd} jails for ${r.n} containers`;
  // With a jail delay the double counts a start until its jail exists, after the restorer freed its slot.
  if (r.maxInFlight > r.jobs && jailBeforeClose) return `${r.maxInFlight} starts at once with jobs=${r.jobs}`;
  if (r.uncachedProbes > 0) return `${r.uncachedProbes} jls/zfs calls with arguments the probe cache does not know (bench/sim.ts JLS_ARGS, ZFS_ARGS)`;
  return undefined;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  jailBeforeClose = o.jailDelayMs === undefined;
  const started = Date.now();
  const load0 = loadavg();
  const delay = () => o.delayMs;
  const graphs = new Map<number, GraphNode[]>(o.sizes.map((n) => [n, layeredGraph({ n })]));
  const small = layeredGraph({ n: 10 });
  const rcConf = generateRcConf(10_000);
  const bigN = Math.max(...o.sizes);

  const bare: number[] = [];
  const overheadSmall: number[] = [];
  const overheadBig: number[] = [];
  const overheadBigMs: number[] = [];
  const overheadSmallMs: number[] = [];
  const probeMs: number[] = [];
  const genRatio: number[] = [];
  const genMs: number[] = [];
  const rcRatio: number[] = [];
  const rcMs: number[] = [];
  const getSmallRatio: number[] = [];
  const getSmallMs: number[] = [];
  const getBigRatio: number[] = [];
  const getBigMs: number[] = [];
  const smallRuns: RestoreRun[] = [];
  const bigRuns: RestoreRun[] = [];
  const loadRatio: number[] = [];
  const loadMs: number[] = [];
  const refOverheadSmallMs: number[] = [];
  const refOverheadBigMs: number[] = [];
  const overheadSmallVsRef: number[] = [];
  const floorMs: number[] = [];
  const floorRatio: number[] = [];
  const overheadSmallVsFloor: number[] = [];
  const overheadBigVsRef: number[] = [];
  const cells = new Map<string, Array<{ hook: RestoreRun; ref: RestoreRun }>>();
  const failures: string[] = [];

  /** kleene-boot's hook and the reference on the same graph, one after the other, each against a
   * fresh double; which goes first alternates with the repetition. */
  const pair = async (rep: number, opts: RestoreRunOptions, what: string): Promise<{ hook: RestoreRun; ref: RestoreRun }> => {
    const runHook = () => runRestore(opts);
    const runRef = () => runRestore({ ...opts, restorer: 'reference', cpuProfDir: opts.cpuProfDir && `${opts.cpuProfDir}-reference` });
    let hook: RestoreRun;
    let ref: RestoreRun;
    if (rep % 2 === 1) { hook = await runHook(); ref = await runRef(); } else { ref = await runRef(); hook = await runHook(); }
    const bad = checkRun(hook);
    if (bad) failures.push(`${what}: ${bad}`);
    const refBad = checkRun(ref, 'reference');
    if (refBad) failures.push(`${what}, reference: ${refBad}`);
    return { hook, ref };
  };

  for (let rep = 1; rep <= o.runs; rep++) {
    progress(`repetition ${rep}/${o.runs}`);
    const b = await bareNow();
    bare.push(b);
    const load = median([await hookLoadMs(), await hookLoadMs(), await hookLoadMs()]);
    loadMs.push(load);
    loadRatio.push(load / b);
    const { hook: s, ref: sr } = await pair(rep, { graph: small, jobs: 4, delayMs: o.delayMs, jailDelayMs: o.jailDelayMs, fileState: o.fileState, nodeShims: o.nodeShims },
      '10 containers');
    smallRuns.push(s);
    overheadSmall.push(s.overheadMs / b);
    overheadSmallMs.push(s.overheadMs);
    refOverheadSmallMs.push(sr.overheadMs);
    overheadSmallVsRef.push(s.overheadMs / sr.overheadMs);
    probeMs.push(Math.max(s.jlsMs, s.zfsMs));
    // The floor on the same graph and double: how close to bare node any node restorer can get.
    const f = await runRestore({ graph: small, jobs: 4, delayMs: o.delayMs, restorer: 'floor' });
    if (f.exitCode !== 0 || !Number.isFinite(f.overheadMs)) failures.push(`10 containers, floor: exited ${f.exitCode}: ${f.hookOutput.slice(0, 200)}`);
    floorMs.push(f.overheadMs);
    floorRatio.push(f.overheadMs / b);
    overheadSmallVsFloor.push(s.overheadMs / f.overheadMs);

    // Each CLI figure: CLI_SAMPLES runs, each right after a bare node, and the ratio of the two
    // medians (one run each moved a figure by up to 40 % from one repetition to the next).
    const paired = async (run: (k: number) => Promise<number>): Promise<{ ms: number; ratio: number }> => {
      const bares: number[] = [];
      const runs: number[] = [];
      for (let k = 0; k < CLI_SAMPLES; k++) {
        bares.push(await bareNodeMs());
        runs.push(await run(k));
      }
      bare.push(median(bares));
      return { ms: median(runs), ratio: median(runs) / median(bares) };
    };
    const g = await paired(() => timeGenerate());
    genMs.push(g.ms);
    genRatio.push(g.ratio);
    const rc = await paired((k) => timeRcSet(rcConf, 100 + rep * CLI_SAMPLES + k));
    rcMs.push(rc.ms);
    rcRatio.push(rc.ratio);
    const gs = await paired(() => timeRcGet('kleene_containers_jobs="4"\n'));
    getSmallMs.push(gs.ms);
    getSmallRatio.push(gs.ratio);
    const gb = await paired(() => timeRcGet(rcConf));
    getBigMs.push(gb.ms);
    getBigRatio.push(gb.ratio);
    progress(`  bare node ${fmtMs(median(bare.slice(-4)))}, hook.js load ${fmtMs(load)}, overhead(10) ${fmtMs(s.overheadMs)} (reference ${fmtMs(sr.overheadMs)}, floor ${fmtMs(f.overheadMs)}), generate ${fmtMs(g.ms)}, rc set ${fmtMs(rc.ms)}, rc get ${fmtMs(gs.ms)} / ${fmtMs(gb.ms)}`);

    for (const n of o.sizes) {
      for (const jobs of o.jobs) {
        const bb = n === bigN ? await bareNow() : NaN;
        const p = await pair(rep, { graph: graphs.get(n)!, jobs, delayMs: o.delayMs, jailDelayMs: o.jailDelayMs, fileState: o.fileState, nodeShims: o.nodeShims,
          cpuProfDir: o.cpuProf ? join(o.cpuProf, `restore-${n}-${jobs}`) : undefined }, `${n} containers, jobs ${jobs}`);
        const r = p.hook;
        (cells.get(`${n}/${jobs}`) ?? cells.set(`${n}/${jobs}`, []).get(`${n}/${jobs}`)!).push(p);
        if (n === bigN) {
          bigRuns.push(r);
          overheadBig.push(r.overheadMs / bb);
          overheadBigMs.push(r.overheadMs);
          refOverheadBigMs.push(p.ref.overheadMs);
          overheadBigVsRef.push(r.overheadMs / p.ref.overheadMs);
        }
        progress(`  ${n} containers, jobs ${jobs}: restore ${fmtMs(r.scheduleMs)}, end to end ${fmtMs(r.e2eMs)} (reference ${fmtMs(p.ref.e2eMs)}), overhead ${fmtMs(r.overheadMs)} (reference ${fmtMs(p.ref.overheadMs)})`);
      }
    }
  }

  const restoreCells: RestoreCell[] = [];
  for (const n of o.sizes) {
    const graph = graphs.get(n)!;
    const criticalMs = criticalPathMs(graph, delay);
    const sequentialMs = totalWorkMs(graph, delay);
    for (const jobs of o.jobs) {
      const pairs = cells.get(`${n}/${jobs}`)!;
      const runs = pairs.map((p) => p.hook);
      const refs = pairs.map((p) => p.ref);
      restoreCells.push({
        n, jobs, criticalMs, sequentialMs,
        boundMs: jobsBoundMs(criticalMs, sequentialMs, jobs),
        planOrderMs: listScheduleMs(graph, delay, jobs, listOrderTopo(graph)),
        criticalFirstMs: listScheduleMs(graph, delay, jobs, criticalFirstOrder(graph, delay)),
        scheduleMs: median(runs.map((r) => r.scheduleMs)),
        e2eMs: median(runs.map((r) => r.e2eMs)),
        hookCpuMs: median(runs.map((r) => r.hookCpuMs)),
        doubleCpuMs: median(runs.map((r) => r.doubleCpuMs)),
        maxInFlight: Math.max(...runs.map((r) => r.maxInFlight)),
        correct: runs.every((r) => checkRun(r) === undefined),
        runs: runs.length,
        overheadMs: median(runs.map((r) => r.overheadMs)),
        refE2eMs: median(refs.map((r) => r.e2eMs)),
        refScheduleMs: median(refs.map((r) => r.scheduleMs)),
        refOverheadMs: median(refs.map((r) => r.overheadMs)),
        vsReference: median(pairs.map((p) => p.hook.e2eMs / p.ref.e2eMs)),
        overheadVsReference: median(pairs.map((p) => p.hook.overheadMs / p.ref.overheadMs)),
        refCorrect: refs.every((r) => checkRun(r, 'reference') === undefined),
        counts: {
          requests: Math.max(...runs.map((r) => r.httpRequests)),
          refRequests: Math.max(...refs.map((r) => r.httpRequests)),
          volumes: Math.max(...runs.map((r) => r.volumes)),
          volumeInspects: Math.max(...runs.map((r) => r.volumeInspectCalls)),
          containerInspects: Math.max(...runs.map((r) => r.inspectCalls)),
          jlsCalls: Math.max(...runs.map((r) => r.jlsCalls)),
          refJlsCalls: Math.max(...refs.map((r) => r.jlsCalls)),
          starts: Math.min(...runs.map((r) => r.starts)),
        },
      });
    }
  }

  const probes: FigureRow[] = [
    probeRow('jls calls before the first start', smallRuns.map((r) => r.jlsBeforeFirstStart), bigRuns.map((r) => r.jlsBeforeFirstStart), [10, bigN]),
    { figure: 'jls calls per restore, all', value: `${median(smallRuns.map((r) => r.jlsCalls))} at 10, ${median(bigRuns.map((r) => r.jlsCalls))} at ${bigN}`,
      target: '≤ 1 + one per start (one per batch of 1001s something waits on)', verdict: '—',
      note: `max ${Math.max(...bigRuns.map((r) => r.jlsCalls))} at ${bigN}` },
    probeRow('zfs calls per restore', smallRuns.map((r) => r.zfsCalls), bigRuns.map((r) => r.zfsCalls), [10, bigN]),
    probeRow('GET /containers/list per restore', smallRuns.map((r) => r.listCalls), bigRuns.map((r) => r.listCalls), [10, bigN]),
    probeRow('GET /volumes/list per restore', smallRuns.map((r) => r.volumeListCalls), bigRuns.map((r) => r.volumeListCalls), [10, bigN]),
    probeRow('logger calls per restore', smallRuns.map((r) => r.loggerCalls), bigRuns.map((r) => r.loggerCalls), [10, bigN]),
  ];
  const containerInspects = [...smallRuns, ...bigRuns].map((r) => r.inspectCalls);
  const inspects: FigureRow = { figure: 'GET /containers/{id}/inspect per restore', value: `${median(smallRuns.map((r) => r.inspectCalls))} at 10, ${median(bigRuns.map((r) => r.inspectCalls))} at ${bigN}`,
    target: 'none (volumes are asked per volume)', verdict: containerInspects.every((x) => x === 0) ? 'ok' : '**MISS**' };
  // Only a volume whose dataset is not where kleened expects it is inspected; the bench's are all in place.
  const noneInspected = [...smallRuns, ...bigRuns].every((r) => r.volumeInspectCalls === 0);
  const volumeInspects: FigureRow = { figure: 'GET /volumes/{name}/inspect per restore',
    value: `${median(smallRuns.map((r) => r.volumeInspectCalls))} at 10, ${median(bigRuns.map((r) => r.volumeInspectCalls))} at ${bigN}`,
    target: 'one per volume not in place (none here)', verdict: noneInspected ? 'ok' : '**MISS**',
    note: `V = ${median(smallRuns.map((r) => r.volumes))} at 10, ${median(bigRuns.map((r) => r.volumes))} at ${bigN}` };
  const figures: FigureRow[] = [
    { figure: 'bare node start (`node -e 0`)', value: fmtMs(median(bare)), target: '—', verdict: '—', note: `${bare.length} medians: of 3 beside the hook's figures, of ${CLI_SAMPLES} beside the CLI's` },
    ratioRow('hook bundle load alone (`node dist/hook.js`, usage error) ÷ bare node', median(loadRatio), undefined,
      `${fmtMs(median(loadMs))}, median of 3 per repetition; the whole overhead budget is ${fmtRatio(OVERHEAD_LIMIT)}`),
    ratioRow('hook overhead to the first start, 10 containers ÷ bare node', median(overheadSmall), OVERHEAD_LIMIT,
      `${fmtMs(median(overheadSmallMs))} from spawn to the first POST /exec/create${CONFIG_ENV ? ', config.yaml read' : ', config.yaml not read by this hook'}${o.nodeShims ? `; jls/zfs shims (a node process each) ${fmtMs(median(probeMs))}` : ''}`),
    ratioRow('hook overhead to the first start, 10 containers ÷ reference\'s', median(overheadSmallVsRef), undefined,
      `reference ${fmtMs(median(refOverheadSmallMs))}`),
    ratioRow('floor: the least a node client does to the first start, 10 containers ÷ bare node', median(floorRatio), undefined,
      `${fmtMs(median(floorMs))}: bench/floor-restore.mjs (node:net, one raw list request, then exec/create); no node restorer can start sooner`),
    ratioRow('hook overhead to the first start, 10 containers ÷ floor', median(overheadSmallVsFloor), undefined),
    ratioRow(`hook overhead to the first start, ${bigN} containers ÷ bare node`, median(overheadBig), OVERHEAD_LIMIT, `${fmtMs(median(overheadBigMs))}`),
    ratioRow(`hook overhead to the first start, ${bigN} containers ÷ reference's`, median(overheadBigVsRef), undefined,
      `reference ${fmtMs(median(refOverheadBigMs))} (median over every jobs value)`),
    ...probes,
    inspects,
    volumeInspects,
    ratioRow('`generate` ÷ bare node', median(genRatio), GENERATE_LIMIT, fmtMs(median(genMs))),
    ratioRow('`rc set` on a 10,000-line rc.conf ÷ bare node', median(rcRatio), RC_SET_LIMIT, fmtMs(median(rcMs))),
    ratioRow('`rc get` of one variable, one-line rc.conf ÷ bare node', median(getSmallRatio), RC_SET_LIMIT, fmtMs(median(getSmallMs))),
    ratioRow('`rc get` of one variable, 10,000-line rc.conf ÷ bare node', median(getBigRatio), RC_SET_LIMIT, fmtMs(median(getBigMs))),
    rssRow(bigRuns.map((r) => r.peakRssBytes), bigN),
  ];

  // What one call of the bench's jls costs here, beside the cheapest exec there is.
  const standin = jlsStandin();
  let jlsNote = 'a bash wrapper answering with builtins (no C compiler here)';
  if (standin) {
    const dir = shortTempDir('kbj-');
    writeFileSync(join(dir, 'out'), '{"__version": "2", "jail-information": {"jail": []}}\n');
    const env = cleanEnv({ KLEENE_BENCH_JLS_OUT: join(dir, 'out'), KLEENE_BENCH_JLS_LOG: join(dir, 'log') });
    const jlsMs = spawnCostMs(standin, ['--libxo', 'json', 'jid', 'name'], env);
    const trueMs = spawnCostMs('/bin/true', [], env);
    removeTempDir(dir);
    jlsNote = `a C program (bench/jls-standin.c), ${jlsMs.toFixed(2)} ms a call against ${trueMs.toFixed(2)} ms for /bin/true, spawnSync medians of 21`;
    figures.push({ figure: 'bench jls stand-in ÷ /bin/true (spawn to exit)', value: fmtRatio(jlsMs / trueMs), target: '—', verdict: '—',
      note: `${jlsMs.toFixed(2)} ms against ${trueMs.toFixed(2)} ms` });
  }
  const load1 = loadavg();
  const out = [
    `Machine: ${machine()}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${load1.map((x) => x.toFixed(1)).join(' ')} at end.`,
    `Start delay ${o.delayMs} ms per container, ${o.jailDelayMs === undefined ? 'the jail exists when kleened closes the start with 1001' : `the jail appears ${o.jailDelayMs} ms after kleened closes the start with 1001 (the reference does not wait for it)`}; ${o.runs} repetitions, medians; double state ${o.fileState ? 'file-backed' : 'in memory'}; jls/zfs ${o.nodeShims ? 'node shims on every call' : 'answered from the shims\' output (jls: kept current by the double; zfs: captured before the run)'}; took ${fmtMs(Date.now() - started)}.`,
    '',
    'Restore of a layered dependency graph (10 % roots, chains of 5, fan-in and fan-out). "restore" = from the',
    "double's first POST /exec/create to its last Close 1001; \"end to end\" = spawn of hook.js to its exit.",
    `"reference" = bench/reference-restore.mjs (one container list, longest chain first, jobs-bounded, exec/create +`,
    `WebSocket start, no volume checks, no jls) in the same repetitions against the same double; "kleene-boot ÷ reference"`,
    `= the median of the per-repetition ratios of end to end (target ≤ ${fmtRatio(REFERENCE_LIMIT)}).`,
    '',
    restoreTable(restoreCells),
    '"ideal" = the makespan of a zero-overhead greedy executor: in list order among the startable, or longest',
    'remaining chain first (the hook\'s order). "overhead" = spawn to the first POST /exec/create. CPU = the whole run',
    'of each process (medians).',
    '',
    restoreDiagnosisTable(restoreCells),
    'What each restore asked for, counted exactly (the most over the repetitions): HTTP requests to the double',
    '(WebSocket upgrades included) by kleene-boot and by the reference, kleened\'s volumes V, and jls calls (the',
    `bench's jls: ${jlsNote}). Target: requests ≤ the reference's + V + 1 (the volume list), jls ≤ 1 + one per start.`,
    '',
    countsTable(restoreCells),
    figureTable(figures),
  ].join('\n');
  process.stdout.write(out);
  if (failures.length > 0) process.stdout.write(`\nFailed runs:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ machine: machine(), options: o, restoreCells, figures, failures }, null, 2) + '\n');
  return failures.length > 0 ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanUp();
    process.exit(130);
  });
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
