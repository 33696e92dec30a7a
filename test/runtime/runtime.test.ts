import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { EnvironmentError, SecretError } from '../../lambdas/runtime/errors';
import { getRuntime, readEnv, resetRuntime, setRuntimeForTesting } from '../../lambdas/runtime/runtime';
import { SecretReader } from '../../lambdas/runtime/secrets';
import { pendingRequest } from '../support/requests';
import { TEST_CONFIG } from '../support/workflow-env';

describe('the environment', () => {
  it('applies defaults', () => {
    expect(readEnv({})).toMatchObject({
      JIT_TABLE_NAME: 'ontap-jit-requests',
      JIT_TIME_SCALE: 1,
      AWS_REGION: 'us-east-1',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => readEnv({ JIT_TIME_SCALE: 'fast' })).toThrow(
      new EnvironmentError('JIT_TIME_SCALE', 'must be a number, 1 or more'),
    );
  });
});

describe('the runtime', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetRuntime();
  });

  it('is built once from the environment, with parts replaced for tests', async () => {
    process.env.SLACK_BOT_TOKEN = 'xoxb-local';
    process.env.JIT_TIME_SCALE = '60';
    setRuntimeForTesting({ config: TEST_CONFIG });
    const first = await getRuntime();
    expect(first.config).toBe(TEST_CONFIG);
    expect(await getRuntime()).toBe(first);
    // The scaled clock runs ahead of the wall clock.
    const before = Date.now();
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.clock.now()).toBeGreaterThanOrEqual(before);
  });

  it('starts without a Slack token (a task that never posts needs none), and refuses to post, naming what to set', async () => {
    delete process.env.SLACK_BOT_TOKEN;
    delete process.env.SLACK_SECRET_ARN;
    setRuntimeForTesting({ config: TEST_CONFIG });
    const runtime = await getRuntime();
    await expect(runtime.notifier.approval(pendingRequest())).rejects.toThrow(
      /SLACK_BOT_TOKEN is not set, and neither is SLACK_SECRET_ARN/,
    );
  });

  it('needs the simulator URL for an embedded cluster', async () => {
    process.env.SLACK_BOT_TOKEN = 'xoxb-local';
    delete process.env.ONTAP_EMBEDDED_URL;
    setRuntimeForTesting({ config: TEST_CONFIG });
    await expect((await getRuntime()).ontap('cluster1')).rejects.toThrow(/ONTAP_EMBEDDED_URL is not set/);
  });
});

describe('secrets', () => {
  let server: Server;
  let reads = 0;
  let value = '{"username":"admin","password":"s3cret"}';
  let client: SecretsManagerClient;

  beforeAll(async () => {
    // Secrets Manager's JSON 1.1 API on loopback.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        reads += 1;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:x', Name: 'x', SecretString: value }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SecretsManagerClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a secret once and keeps it', async () => {
    const reader = new SecretReader(client);
    const schema = z.object({ username: z.string(), password: z.string() });
    expect(await reader.json('x', schema)).toEqual({ username: 'admin', password: 's3cret' });
    expect(await reader.json('x', schema)).toEqual({ username: 'admin', password: 's3cret' });
    expect(reads).toBe(1);
  });

  it('says which field is missing without showing the value', async () => {
    value = '{"user":"admin","password":"s3cret"}';
    const error = await new SecretReader(client).json('y', z.object({ username: z.string() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(String(error)).toContain('username');
    expect(String(error)).not.toContain('s3cret');
  });
});
