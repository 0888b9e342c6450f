// rcorder(8) in TypeScript: header parsing and ordering, used by the boot simulation, `plan`
// and `doctor`.
export { parseHeaders } from './headers.ts';
export type { RcHeader, IgnoredHeaderLine } from './headers.ts';
export { rcorder, positionOf } from './order.ts';
export type { RcFile, RcorderOptions, RcorderResult, RcorderWarning, Position } from './order.ts';
export { scanRcScripts } from './scan.ts';
export type { ScanOptions, ScanResult, SkippedScript } from './scan.ts';
