/** Step Functions task AwaitEnd (.waitForTaskToken): keeps the token that "Revoke now" completes. */
import { awaitEnd } from '../lifecycle/await-end';
import { AwaitInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) => taskHandler('await-end', AwaitInputSchema, awaitEnd, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
