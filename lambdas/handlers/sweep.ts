/** Scheduled sweep (EventBridge, every 5 minutes): live grants past their end, logged and counted. */
import type { SweepResult } from '../workflow/sweep';

/** Lambda entry point; the scheduled event carries nothing the sweep needs. What it runs is loaded on the first invocation. */
export const handler = async (): Promise<SweepResult> => {
  const [{ getRuntime }, { sweepOverdueGrants }] = await Promise.all([import('../runtime/runtime'), import('../workflow/sweep')]);
  const rt = await getRuntime();
  return sweepOverdueGrants(rt, rt.logger.child({ task: 'sweep' }));
};
