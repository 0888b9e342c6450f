// `kleene-boot stop`: stop the configured containers that run, dependents first, several at
// once, within rcshutdown_timeout's budget, as shutdown does (`hook.js stop`).
import { hookVerbCommand } from './restore.ts';

export const stopCommand = hookVerbCommand('stop',
  'Stop the configured containers that run, dependents first, up to kleene_containers_stop_jobs at once, each bounded by kleene_containers_stop_timeout (shortened to fit rcshutdown_timeout)');
