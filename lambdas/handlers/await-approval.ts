/** Step Functions task AwaitApproval (.waitForTaskToken): keeps the token, posts the approval message. */
import { awaitApproval } from '../workflow/approval';
import { AwaitInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<{ waiting: boolean }> => runTask('await-approval', AwaitInputSchema, event, awaitApproval);
