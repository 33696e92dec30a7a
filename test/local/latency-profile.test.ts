/**
 * The latency profile: each seam holds every call until its delay is over (a gate here, so nothing
 * depends on the machine's speed) and counts it; the stack under the `aws` profile counts what a
 * request calls, and its Slack endpoint reads its credentials from Secrets Manager once, then from
 * its cache.
 */

import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { WebClient } from '@slack/web-api';
import { startEmbeddedDynamo } from '../../local/dynamodb';
import { startDynamoFaultProxy } from '../../local/dynamodb-fault-proxy';
import { UnknownLatencyProfileError } from '../../local/errors';
import { LATENCY_PROFILES, latencyProfile, SeamCalls, seamHook } from '../../local/latency-profile';
import { startOntapSimulator } from '../../local/ontap-sim';
import { startSecretsManager } from '../../local/secrets-manager';
import { startSlackApi } from '../../local/slack-api/server';
import { startLocalStack } from '../../local/stack';
import { startStepFunctionsApi } from '../../local/stepfunctions/api-server';
import { LocalStepFunctions } from '../../local/stepfunctions/runner';
import { commandBody, signedHeaders } from '../support/slack';

const AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A hook that holds every call until `open()`; `arrived` resolves with the first call's operation. */
function gate() {
  let open = (): void => undefined;
  let arrive = (_operation: string): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const arrived = new Promise<string>((resolve) => {
    arrive = resolve;
  });
  const operations: string[] = [];
  const hook = async (operation: string): Promise<void> => {
    operations.push(operation);
    arrive(operation);
    await opened;
  };
  return { hook, arrived, open, operations };
}

/** Tracks whether a promise has settled yet. */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const done = promise.finally(() => {
    settled = true;
  });
  return { promise: done, settled: () => settled };
}

describe('the profiles', () => {
  it('has the AWS figures per dependency', () => {
    expect(latencyProfile('aws').ms).toEqual({
      slack: 250,
      stepFunctions: 40,
      dynamodb: 8,
      secretsManager: 40,
      ontap: 50,
    });
    expect(Object.values(latencyProfile('none').ms).every((ms) => ms === 0)).toBe(true);
  });

  it('refuses an unknown name, naming the ones there are', () => {
    expect(() => latencyProfile('mars')).toThrow(UnknownLatencyProfileError);
    expect(() => latencyProfile('mars')).toThrow(/none, aws/);
    expect(() => latencyProfile('toString')).toThrow(UnknownLatencyProfileError);
  });

  it("counts each call on arrival and waits the seam's delay", async () => {
    const calls = new SeamCalls();
    const waits: number[] = [];
    const wait = async (ms: number): Promise<void> => {
      waits.push(ms);
    };
    const aws = LATENCY_PROFILES.aws ?? latencyProfile('aws');
    await seamHook('slack', aws, calls, wait)('chat.postMessage');
    await seamHook('dynamodb', aws, calls, wait)('PutItem');
    await seamHook('dynamodb', aws, calls, wait)('PutItem');
    await seamHook('ontap', latencyProfile('none'), calls, wait)('GET /api/cluster');
    expect(waits).toEqual([250, 8, 8]);
    expect(calls.byOperation()).toEqual({
      'dynamodb PutItem': 2,
      'ontap GET /api/cluster': 1,
      'slack chat.postMessage': 1,
    });
    expect(calls.count('dynamodb')).toBe(2);
    expect(calls.count()).toBe(4);
    expect(calls.between(0, Number.POSITIVE_INFINITY).map((c) => c.operation)).toEqual([
      'chat.postMessage',
      'PutItem',
      'PutItem',
      'GET /api/cluster',
    ]);
  });
});

