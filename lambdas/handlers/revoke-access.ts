/** Step Functions task Revoke: removes the JIT entry, records EXPIRED or REVOKED. */
import { revokeAccess } from '../workflow/end';
import { type RevokeOutput, RevokeInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<RevokeOutput> => runTask('revoke-access', RevokeInputSchema, event, revokeAccess);
