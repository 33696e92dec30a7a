/** Step Functions task Grant: lock, JIT entry on the cluster, GRANTED. */
import { grantAccess } from '../workflow/grant';
import { type GrantOutput, GrantInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<GrantOutput> => runTask('grant-access', GrantInputSchema, event, grantAccess);
