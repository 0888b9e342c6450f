// Smoke test of the benchmark's own pure parts (bench/): the graph generator, the bounds and the
// list-schedule model, medians, the rc.conf generator, the target verdicts and the request-log
// reading; and of the reference restorer (bench/reference-restore.mjs) against the kleened double
// at a small size. Runs nothing heavy: the benchmark itself is `npm run bench`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  chainDepth, criticalFirstOrder, criticalPathMs, jobsBoundMs, layeredGraph, listOrderTopo, listScheduleMs, totalWorkMs,
  type GraphNode,
} from '../../bench/graph.ts';
import { summarise, type CpuProfile } from '../../bench/profile-summary.ts';
import { generateRcConf } from '../../bench/rcconf-gen.ts';
import {
  countsTable, countsVerdict, probeRow, ratioRow, referenceVerdict, restoreDiagnosisTable, restoreLimitMs, restoreTable, restoreVerdict, rssRow, type RestoreCell,
} from '../../bench/report.ts';
import { cleanEnv, hookEnv, JLS_ARGS, requestTimes, runRestore } from '../../bench/sim.ts';
import { fmtMs, median } from '../../bench/stats.ts';
import { SHIMS_DIR, type RequestLogEntry } from '../helpers/sim-state.ts';
// @ts-expect-error: plain JS module of the bench's double, no types
import { jlsJidNameJson } from '../../bench/double/memo-state.mjs';

const ms200 = () => 200;
const node = (name: string, depends: string[] = [], level = 0): GraphNode => ({ name, depends, level });

t.test('layered graph has the asked size, about 10 % roots, chains of exactly 5 and no cycle', async (t) => {
  for (const n of [50, 200, 500]) {
    const g = layeredGraph({ n });
    t.equal(g.length, n, `${n} containers`);
    t.equal(new Set(g.map((x) => x.name)).size, n, 'names are unique');
    const roots = g.filter((x) => x.depends.length === 0).length;
    t.equal(roots, Math.round(n * 0.1), `${n}: 10 % roots`);
    t.equal(chainDepth(g), 5, `${n}: longest chain is 5 containers`);
    const names = new Set(g.map((x) => x.name));
    t.ok(g.every((x) => x.depends.every((d) => names.has(d) && d !== x.name)), 'every dependency exists');
    t.equal(listOrderTopo(g).length, n, 'a topological order reaches every container (no cycle)');
  }
});

t.test('layered graph has fan-in and fan-out and is the same for the same seed', async (t) => {
  const g = layeredGraph({ n: 200 });
  t.ok(g.some((x) => x.depends.length >= 2), 'some container waits on several (fan-in)');
  const dependents = new Map<string, number>();
  for (const x of g) for (const d of x.depends) dependents.set(d, (dependents.get(d) ?? 0) + 1);
  t.ok(Math.max(...dependents.values()) >= 5, 'some container has many dependents (fan-out)');
  t.same(layeredGraph({ n: 200 }), g, 'deterministic');
  t.notSame(layeredGraph({ n: 200, seed: 8 }), g, 'another seed, another graph');
  t.same(layeredGraph({ n: 0 }), []);
  t.equal(layeredGraph({ n: 3 }).length, 3, 'small graphs keep every container');
});

t.test('critical path is the heaviest chain and total work the sum', async (t) => {
  const g = [node('a'), node('b', ['a']), node('c', ['b']), node('x'), node('y', ['x', 'a'])];
  const delay = (name: string) => ({ a: 100, b: 50, c: 10, x: 300, y: 20 })[name]!;
  t.equal(criticalPathMs(g, delay), 320, 'x then y beats a, b, c');
  t.equal(totalWorkMs(g, delay), 480);
  t.throws(() => criticalPathMs([node('p', ['q']), node('q', ['p'])], ms200), /cycle/);
  t.throws(() => criticalPathMs([node('p', ['nope'])], ms200), /unknown dependency nope/);
});

t.test('jobs bound is the longer of the critical path and work ÷ jobs', async (t) => {
  t.equal(jobsBoundMs(1000, 10_000, 4), 2500);
  t.equal(jobsBoundMs(1000, 10_000, 64), 1000);
  t.equal(jobsBoundMs(1000, 10_000, 0), 10_000, 'jobs below 1 count as 1');
});

