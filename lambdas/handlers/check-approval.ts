/** Step Functions tasks CheckApproval and CheckBeforeGrant: route on the stored decision. */
import type { CheckApprovalOutput } from '../workflow/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<CheckApprovalOutput> {
  const [{ runTask }, { CheckApprovalInputSchema }, { checkApproval }] = await Promise.all([
    import('../workflow/task'),
    import('../workflow/task-io'),
    import('../workflow/approval'),
  ]);
  return runTask('check-approval', CheckApprovalInputSchema, event, checkApproval);
}
