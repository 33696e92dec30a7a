import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../../lambdas/config/errors';
import { EnvironmentError, SecretError } from '../../lambdas/runtime/errors';
import { getRuntime, readEnv, runtimeFromEnvironment } from '../../lambdas/runtime/runtime';
import { SecretReader } from '../../lambdas/runtime/secrets';
import { DEPLOYED_ENV } from '../deployed-env';
import { TEST_CONFIG } from '../support/configs';
import { pendingRequest } from '../support/requests';

describe('the environment', () => {
  it('applies defaults', () => {
    expect(readEnv(DEPLOYED_ENV)).toMatchObject({ ...DEPLOYED_ENV, JIT_TIME_SCALE: 1, ONTAP_CLUSTER_SECRETS: {} });
  });

  it('names the variable that is wrong', () => {
    expect(() => readEnv({ ...DEPLOYED_ENV, JIT_TIME_SCALE: 'fast' })).toThrow(
      new EnvironmentError('JIT_TIME_SCALE', 'must be a number, 1 or more'),
    );
  });

  it.each(Object.keys(DEPLOYED_ENV))('requires %s, naming it (no made-up default)', (name) => {
    const without = { ...DEPLOYED_ENV, [name]: undefined };
    expect(() => readEnv(without)).toThrow(new EnvironmentError(name, 'is not set'));
    expect(() => readEnv({ ...DEPLOYED_ENV, [name]: '  ' })).toThrow(new EnvironmentError(name, 'is not set'));
  });

  it('refuses a state machine that is not an ARN', () => {
    expect(() => readEnv({ ...DEPLOYED_ENV, STATE_MACHINE_ARN: 'ontap-jit-workflow' })).toThrow(
      new EnvironmentError('STATE_MACHINE_ARN', 'must be an ARN'),
    );
  });
});

describe('the runtime', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('is built from the environment, its clock scaled by JIT_TIME_SCALE', async () => {
    const runtime = runtimeFromEnvironment(readEnv({ ...DEPLOYED_ENV, JIT_TIME_SCALE: '60' }), TEST_CONFIG);
    expect(runtime.config).toBe(TEST_CONFIG);
    // The scaled clock runs ahead of the wall clock.
    const before = Date.now();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runtime.clock.now()).toBeGreaterThanOrEqual(before);
  });

  it('is built once per process, and a failed build is tried again', async () => {
    delete process.env.JIT_TABLE_NAME;
    await expect(getRuntime()).rejects.toThrow(new EnvironmentError('JIT_TABLE_NAME', 'is not set'));
    process.env.JIT_TABLE_NAME = 'ontap-jit-requests';
    const first = await getRuntime();
    expect(await getRuntime()).toBe(first);
  });

  it('starts without a Slack token (a task that never posts needs none), and refuses to post, naming what to set', async () => {
    const runtime = runtimeFromEnvironment(readEnv(DEPLOYED_ENV), TEST_CONFIG);
    await expect(runtime.notifier.approval(pendingRequest())).rejects.toThrow(
      /SLACK_BOT_TOKEN is not set, and neither is SLACK_SECRET_ARN/,
    );
  });

  it('refuses to call a cluster without an endpoint, naming the field, and tries again next time', async () => {
    const runtime = runtimeFromEnvironment(readEnv(DEPLOYED_ENV), TEST_CONFIG);
    const refused = runtime.ontap('cluster1');
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/^Invalid configuration at clusters\[0\]\.endpoint: /);
    await expect(runtime.ontap('cluster1')).rejects.toThrow(/clusters\[0\]\.endpoint/);
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
