/** The task functions' zod settings, set by their entries before any schema is built. */
import { z } from 'zod';
import { RequestSchema } from '../../lambdas/domain/request';
import { handler } from '../../lambdas/handlers/grant-access';

it('turns off compiled parsers in a task function, and parses the same', () => {
  expect(handler).toBeInstanceOf(Function);
  expect(z.config().jitless).toBe(true);
  expect(RequestSchema.safeParse({ id: 'JIT-1' }).success).toBe(false);
});
