/** Step Functions task Validate: the request against its policy and the cluster. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';

import { ValidateInputSchema } from '../lifecycle/task-io';
import { validateRequest } from '../lifecycle/validate';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('validate-request', ValidateInputSchema, validateRequest, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
