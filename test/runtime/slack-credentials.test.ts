import { readEnv } from '../../lambdas/runtime/env';
import { EnvironmentError, SecretError } from '../../lambdas/runtime/errors';
import { SecretReader } from '../../lambdas/runtime/secrets';
import { slackBotToken, slackCredentials } from '../../lambdas/runtime/slack-credentials';
import { DEPLOYED_ENV } from '../deployed-env';
import { type LoopbackSecrets, startLoopbackSecrets } from '../support/secrets-manager';

const SLACK_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ontap-jit-approvals/slack-AbCdEf';
const TOKEN_ONLY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token-only-AbCdEf';

let secrets: LoopbackSecrets;
beforeAll(async () => {
  secrets = await startLoopbackSecrets({
    [SLACK_ARN]: JSON.stringify({ signingSecret: 'sign-from-secret', botToken: 'xoxb-from-secret' }),
    [TOKEN_ONLY_ARN]: JSON.stringify({ botToken: 'xoxb-only' }),
  });
});
afterAll(() => secrets.close());

describe('the Slack credentials', () => {
  it('come from the environment locally', async () => {
    const env = readEnv({
      ...DEPLOYED_ENV,
      SLACK_SIGNING_SECRET: 'local-sign',
      SLACK_BOT_TOKEN: 'xoxb-local',
      SLACK_SECRET_ARN: SLACK_ARN,
    });
    const reader = new SecretReader(secrets.client);
    await expect(slackCredentials(env, reader)).resolves.toEqual({
      signingSecret: 'local-sign',
      botToken: 'xoxb-local',
    });
    await expect(slackBotToken(env, reader)).resolves.toBe('xoxb-local');
  });

  it('come from the Slack secret by ARN in AWS, read once and kept', async () => {
    const env = readEnv({ ...DEPLOYED_ENV, SLACK_SECRET_ARN: SLACK_ARN });
    const reader = new SecretReader(secrets.client);
    const before = secrets.reads.length;
    await expect(slackCredentials(env, reader)).resolves.toEqual({
      signingSecret: 'sign-from-secret',
      botToken: 'xoxb-from-secret',
    });
    await expect(slackBotToken(env, reader)).resolves.toBe('xoxb-from-secret');
    expect(secrets.reads.slice(before)).toEqual([SLACK_ARN]);
  });

  it('name what is missing: the variable, or the secret field, never a value', async () => {
    await expect(
      slackCredentials(readEnv({ ...DEPLOYED_ENV, SLACK_BOT_TOKEN: 'xoxb-local' }), new SecretReader(secrets.client)),
    ).rejects.toThrow(new EnvironmentError('SLACK_SIGNING_SECRET', 'is not set, and neither is SLACK_SECRET_ARN'));
    const error = await slackCredentials(
      readEnv({ ...DEPLOYED_ENV, SLACK_SECRET_ARN: TOKEN_ONLY_ARN }),
      new SecretReader(secrets.client),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(String(error)).toContain('signingSecret');
    expect(String(error)).not.toContain('xoxb-only');
    // The workflow's tasks need only the token, so a token-only secret serves them.
    await expect(
      slackBotToken(readEnv({ ...DEPLOYED_ENV, SLACK_SECRET_ARN: TOKEN_ONLY_ARN }), new SecretReader(secrets.client)),
    ).resolves.toBe('xoxb-only');
  });
});
