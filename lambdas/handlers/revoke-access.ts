/** Step Functions task Revoke: removes the JIT entry, records EXPIRED or REVOKED. */
import type { RevokeOutput } from '../lifecycle/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<RevokeOutput> {
  const [{ runTask }, { RevokeInputSchema }, { revokeAccess }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/revoke'),
  ]);
  return runTask('revoke-access', RevokeInputSchema, event, revokeAccess);
}
