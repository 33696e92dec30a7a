import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor, WorkflowClient } from '../../lambdas/stepfunctions/client';
import { WorkflowCallError } from '../../lambdas/stepfunctions/errors';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:jit';

/** A loopback endpoint speaking the Step Functions JSON 1.0 protocol with scripted answers. */
let server: Server;
let received: { target: string; body: Record<string, unknown> }[] = [];
let answer: (target: string, body: Record<string, unknown>) => { status: number; body: object } = () => ({
  status: 200,
  body: {},
});
let client: WorkflowClient;
/** The same, with the SDK trying a call twice. */
let retrying: WorkflowClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ target, body });
      const out = answer(target, body);
      // Status 0: the call is served and its answer lost (the connection closes).
      if (out.status === 0) return void res.destroy();
      res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const sdk = (maxAttempts: number): SFNClient =>
    new SFNClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts,
    });
  client = new WorkflowClient({ stateMachineArn: ARN, client: sdk(1) });
  retrying = new WorkflowClient({ stateMachineArn: ARN, client: sdk(2) });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received = [];
});

const awsError = (type: string) => ({ status: 400, body: { __type: `com.amazonaws.states#${type}`, message: type } });

describe('WorkflowClient', () => {
  it('starts an execution named after the request with the request id as input', async () => {
    answer = () => ({ status: 200, body: { executionArn: executionArnFor(ARN, 'REQ-1'), startDate: 1 } });
    expect(await client.start('REQ-1')).toEqual({
      executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:REQ-1`,
      alreadyStarted: false,
    });
    expect(received).toEqual([
      { target: 'StartExecution', body: { stateMachineArn: ARN, name: 'REQ-1', input: '{"requestId":"REQ-1"}' } },
    ]);
  });

  it('reports a second start of the same request instead of running a second workflow', async () => {
    answer = () => awsError('ExecutionAlreadyExists');
    expect(await client.start('REQ-1')).toEqual({ executionArn: executionArnFor(ARN, 'REQ-1'), alreadyStarted: true });
  });

  it('resumes waits with the decision, and says false for a stale token', async () => {
    answer = () => ({ status: 200, body: {} });
    expect(await client.resumeApproval('tok-1', { decision: 'APPROVED' })).toBe(true);
    expect(await client.endNow('tok-2')).toBe(true);
    expect(received.map((r) => r.body)).toEqual([
      { taskToken: 'tok-1', output: '{"decision":"APPROVED"}' },
      { taskToken: 'tok-2', output: '{"reason":"REVOKE_NOW"}' },
    ]);
    for (const type of ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']) {
      answer = () => awsError(type);
      expect(await client.resumeApproval('tok-old', { decision: 'DENIED' })).toBe(false);
    }
  });

  it('counts a token found closed by the retry of a try that got no answer as taken: that try closed it', async () => {
    for (const type of ['TaskDoesNotExist', 'TaskTimedOut']) {
      let tries = 0;
      answer = () => (++tries === 1 ? { status: 0, body: {} } : awsError(type));
      expect(await retrying.resumeApproval('tok-taken', { decision: 'APPROVED' })).toBe(true);
      expect(tries).toBe(2);
    }
    // Stale at the first try: nothing was taken.
    answer = () => awsError('TaskDoesNotExist');
    expect(await retrying.endNow('tok-old')).toBe(false);
    // A malformed token stays one, however many tries.
    let tries = 0;
    answer = () => (++tries === 1 ? { status: 0, body: {} } : awsError('InvalidToken'));
    expect(await retrying.endsChanged('tok-bad')).toBe(false);
  });

  it('wraps any other failure in a named error', async () => {
    answer = () => awsError('StateMachineDoesNotExist');
    await expect(client.start('REQ-2')).rejects.toThrow(WorkflowCallError);
    answer = () => ({ status: 500, body: { __type: 'InternalFailure' } });
    await expect(client.endNow('tok')).rejects.toThrow(WorkflowCallError);
  });
});
