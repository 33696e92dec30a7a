/** Step Functions task AwaitEnd (.waitForTaskToken): keeps the token that "Revoke now" completes. */
import { awaitEnd } from '../workflow/end';
import { AwaitInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<{ waiting: boolean }> => runTask('await-end', AwaitInputSchema, event, awaitEnd);
