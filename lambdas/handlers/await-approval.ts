/** Step Functions task AwaitApproval (.waitForTaskToken): keeps the token, posts the approval message. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { awaitApproval } from '../lifecycle/await-approval';
import { AwaitInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('await-approval', AwaitInputSchema, awaitApproval, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
