// `kleene-boot check`: the inventory and the plan, no action (`service kleene_containers status`).
import { hookVerbCommand } from './restore.ts';

export const checkCommand = hookVerbCommand('check',
  'Check the configured containers without acting: exit 1 when one is blocked, missing or ambiguous');