t.test('list schedule models a greedy executor and critical-path-first can beat list order', async (t) => {
  t.equal(listScheduleMs([node('a'), node('b'), node('c')], ms200, 2, ['a', 'b', 'c']), 400, 'three on two slots');
  t.equal(listScheduleMs([node('a'), node('b', ['a'])], ms200, 8, ['b', 'a']), 400, 'a dependency waits whatever the order');
  // l1, l2 are leaves listed first; r heads a chain r -> s -> u. List order starts the leaves first.
  const g = [node('l1'), node('l2'), node('r'), node('s', ['r']), node('u', ['s'])];
  t.equal(listScheduleMs(g, ms200, 2, listOrderTopo(g)), 800);
  t.equal(listScheduleMs(g, ms200, 2, criticalFirstOrder(g, ms200)), 600);
  t.equal(criticalFirstOrder(g, ms200)[0], 'r', 'the head of the longest chain goes first');
  t.throws(() => listScheduleMs([node('a', ['gone'])], ms200, 2, ['a']), /stuck/);
});

t.test('median takes the middle, averages an even pair and skips what is not a number', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([5, NaN, Infinity, 1]), 3);
  t.ok(Number.isNaN(median([])));
  t.equal(fmtMs(850.4), '850 ms');
  t.equal(fmtMs(12_345), '12.3 s');
});

t.test('rc.conf generator writes exactly the asked lines and sh -n accepts them', async (t) => {
  const text = generateRcConf(10_000);
  t.equal(text.split('\n').length - 1, 10_000);
  t.ok(text.endsWith('\n'));
  t.match(text, /^kleene_containers_jobs="4"$/m);
  t.equal(generateRcConf(10_000), text, 'deterministic');
  const sh = spawnSync('/bin/sh', ['-n'], { input: text, encoding: 'utf8' });
  t.equal(sh.status, 0, sh.stderr);
});

t.test('restore verdict marks a miss beyond 1.05 × bound + 100 ms and a failed run', async (t) => {
  const cell: RestoreCell = { n: 50, jobs: 16, criticalMs: 1000, boundMs: 1000, sequentialMs: 10_000, planOrderMs: 1200,
    criticalFirstMs: 1000, scheduleMs: 1150, e2eMs: 1500, hookCpuMs: 300, doubleCpuMs: 250, maxInFlight: 16, correct: true, runs: 3,
    overheadMs: 240, refE2eMs: 1400, refScheduleMs: 1120, refOverheadMs: 80, vsReference: 1.07, overheadVsReference: 3, refCorrect: true };
  t.equal(restoreLimitMs(1000), 1150);
  t.equal(restoreVerdict(cell), 'ok', 'exactly at the limit');
  t.equal(restoreVerdict({ ...cell, scheduleMs: 1151 }), '**MISS**');
  t.equal(restoreVerdict({ ...cell, correct: false }), '**FAIL**');
  const table = restoreTable([{ ...cell, scheduleMs: 1500 }]);
  t.match(table, /\| 50 \| 16 \| 1000 ms \| 1000 ms \| 1500 ms \| 1\.50× \| 1\.50× \| ≤ 1150 ms \| \*\*MISS\*\* \|/);
  t.match(table, /\| 1500 ms \| 1400 ms \| 1\.07× \| ≤ 0\.95× \| \*\*MISS\*\* \| 10\.0 s \|$/m,
    'end to end, the reference\'s, their ratio against ≤ 0.95, and sequential (Σ of delays)');
  t.match(restoreDiagnosisTable([{ ...cell, scheduleMs: 1500 }]),
    /\| 50 \| 16 \| 1200 ms \| 1000 ms \| 500 ms \| 1120 ms \| 1\.12× \| 240 ms \| 80 ms \| 3\.00× \| 300 ms \| 250 ms \| 16 \|/);
  t.equal(referenceVerdict({ ...cell, vsReference: 0.95 }), 'ok', '5 % faster than the reference');
  t.equal(referenceVerdict({ ...cell, vsReference: 0.96 }), '**MISS**', 'only 4 % faster');
  t.equal(referenceVerdict(cell), '**MISS**', '7 % slower than the reference');
  t.equal(referenceVerdict({ ...cell, vsReference: 0.9, refCorrect: false }), '**FAIL**', 'a reference run that failed proves nothing');
  t.equal(referenceVerdict({ ...cell, vsReference: NaN }), '**MISS**');
});

t.test('counts table: requests within the reference\'s + V + 1 and jls within one per start, else a miss', async (t) => {
  const counts = { requests: 92, refRequests: 81, volumes: 10, volumeInspects: 10, containerInspects: 0, jlsCalls: 16, refJlsCalls: 0, starts: 40 };
  t.equal(countsVerdict(counts), 'ok', 'exactly at the request limit');
  t.equal(countsVerdict({ ...counts, requests: 93 }), '**MISS**', 'one request more');
  t.equal(countsVerdict({ ...counts, jlsCalls: 41 }), 'ok');
  t.equal(countsVerdict({ ...counts, jlsCalls: 42 }), '**MISS**', 'more jls calls than starts after the inventory\'s');
  const cell = { n: 40, jobs: 8, counts } as unknown as RestoreCell;
  t.match(countsTable([cell]), /^\| 40 \| 8 \| 92 \| 81 \| 10 \| ≤ 92 \| 10 \| 0 \| 16 \| 0 \| 40 \| ok \|$/m);
});

