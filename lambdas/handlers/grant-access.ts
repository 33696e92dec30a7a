/** Step Functions task Grant: lock, JIT entry on the cluster, GRANTED. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { grantAccess } from '../lifecycle/grant';
import { GrantInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('grant-access', GrantInputSchema, grantAccess, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
