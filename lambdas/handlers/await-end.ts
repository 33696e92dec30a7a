/**
 * Step Functions tasks AwaitEnd (.waitForTaskToken: keeps the token that "Revoke now" completes)
 * and PlanEndWait (the next step of the end wait), one function: both are the end wait's.
 */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { z } from 'zod';
import { awaitEnd, planEndWait } from '../lifecycle/await-end';
import { AwaitInputSchema, PlanEndWaitInputSchema } from '../lifecycle/task-io';
import { getRuntime, type Runtime } from '../runtime/runtime';
import { taskHandler } from './task-handler';

const EndWaitInputSchema = z.union([AwaitInputSchema, PlanEndWaitInputSchema]);

/** The task's handler over the ports `ports()` gives (the runtime in AWS; the local stack and tests give theirs). */
export const make = (ports: () => Promise<Runtime>) =>
  taskHandler(
    'await-end',
    EndWaitInputSchema,
    (rt, input, log): Promise<unknown> =>
      'taskToken' in input ? awaitEnd(rt, input, log) : planEndWait(rt, input, log),
    ports,
  );

/** Lambda entry point. */
export const handler = make(getRuntime);
