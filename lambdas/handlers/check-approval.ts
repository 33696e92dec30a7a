/** Step Functions tasks CheckApproval and CheckBeforeGrant: route on the stored decision. */
import { checkApproval } from '../workflow/approval';
import { type CheckApprovalOutput, CheckApprovalInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<CheckApprovalOutput> => runTask('check-approval', CheckApprovalInputSchema, event, checkApproval);
