/** Scheduled sweep (EventBridge, every 5 minutes): live grants past their end are logged, their revoke run again, and the rest counted. */
import { getRuntime } from '../runtime/runtime';
import { revokeAccess } from '../workflow/end';
import { type SweepResult, sweepOverdueGrants } from '../workflow/sweep';

/** Lambda entry point; the scheduled event carries nothing the sweep needs. */
export const handler = async (): Promise<SweepResult> => {
  const rt = await getRuntime();
  const log = rt.logger.child({ task: 'sweep' });
  return sweepOverdueGrants(rt, log, (requestId) => revokeAccess(rt, { requestId }, log.child({ requestId })));
};
