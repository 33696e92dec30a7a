import { readEnv } from '../../lambdas/runtime/env';
import { SecretReader } from '../../lambdas/runtime/secrets';
import { depsFromEnvironment } from '../../lambdas/slack/app-from-env';
import { RequestNotFoundError } from '../../lambdas/store/errors';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb';
import { DEPLOYED_ENV } from '../deployed-env';
import { type LoopbackSecrets, startLoopbackSecrets } from '../support/secrets-manager';

const SLACK_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ontap-jit-approvals/slack-AbCdEf';

describe('the configuration of the deployed Slack endpoint', () => {
  let secrets: LoopbackSecrets;
  let dynamo: EmbeddedDynamo;
  const saved = { ...process.env };
  beforeAll(async () => {
    // The SDK's default credential chain, as the Lambda role provides it in AWS.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    secrets = await startLoopbackSecrets({
      [SLACK_ARN]: JSON.stringify({ signingSecret: 'sign-from-secret', botToken: 'xoxb-from-secret' }),
    });
    dynamo = await startEmbeddedDynamo({ tableName: 'OntapJitData-RequestsTable-XYZ' });
  });
  afterAll(async () => {
    process.env = { ...saved };
    await secrets.close();
    await dynamo.close();
  });

  it('reads the variables the stack sets (the table, the state machine, the Slack secret by ARN), and the secret once', async () => {
    const env = readEnv({
      ...DEPLOYED_ENV,
      JIT_TABLE_NAME: 'OntapJitData-RequestsTable-XYZ',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:OntapJitApp-workflow',
      SLACK_SECRET_ARN: SLACK_ARN,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    });
    const deps = await depsFromEnvironment(env, new SecretReader(secrets.client));
    expect(deps.signingSecret).toBe('sign-from-secret');
    // The token is read when a call needs it, from the same cached read of the secret.
    expect(typeof deps.botToken === 'string' ? deps.botToken : await deps.botToken.current()).toBe('xoxb-from-secret');
    expect(deps.config.slack.approvalChannel).toBe('C0APPROVALS');
    expect(secrets.reads).toEqual([SLACK_ARN]);
    // The store talks to the named table: a missing request, not a missing table.
    await expect(deps.store.get('20261122-NOSUCHREQ01')).rejects.toBeInstanceOf(RequestNotFoundError);
  });

  it('refuses to start without the signing secret, naming the variable', async () => {
    await expect(
      depsFromEnvironment(
        readEnv({ ...DEPLOYED_ENV, SLACK_BOT_TOKEN: 'xoxb-local' }),
        new SecretReader(secrets.client),
      ),
    ).rejects.toThrow(/SLACK_SIGNING_SECRET is not set, and neither is SLACK_SECRET_ARN/);
  });
});
