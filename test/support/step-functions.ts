/** A loopback Step Functions endpoint (JSON 1.0 protocol) that records starts and task successes, for tests. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor, WorkflowClient } from '../../lambdas/stepfunctions/client';

/** The state machine the recorder pretends to run. */
export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ontap-jit';

/** A running recorder. */
export interface StepFunctionsRecorder {
  readonly endpoint: string;
  /** A WorkflowClient pointed at the recorder. */
  readonly workflow: WorkflowClient;
  /** StartExecution calls that started an execution (a repeated name is refused as AWS does). */
  readonly executions: { name: string; input: unknown }[];
  /** Every call, with its target and body. */
  readonly calls: { target: string; body: Record<string, unknown> }[];
  /** SendTaskSuccess calls that resumed a live token. */
  readonly resumed: { taskToken: string; output: unknown }[];
  /** Marks a task token as waiting (what the workflow does when it reaches a wait). */
  waitWith(token: string): void;
  /** Makes every call fail with a 500 until called with false. */
  failAll(fail: boolean): void;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the recorder on loopback. */
export async function startStepFunctionsRecorder(): Promise<StepFunctionsRecorder> {
  const executions: { name: string; input: unknown }[] = [];
  const calls: { target: string; body: Record<string, unknown> }[] = [];
  const resumed: { taskToken: string; output: unknown }[] = [];
  const live = new Set<string>();
  let failing = false;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const body = JSON.parse(text) as Record<string, unknown>;
      calls.push({ target, body });
      const send = (status: number, out: object): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(out));
      };
      const error = (type: string): void => send(400, { __type: `com.amazonaws.states#${type}`, message: type });
      if (failing) return send(500, { __type: 'InternalFailure', message: 'down' });
      if (target === 'StartExecution') {
        const name = String(body.name);
        if (executions.some((e) => e.name === name)) return error('ExecutionAlreadyExists');
        executions.push({ name, input: JSON.parse(String(body.input)) });
        return send(200, {
          executionArn: executionArnFor(String(body.stateMachineArn), name),
          startDate: Date.now() / 1000,
        });
      }
      if (target === 'SendTaskSuccess') {
        const token = String(body.taskToken);
        if (!live.delete(token)) return error('TaskDoesNotExist');
        resumed.push({ taskToken: token, output: JSON.parse(String(body.output)) });
        return send(200, {});
      }
      return error('UnknownOperationException');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SFNClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    workflow: new WorkflowClient({ client, stateMachineArn: STATE_MACHINE_ARN }),
    executions,
    calls,
    resumed,
    waitWith: (token) => live.add(token),
    failAll: (fail) => {
      failing = fail;
    },
    reset() {
      executions.length = 0;
      calls.length = 0;
      resumed.length = 0;
      live.clear();
      failing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
