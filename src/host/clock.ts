// The hook's one clock for durations and deadlines: milliseconds on a monotonic clock, as
// performance.now() gives them, without node's perf_hooks. The first read of the global
// `performance` loads node's internal/perf/performance module (1.3 ms in a quiet node, 4.4 ms
// in a profile of the hook under load), and nothing else the hook loads before its first
// start needs it. Only differences of two readings mean anything (the origin is arbitrary).

/** Milliseconds on a monotonic clock (fractional). */
export function monoMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