describe('each seam holds a call until its delay is over', () => {
  it('the Slack stand-in posts nothing before', async () => {
    const g = gate();
    const slack = await startSlackApi({ botToken: 'xoxb-gated', beforeCall: g.hook });
    try {
      const client = new WebClient('xoxb-gated', { slackApiUrl: slack.url });
      const call = tracked(client.chat.postMessage({ channel: 'C0APPROVALS', text: 'held' }));
      expect(await g.arrived).toBe('chat.postMessage');
      expect(slack.messages).toHaveLength(0);
      expect(call.settled()).toBe(false);
      g.open();
      expect((await call.promise).ok).toBe(true);
      expect(slack.messages.map((m) => m.text)).toEqual(['held']);
    } finally {
      await slack.close();
    }
  });

  it('the DynamoDB proxy writes nothing before', async () => {
    const g = gate();
    const dynamo = await startEmbeddedDynamo({ tableName: 'gated' });
    const proxy = await startDynamoFaultProxy(dynamo.endpoint, { beforeCall: g.hook });
    const client = new DynamoDBClient({ endpoint: proxy.url, region: 'us-east-1', credentials: AWS_CREDENTIALS });
    try {
      const key = { pk: { S: 'REQ#1' }, sk: { S: 'META' } };
      const put = tracked(client.send(new PutItemCommand({ TableName: 'gated', Item: key })));
      expect(await g.arrived).toBe('PutItem');
      const before = await dynamo.client.send(new GetItemCommand({ TableName: 'gated', Key: key }));
      expect(before.Item).toBeUndefined();
      expect(put.settled()).toBe(false);
      g.open();
      await put.promise;
      const after = await dynamo.client.send(new GetItemCommand({ TableName: 'gated', Key: key }));
      expect(after.Item).toEqual(key);
    } finally {
      client.destroy();
      await proxy.close();
      await dynamo.close();
    }
  });

  it('the Step Functions API starts no execution before', async () => {
    const g = gate();
    const sfn = new LocalStepFunctions({
      definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
      handlers: {},
    });
    const api = await startStepFunctionsApi(sfn, { beforeCall: g.hook });
    const client = new SFNClient({ endpoint: api.url, region: 'us-east-1', credentials: AWS_CREDENTIALS });
    try {
      const start = tracked(
        client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: 'held', input: '{}' })),
      );
      expect(await g.arrived).toBe('StartExecution');
      const arn = `${sfn.stateMachineArn.replace(':stateMachine:', ':execution:')}:held`;
      expect(() => sfn.describeExecution({ executionArn: arn })).toThrow();
      expect(start.settled()).toBe(false);
      g.open();
      expect((await start.promise).executionArn).toBe(arn);
    } finally {
      client.destroy();
      sfn.close();
      await api.close();
    }
  });

  it('the ONTAP simulator serves nothing before', async () => {
    const g = gate();
    const sim = await startOntapSimulator({ https: false, beforeCall: g.hook });
    try {
      const auth = Buffer.from(`${sim.credentials.username}:${sim.credentials.password}`).toString('base64');
      const call = tracked(fetch(`${sim.url}/api/svm/svms`, { headers: { authorization: `Basic ${auth}` } }));
      expect(await g.arrived).toBe('GET /api/svm/svms');
      expect(sim.calls()).toHaveLength(0);
      expect(call.settled()).toBe(false);
      g.open();
      expect((await call.promise).status).toBe(200);
      expect(sim.calls().map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/svm/svms']);
    } finally {
      await sim.close();
    }
  });

  it('the Secrets Manager stand-in answers nothing before, and refuses an unknown secret', async () => {
    const g = gate();
    const secrets = await startSecretsManager({ secrets: { 'ontap-jit/slack': '{"a":1}' }, beforeCall: g.hook });
    const client = new SecretsManagerClient({
      endpoint: secrets.url,
      region: 'us-east-1',
      credentials: AWS_CREDENTIALS,
    });
    try {
      const read = tracked(client.send(new GetSecretValueCommand({ SecretId: 'ontap-jit/slack' })));
      expect(await g.arrived).toBe('GetSecretValue');
      expect(read.settled()).toBe(false);
      g.open();
      expect((await read.promise).SecretString).toBe('{"a":1}');
      await expect(client.send(new GetSecretValueCommand({ SecretId: 'other' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      expect(g.operations).toEqual(['GetSecretValue', 'GetSecretValue']);
    } finally {
      client.destroy();
      await secrets.close();
    }
  });
});

describe('the local stack under the aws profile', () => {
  it('counts the calls a request makes; the Slack endpoint reads its secret once, then from its cache', async () => {
    const secret = 'profile-test-signing-secret-0123456789';
    const stack = await startLocalStack({
      port: 0,
      reconciler: false,
      latency: latencyProfile('aws'),
      env: { JIT_CONFIG: 'config/example.yaml', SLACK_SIGNING_SECRET: secret },
    });
    try {
      const seams = stack.seams ?? new SeamCalls();
      expect(stack.urls.secretsManager).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const slack = stack.slack;
      if (!slack) throw new Error('no Slack stand-in');
      const open = async (): Promise<number> => {
        const body = commandBody({
          user: 'U0ALICE',
          text: '',
          trigger: slack.issueTrigger('U0ALICE'),
          responseUrl: slack.issueResponseUrl({ user: 'U0ALICE', channel: 'C0GENERAL' }),
        });
        const headers = signedHeaders(body, 'application/x-www-form-urlencoded', { secret });
        return (await fetch(stack.urls.slackEvents, { method: 'POST', headers, body })).status;
      };
      expect(await open()).toBe(200);
      expect(seams.count('secretsManager')).toBe(1);
      expect(seams.byOperation()).toMatchObject({ 'slack views.open': 1 });
      expect(await open()).toBe(200);
      expect(seams.count('secretsManager')).toBe(1);
      expect(seams.byOperation()).toMatchObject({ 'slack views.open': 2 });
      // A forged request is refused and its one fresh read of the secret finds the same signing secret.
      const forged = commandBody({ user: 'U0ALICE', text: '', trigger: 't', responseUrl: 'https://example.invalid' });
      const refused = await fetch(stack.urls.slackEvents, {
        method: 'POST',
        headers: signedHeaders(forged, 'application/x-www-form-urlencoded', { secret: 'not-the-secret' }),
        body: forged,
      });
      expect(refused.status).toBe(401);
      expect(seams.count('secretsManager')).toBe(2);
    } finally {
      await stack.close();
    }
  }, 60_000);
});
