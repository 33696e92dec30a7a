/**
 * A token wait whose timeout passes while its function is still running (a busy machine, or a
 * window that ends as its grant is recorded): the timeout is taken by the state's Catch like any
 * other, and never surfaces as an unhandled promise rejection, which would end `npm start` (Node
 * ends the process on one).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { LocalStepFunctions } from '../../local/stepfunctions/runner';

const fn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

const DEFINITION = {
  StartAt: 'AwaitEnd',
  States: {
    AwaitEnd: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: fn('keep-token'), Payload: { 'token.$': '$$.Task.Token' } },
      TimeoutSeconds: 1,
      ResultPath: '$.wait',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.wait', Next: 'Ended' }],
      Next: 'Ended',
    },
    Ended: { Type: 'Succeed' },
  },
} as unknown as StateMachineDefinition;

describe('a token wait that times out while its function still runs', () => {
  it('ends through its Catch, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    // One business second is a hundredth of a real millisecond; the function takes 20 real ms.
    const sfn = new LocalStepFunctions({
      definition: DEFINITION,
      timeScale: 100_000,
      handlers: { 'keep-token': () => new Promise((resolve) => setTimeout(() => resolve({ kept: true }), 20)) },
    });
    try {
      const { executionArn } = sfn.startExecution({ name: 'slow-keeper', input: '{}' });
      const done = await sfn.waitForExecution(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(done.output))).toMatchObject({ wait: { Error: 'States.Timeout' } });
      // Give Node a turn to report rejections nobody handled.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      sfn.close();
    }
  });
});
