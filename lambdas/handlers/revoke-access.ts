/** Step Functions task Revoke: removes the JIT entry, records EXPIRED or REVOKED. */
import type { RevokeOutput } from '../workflow/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<RevokeOutput> {
  const [{ runTask }, { RevokeInputSchema }, { revokeAccess }] = await Promise.all([
    import('../workflow/task'),
    import('../workflow/task-io'),
    import('../workflow/end'),
  ]);
  return runTask('revoke-access', RevokeInputSchema, event, revokeAccess);
}
