// `kleene-boot disable [kleened|kleene_containers|all]`: set <service>_enable=NO (see enable.ts).
import { enableLikeCommand } from './enable.ts';

export const disableCommand = enableLikeCommand('disable');
