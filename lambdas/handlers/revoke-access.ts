/** Step Functions task Revoke: removes the JIT entry, records EXPIRED or REVOKED. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { revokeAccess } from '../lifecycle/revoke';
import { RevokeInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('revoke-access', RevokeInputSchema, revokeAccess, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
