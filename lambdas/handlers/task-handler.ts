/**
 * What every task handler does around its use case: parse the input, log with the Lambda request
 * id and the request's id, log the outcome, publish the task's metrics. Each file under
 * lambdas/handlers/ is one Lambda entry: `make(ports)` over this, and `handler = make(getRuntime)`;
 * the local stack and the tests call `make` with their own ports.
 */
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { TaskInputError } from '../lifecycle/errors';
import { describeError, type Logger, publishMetrics } from '../runtime/logger';
import type { Runtime } from '../runtime/runtime';

/** A use case as a task runs it: its ports, its parsed input, a logger bound to the request. */
export type UseCase<I, O> = (ports: Runtime, input: I, log: Logger) => Promise<O>;

/** A task's Lambda handler: the event Step Functions sends (and the Lambda context, absent when run locally). */
export type TaskLambda<O> = (event: unknown, context?: Context) => Promise<O>;

/** The handler of task `task`: `event` parsed with `schema`, then `useCase` with the ports `ports()` gives. */
export function taskHandler<S extends z.ZodType<{ requestId: string }>, O>(
  task: string,
  schema: S,
  useCase: UseCase<z.output<S>, O>,
  ports: () => Promise<Runtime>,
): TaskLambda<O> {
  return async (event, context) => {
    const rt = await ports();
    if (context) rt.logger.addContext(context);
    try {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        rt.logger.error('task input rejected', {
          task,
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        throw new TaskInputError(task, { cause: parsed.error });
      }
      const log = rt.logger.createChild({ persistentKeys: { requestId: parsed.data.requestId, task } });
      try {
        const output = await useCase(rt, parsed.data, log);
        log.info('task done', { output });
        return output;
      } catch (error) {
        log.warn('task failed', describeError(error));
        throw error;
      }
    } finally {
      // Failed tasks too: a revoke that failed is exactly what the RevokeFailed metric counts.
      publishMetrics(rt.metrics);
    }
  };
}
