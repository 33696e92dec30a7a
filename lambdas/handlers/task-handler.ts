/**
 * What every task handler does around its work: parse the input, log with the request id, log the
 * outcome. The handlers under lambdas/handlers/ import this module, their schema and their work with
 * `import()` inside the handler, so a function's init phase loads almost nothing and its first
 * invocation loads what that task uses (the runtime builds each client on first use too).
 */
import type { z } from 'zod';
import { TaskInputError } from '../lifecycle/errors';
import { describeError, type Logger } from '../runtime/logger';
import { getRuntime, type Runtime } from '../runtime/runtime';

/** Runs one task: `event` parsed with `schema`, then `work` with the runtime and a logger bound to the request id. */
export async function runTask<S extends z.ZodType<{ requestId: string }>, O>(
  task: string,
  schema: S,
  event: unknown,
  work: (rt: Runtime, input: z.output<S>, log: Logger) => Promise<O>,
): Promise<O> {
  const rt = await getRuntime();
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const error = new TaskInputError(task, { cause: parsed.error });
    rt.logger.error('task input rejected', {
      task,
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
    throw error;
  }
  const log = rt.logger.child({ requestId: parsed.data.requestId, task });
  try {
    const output = await work(rt, parsed.data, log);
    log.info('task done', { output });
    return output;
  } catch (error) {
    log.warn('task failed', describeError(error));
    throw error;
  }
}