t.test('figure rows mark ratios over their limit and probe counts that grow', async (t) => {
  t.equal(ratioRow('x', 2.4, 2.5).verdict, 'ok');
  t.equal(ratioRow('x', 2.6, 2.5).verdict, '**MISS**');
  t.equal(ratioRow('x', NaN, 2.5).verdict, '**MISS**', 'a figure that could not be measured is not a pass');
  t.equal(ratioRow('x', 3, undefined).verdict, '—');
  t.equal(probeRow('jls', [1, 1], [1, 1], [10, 500]).verdict, 'ok');
  t.equal(probeRow('jls', [1, 1], [2, 2], [10, 500]).verdict, '**MISS**');
  t.equal(probeRow('jls', [1, 1], [1, 2], [10, 500]).verdict, '**MISS**', 'one run with an extra call is a miss');
  t.equal(rssRow([70 * 1048576, 90 * 1048576, 75 * 1048576], 500).verdict, 'ok', 'median 75 MiB');
  t.equal(rssRow([81 * 1048576], 500).verdict, '**MISS**');
});

t.test('request log gives the start phase and the request counts', async (t) => {
  const e = (x: Partial<RequestLogEntry>): RequestLogEntry => ({ time: '', t_ms: 0, seq: 0, kind: 'http', ...x });
  const log = [
    e({ t_ms: 10, method: 'GET', path: '/containers/list' }),
    e({ t_ms: 20, method: 'GET', path: '/containers/abc/inspect' }),
    e({ t_ms: 30, method: 'POST', path: '/exec/create' }),
    e({ t_ms: 35, method: 'POST', path: '/exec/create' }),
    e({ t_ms: 240, kind: 'ws', dir: 'out', close: 1001 }),
    e({ t_ms: 260, kind: 'ws', dir: 'in', close: 1001 }),
    e({ t_ms: 250, kind: 'ws', dir: 'out', close: 1001 }),
  ];
  const r = requestTimes(log);
  t.equal(r.firstStart, 30);
  t.equal(r.lastDone, 250, 'the last Close 1001 the double sent');
  t.equal(r.starts, 2);
  t.equal(r.count('GET', /^\/containers\/list$/), 1);
  t.equal(r.count('GET', /^\/containers\/[^/]+\/inspect$/), 1);
});

t.test('hook env names variables as rc.conf does', async (t) => {
  const env = hookEnv([node('web.1', ['db']), node('db')], 16, { socket: '/s', jls: '/j', zfs: '/z', jexec: '/x', logger: '/l' });
  t.equal(env.kleene_containers_list, 'web.1 db');
  t.equal(env.kleene_containers_jobs, '16');
  t.equal(env.kleene_containers_web_1_depend, 'db', 'the dot becomes _ in the variable name');
  t.notOk('kleene_containers_db_depend' in env, 'no empty depend variables');
  t.equal(env.kleened_socket, '/s');
  t.equal(env.kleene_containers_logger, '/l');
});

t.test('measured processes get the environment rc(8) gives, none of ours', async (t) => {
  const saved = { ...process.env };
  try {
    process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
    process.env.NODE_OPTIONS = '--import tsx';
    process.env.KLEENE_BENCH_STRAY = 'x';
    const env = cleanEnv({ KLEENE_SIM_STATE: '/s' });
    t.same(Object.keys(env).sort(), ['HOME', 'KLEENE_SIM_STATE', 'PATH'], 'HOME, PATH and what the caller adds');
    t.equal(env.HOME, '/');
    t.match(env.PATH, /:\/sbin:\/bin:\/usr\/sbin:\/usr\/bin$/, "rc(8)'s PATH, after node's directory");
    t.equal(env.KLEENE_SIM_STATE, '/s');
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

t.test('profile summary adds self time per function and per file', async (t) => {
  const p: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: 'pump', url: 'file:///x/dist/hook.js', lineNumber: 9 }, children: [3] },
      { id: 3, callFrame: { functionName: 'depState', url: 'file:///x/dist/hook.js', lineNumber: 19 } },
    ],
    samples: [2, 3, 3, 1],
    timeDeltas: [1000, 2000, 3000, 500],
    startTime: 0,
    endTime: 10_000,
  };
  const s = summarise(p);
  t.equal(s.total, 10);
  t.same(s.byFunction[0], { key: 'depState (dist/hook.js:20)', ms: 5 });
  t.same(s.byFile[0], { key: 'dist/hook.js', ms: 6 });
  t.same(s.inclusive.find((l) => l.key.startsWith('pump')), { key: 'pump (dist/hook.js:10)', ms: 6 });
  const before = summarise(p, 'depState');
  t.equal(before.total, 1, 'until the first sample in depState: the first sample only');
  t.same(before.byFunction, [{ key: 'pump (dist/hook.js:10)', ms: 1 }]);
  t.equal(summarise(p, 'nowhere').total, 10, 'a function never sampled: the whole profile');
});

