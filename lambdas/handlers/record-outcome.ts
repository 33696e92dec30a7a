/** Step Functions tasks Record*: a failed validation, approval post, grant or revoke, recorded and told. */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { recordOutcome } from '../lifecycle/record-outcome';
import { RecordOutcomeInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler('record-outcome', RecordOutcomeInputSchema, recordOutcome, ports);

/** Lambda entry point. */
export const handler = make(getRuntime);
