/** Step Functions tasks CheckApproval and CheckBeforeGrant: route on the stored decision. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { checkApproval } from '../lifecycle/await-approval';
import { CheckApprovalInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('check-approval', CheckApprovalInputSchema, checkApproval, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
