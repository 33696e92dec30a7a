/** Scheduled sweep (EventBridge, every 5 minutes): live grants past their end are logged, their revoke run again, and the rest counted. */
import type { SweepResult } from '../workflow/sweep';

/** Lambda entry point; the scheduled event carries nothing the sweep needs. What it runs is loaded on the first invocation. */
export const handler = async (): Promise<SweepResult> => {
  const [{ getRuntime }, { revokeAccess }, { sweepOverdueGrants }] = await Promise.all([
    import('../runtime/runtime'),
    import('../workflow/end'),
    import('../workflow/sweep'),
  ]);
  const rt = await getRuntime();
  const log = rt.logger.child({ task: 'sweep' });
  return sweepOverdueGrants(rt, log, (requestId) => revokeAccess(rt, { requestId }, log.child({ requestId })));
};
