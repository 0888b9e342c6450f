// `kleene-boot plan`: the start waves, why each container is where it is, the stop order and
// the worst-case times against the budgets.
import { hookVerbCommand } from './restore.ts';

export const planCommand = hookVerbCommand('plan',
  'Show the start waves, the reasons, the stop order and the worst-case start and stop times');
