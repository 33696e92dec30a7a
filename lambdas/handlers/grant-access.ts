/** Step Functions task Grant: lock, JIT entry on the cluster, GRANTED. */
import type { GrantOutput } from '../lifecycle/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<GrantOutput> {
  const [{ runTask }, { GrantInputSchema }, { grantAccess }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/grant'),
  ]);
  return runTask('grant-access', GrantInputSchema, event, grantAccess);
}
