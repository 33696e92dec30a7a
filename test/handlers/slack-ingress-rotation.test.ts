/**
 * The deployed Slack endpoint follows the Slack secret while it runs: the Lambda entry built as in
 * AWS (the secret by ARN, Secrets Manager on loopback, the Slack Web API stand-in), driven with
 * requests signed as Slack signs them. A regenerated bot token is used at once after Slack answers
 * `invalid_auth`; a regenerated signing secret once the cached one is older than the maximum age, or
 * at once after a refused request (one fresh read a minute at most). The wall clock is moved, never slept.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaHandlerFor } from '../../lambdas/handlers/slack-ingress';
import { readEnv } from '../../lambdas/runtime/env';
import { SecretReader } from '../../lambdas/runtime/secrets';
import { currentAppFor, SIGNATURE_RECHECK_INTERVAL_MS } from '../../lambdas/slack/app-from-env';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { DEPLOYED_ENV } from '../deployed-env';
import { type LoopbackSecrets, startLoopbackSecrets } from '../support/secrets-manager';
import { commandBody, signedHeaders } from '../support/slack';

const SLACK_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ontap-jit-approvals/slack-AbCdEf';
const MAX_AGE_MINUTES = 5;
const slackSecret = (signingSecret: string, botToken: string): string => JSON.stringify({ signingSecret, botToken });

let slack: SlackApiStandIn;
let secrets: LoopbackSecrets;
let handler: ReturnType<typeof lambdaHandlerFor>;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: 'xoxb-first' });
  secrets = await startLoopbackSecrets({ [SLACK_ARN]: slackSecret('first-signing-secret', 'xoxb-first') });
  // Date only: timers and I/O stay real; the clock jumps to pass the maximum age.
  jest.useFakeTimers({
    advanceTimers: true,
    doNotFake: [
      ...(['hrtime', 'nextTick', 'performance', 'queueMicrotask'] as const),
      ...(['setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const),
    ],
  });
  const maxAge = String(MAX_AGE_MINUTES);
  const env = readEnv({
    ...DEPLOYED_ENV,
    SLACK_SECRET_ARN: SLACK_ARN,
    SLACK_API_URL: slack.url,
    JIT_SECRETS_MAX_AGE: maxAge,
  });
  const reader = new SecretReader(secrets.client, { maxAgeMinutes: env.JIT_SECRETS_MAX_AGE });
  handler = lambdaHandlerFor(currentAppFor(env, reader));
});

afterAll(async () => {
  jest.useRealTimers();
  await Promise.all([slack.close(), secrets.close()]);
});

/** `/jit` typed by Alice (it opens the request form with views.open), signed with `secret`. */
async function openForm(secret: string): Promise<number> {
  const trigger = slack.issueTrigger('U0ALICE');
  const body = commandBody({ user: 'U0ALICE', text: '', trigger, responseUrl: slack.issueResponseUrl() });
  const headers = signedHeaders(body, 'application/x-www-form-urlencoded', { secret });
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers,
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  return (await handler(event)).statusCode ?? 0;
}
const formsOpened = (): number => slack.views.size;

describe('the Slack endpoint after a rotation', () => {
  it('opens the form with the bot token it read', async () => {
    const before = formsOpened();
    expect(await openForm('first-signing-secret')).toBe(200);
    expect(formsOpened()).toBe(before + 1);
    expect(secrets.reads).toEqual([SLACK_ARN]);
  });

  it('reads the secret again at once when Slack refuses the token, and opens the form with the new one', async () => {
    slack.setBotToken('xoxb-second');
    secrets.put(SLACK_ARN, slackSecret('first-signing-secret', 'xoxb-second'));
    const before = formsOpened();
    const calls = slack.calls.length;
    expect(await openForm('first-signing-secret')).toBe(200);
    expect(formsOpened()).toBe(before + 1);
    // The person and their groups are still cached, so views.open is the first call: refused, then sent again
    // with the new token.
    expect(slack.calls.slice(calls).map((c) => c.method)).toEqual(['views.open', 'views.open']);
    expect(secrets.reads).toHaveLength(2);
  });

  it('verifies with a regenerated signing secret once the cached one is older than the maximum age', async () => {
    secrets.put(SLACK_ARN, slackSecret('second-signing-secret', 'xoxb-second'));
    expect(await openForm('first-signing-secret')).toBe(200);
    jest.setSystemTime(Date.now() + (MAX_AGE_MINUTES * 60 + 30) * 1000);
    expect(await openForm('second-signing-secret')).toBe(200);
    expect(secrets.reads).toHaveLength(3);
    // The old secret is refused: the secret read again at once still holds the new one.
    expect(await openForm('first-signing-secret')).toBe(401);
    expect(secrets.reads).toHaveLength(4);
  });

  it('verifies with a regenerated signing secret at once after a refusal (one read a minute at most)', async () => {
    jest.setSystemTime(Date.now() + (SIGNATURE_RECHECK_INTERVAL_MS + 1000));
    secrets.put(SLACK_ARN, slackSecret('third-signing-secret', 'xoxb-second'));
    // Well within the maximum age: the refused request made the endpoint read the secret, and it was then accepted.
    expect(await openForm('third-signing-secret')).toBe(200);
    expect(secrets.reads).toHaveLength(5);
    expect(await openForm('third-signing-secret')).toBe(200);

    // Forged or early requests within the minute: refused, and no read.
    secrets.put(SLACK_ARN, slackSecret('fourth-signing-secret', 'xoxb-second'));
    expect(await openForm('fourth-signing-secret')).toBe(401);
    expect(await openForm('forged')).toBe(401);
    expect(secrets.reads).toHaveLength(5);
  });
});
