/** Scheduled sweep (EventBridge, every 5 minutes): live grants past their end, logged and counted. */
import { getRuntime } from '../runtime/runtime';
import { type SweepResult, sweepOverdueGrants } from '../workflow/sweep';

/** Lambda entry point; the scheduled event carries nothing the sweep needs. */
export const handler = async (): Promise<SweepResult> => {
  const rt = await getRuntime();
  return sweepOverdueGrants(rt, rt.logger.child({ task: 'sweep' }));
};
