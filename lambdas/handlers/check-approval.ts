/** Step Functions tasks CheckApproval and CheckBeforeGrant: route on the stored decision. */
import type { CheckApprovalOutput } from '../lifecycle/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<CheckApprovalOutput> {
  const [{ runTask }, { CheckApprovalInputSchema }, { checkApproval }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/await-approval'),
  ]);
  return runTask('check-approval', CheckApprovalInputSchema, event, checkApproval);
}
