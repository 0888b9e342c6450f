// Preloaded into the measured hook (`node --require bench/rss-probe.cjs dist/hook.js …`): at exit
// it writes the process's peak resident set size to $KLEENE_BENCH_RSS_FILE. getrusage's maxrss
// (process.resourceUsage) is the kernel's high-water mark, so nothing is missed between samples;
// VmHWM from /proc is written too where it exists (Linux) as a cross-check. CommonJS and
// --require on purpose: `--import` would make node load the CJS bundle through the ESM loader,
// which runs cjs-module-lexer over all of hook.js (≈100 ms here) and distorts what we measure.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

const out = process.env.KLEENE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    let vmHWMKiB = null;
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) vmHWMKiB = Number(m[1]);
    } catch { /* not Linux */ }
    const u = process.resourceUsage();
    // CPU time too: with the double's, it tells whether a slow run was short of CPU.
    writeFileSync(out, JSON.stringify({ maxRSSKiB: u.maxRSS, vmHWMKiB, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }) + '\n');
  });
}