// The reference restorer is what kleene-boot's restore is measured against, so it must really do
// its (smaller) job. Mutations tried in bench/reference-restore.mjs: without the sort in pump()
// (list order) the first test's order check fails; with every container ready at once
// (`const ready = [...list]`) the dependency checks fail; with `running < jobs + 1` max in flight
// exceeds jobs.
t.test('reference restorer starts the longest chain first, one at a time with jobs 1', async (t) => {
  // l1, l2 are leaves listed first; r heads the chain r -> s -> u.
  const g = [node('l1'), node('l2'), node('r'), node('s', ['r']), node('u', ['s'])];
  const run = await runRestore({ graph: g, jobs: 1, delayMs: 20, restorer: 'reference' });
  t.equal(run.exitCode, 0, run.hookOutput);
  t.equal(run.starts, 5);
  t.equal(run.jailsAtEnd, 5);
  t.equal(run.maxInFlight, 1);
  t.equal(run.listCalls, 1, 'one container list');
  t.equal(run.inspectCalls + run.volumeListCalls + run.jlsCalls + run.zfsCalls, 0, 'no inspect, volume, jls or zfs work');
  const order = Object.entries(run.timeline).sort((a, b) => a[1].createMs - b[1].createMs).map(([name]) => name);
  // r (chain of 3) and s (2) go before the leaves listed ahead of them; u ties with the leaves
  // (chain of 1) and list order breaks the tie.
  t.same(order, ['r', 's', 'l1', 'l2', 'u'], 'longest chain first, then list order');
  t.match(run.hookOutput, /^u: started$/m);
});

t.test('reference restorer waits for every dependency and keeps within jobs', async (t) => {
  const g = layeredGraph({ n: 16 });
  const run = await runRestore({ graph: g, jobs: 3, delayMs: 30, restorer: 'reference' });
  t.equal(run.exitCode, 0, run.hookOutput);
  t.equal(run.starts, 16);
  t.equal(run.jailsAtEnd, 16);
  t.ok(run.maxInFlight <= 3 && run.maxInFlight >= 2, `max in flight ${run.maxInFlight} with jobs 3`);
  for (const x of g) {
    for (const d of x.depends) {
      t.ok(run.timeline[x.name]!.createMs >= run.timeline[d]!.startedMs, `${x.name} is created after its dependency ${d} started`);
    }
  }
});

// The floor is the least a node client does before its first start; it must really reach
// kleened's exec/create, or the overhead figures compare against nothing. Mutation tried in
// bench/floor-restore.mjs: writing the exec/create to a closed connection makes it fail here.
t.test('the floor lists once, creates one exec and starts nothing', async (t) => {
  const g = layeredGraph({ n: 10 });
  const run = await runRestore({ graph: g, jobs: 4, delayMs: 20, restorer: 'floor' });
  t.equal(run.exitCode, 0, run.hookOutput);
  t.equal(run.listCalls, 1, 'one container list');
  t.equal(run.log.filter((e) => e.method === 'POST' && e.path === '/exec/create').length, 1, 'one exec/create');
  t.equal(run.starts, 0, 'no start');
  t.equal(run.httpRequests, 2, 'nothing else asked');
  t.ok(Number.isFinite(run.overheadMs) && run.overheadMs > 0, `overhead ${run.overheadMs} ms is measured`);
  t.equal(run.inspectCalls + run.volumeListCalls + run.jlsCalls + run.zfsCalls, 0, 'no other work');
});

t.test('the bench\'s jls answer is byte for byte what the jls shim prints for the hook\'s arguments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kbjls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const jails of [[], [{ name: 'a1b2', jid: 3, path: '/p', hostname: 'h', ipv4: '' }, { name: 'c"d', jid: 14, path: '/q', hostname: 'h', ipv4: '' }]]) {
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ jails }));
    const r = spawnSync(join(SHIMS_DIR, 'jls'), JLS_ARGS, { env: { ...process.env, NODE_OPTIONS: '', KLEENE_SIM_STATE: join(dir, 'state.json') }, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.equal(jlsJidNameJson(jails), r.stdout, `${jails.length} jails`);
  }
});
