// `kleene-boot stop`: stop the configured containers that run, in reverse dependency order,
// as shutdown does (`hook.js stop`).
import { hookVerbCommand } from './restore.ts';

export const stopCommand = hookVerbCommand('stop',
  'Stop the configured containers that run, dependents first, each bounded by kleene_containers_stop_timeout');
