/**
 * Rotated secrets reach a running process. The task runtime is built from the environment as in
 * Lambda (the cluster's secret by the ARN the stack passes in ONTAP_CLUSTER_SECRETS, the Slack
 * secret by SLACK_SECRET_ARN, Secrets Manager on loopback), and talks over HTTP to the ONTAP
 * simulator and the Slack Web API stand-in. A new value is used once the cached one is older than
 * JIT_SECRETS_MAX_AGE (the wall clock moved by a fake offset, never a sleep), and at once after
 * ONTAP answers 401 or Slack `invalid_auth`; a value refused again ends the call with its typed error.
 */
import { OntapAuthError } from '../../lambdas/ontap';
import { readEnv } from '../../lambdas/runtime/env';
import { type Runtime, runtimeFromEnvironment } from '../../lambdas/runtime/runtime';
import { SlackCallError } from '../../lambdas/slack/errors';
import { withSimulator } from '../../local/local-config';
import { type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import type { Fixture } from '../../local/ontap-sim/fixture';
import { exampleFixture } from '../../local/ontap-sim/fixture';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { DEPLOYED_ENV } from '../deployed-env';
import { TEST_CONFIG } from '../support/configs';
import { pendingRequest } from '../support/requests';
import { type LoopbackSecrets, startLoopbackSecrets } from '../support/secrets-manager';

const CLUSTER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ontap-jit-approvals/clusters/cluster1-AbCdEf';
const SLACK_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ontap-jit-approvals/slack-AbCdEf';
const MAX_AGE_MINUTES = 5;
const credentials = (username: string, password: string): string => JSON.stringify({ username, password });
const slackSecret = (botToken: string): string =>
  JSON.stringify({ signingSecret: 'rotation-signing-secret', botToken });

// Two API users with write access: the secret can move from one to the other without a refusal.
const base = exampleFixture();
const fixture: Fixture = {
  ...base,
  api_users: [
    { username: 'jit-one', password: 'first-Pa55', access: 'all' },
    { username: 'jit-two', password: 'second-Pa55', access: 'all' },
  ],
};

let sim: OntapSimulator;
let slack: SlackApiStandIn;
let secrets: LoopbackSecrets;
const saved = { ...process.env };
/** The task runtime, built from the environment as a Lambda builds it. */
let runtime: Runtime;
const getRuntime = async (): Promise<Runtime> => runtime;

/**
 * The wall clock (Date only: timers, ticks and I/O stay real) runs on, and `moveClock` jumps it
 * forward: the maximum age passes without a sleep.
 */
function useMovableWallClock(): void {
  jest.useFakeTimers({
    advanceTimers: true,
    doNotFake: [
      ...(['hrtime', 'nextTick', 'performance', 'queueMicrotask'] as const),
      ...(['setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const),
    ],
  });
}
const moveClock = (ms: number): void => jest.setSystemTime(Date.now() + ms);

beforeAll(async () => {
  sim = await startOntapSimulator({ fixture });
  slack = await startSlackApi({ botToken: 'xoxb-first' });
  secrets = await startLoopbackSecrets({
    [CLUSTER_ARN]: credentials('jit-one', 'first-Pa55'),
    [SLACK_ARN]: slackSecret('xoxb-first'),
  });
  useMovableWallClock();
  process.env = {
    ...saved,
    // What the stack sets: ARNs only, no credentials in the environment.
    ONTAP_CLUSTER_SECRETS: JSON.stringify({ cluster1: CLUSTER_ARN }),
    SLACK_SECRET_ARN: SLACK_ARN,
    JIT_SECRETS_MAX_AGE: String(MAX_AGE_MINUTES),
    SLACK_API_URL: slack.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...DEPLOYED_ENV,
  };
  const local = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'ONTAP_CLUSTER1_USERNAME', 'ONTAP_CLUSTER1_PASSWORD'];
  for (const name of local) {
    delete process.env[name];
  }
  // TEST_CONFIG's cluster names no credentials: in AWS its secret is the one the stack created.
  runtime = runtimeFromEnvironment(readEnv(), withSimulator(TEST_CONFIG, sim));
});

afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  await Promise.all([sim.close(), slack.close(), secrets.close()]);
});

/** Users the simulator saw on the calls since `from`, with their status. */
const callsSince = (from: number): string[] =>
  sim
    .calls()
    .slice(from)
    .map((c) => `${c.user ?? '-'} ${String(c.status)}`);
const readsOf = (arn: string): number => secrets.reads.filter((id) => id === arn).length;

describe('ONTAP credentials', () => {
  it('come from the secret the stack names for a cluster whose configuration names none', async () => {
    const client = await (await getRuntime()).ontap('cluster1');
    const from = sim.calls().length;
    expect(await client.resolveSvm('svm1')).toMatchObject({ name: 'svm1' });
    expect(callsSince(from)).toEqual(['jit-one 200']);
    expect(readsOf(CLUSTER_ARN)).toBe(1);
  });

  it('are read again once the cached value is older than the maximum age, not before', async () => {
    const client = await (await getRuntime()).ontap('cluster1');
    secrets.put(CLUSTER_ARN, credentials('jit-two', 'second-Pa55'));
    let from = sim.calls().length;
    moveClock((MAX_AGE_MINUTES * 60 - 30) * 1000);
    await client.resolveSvm('svm1');
    expect(callsSince(from)).toEqual(['jit-one 200']);
    expect(readsOf(CLUSTER_ARN)).toBe(1);

    moveClock(60 * 1000);
    from = sim.calls().length;
    await client.resolveSvm('svm1');
    expect(callsSince(from)).toEqual(['jit-two 200']);
    expect(readsOf(CLUSTER_ARN)).toBe(2);
  });

  it('are read again at once when the cluster refuses them, and the refused request is sent once more', async () => {
    const client = await (await getRuntime()).ontap('cluster1');
    // Rotated on the cluster, then put in the secret, well within the maximum age.
    sim.setPassword('jit-two', 'third-Pa55');
    secrets.put(CLUSTER_ARN, credentials('jit-two', 'third-Pa55'));
    const from = sim.calls().length;
    expect(await client.resolveSvm('svm1')).toMatchObject({ name: 'svm1' });
    expect(callsSince(from)).toEqual(['- 401', 'jit-two 200']);
    expect(readsOf(CLUSTER_ARN)).toBe(3);
    // The fresh value is the cached one now.
    await client.resolveSvm('svm1');
    expect(readsOf(CLUSTER_ARN)).toBe(3);
  });

  it('end the call with OntapAuthError when the secret still holds the refused value (one request)', async () => {
    const client = await (await getRuntime()).ontap('cluster1');
    sim.setPassword('jit-two', 'fourth-Pa55');
    const from = sim.calls().length;
    await expect(client.resolveSvm('svm1')).rejects.toBeInstanceOf(OntapAuthError);
    expect(callsSince(from)).toEqual(['- 401']);
    expect(readsOf(CLUSTER_ARN)).toBe(4);
  });

  it('end the call with OntapAuthError when the fresh value is refused too: one retry, no loop', async () => {
    const client = await (await getRuntime()).ontap('cluster1');
    secrets.put(CLUSTER_ARN, credentials('jit-two', 'not-what-the-cluster-has'));
    const from = sim.calls().length;
    const error = await client.resolveSvm('svm1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OntapAuthError);
    expect(String(error)).not.toMatch(/Pa55|not-what-the-cluster-has/);
    expect(callsSince(from)).toEqual(['- 401', '- 401']);
    expect(readsOf(CLUSTER_ARN)).toBe(5);
    // Put right again, the next call works without a restart.
    secrets.put(CLUSTER_ARN, credentials('jit-two', 'fourth-Pa55'));
    await expect(client.resolveSvm('svm1')).resolves.toMatchObject({ name: 'svm1' });
  });
});

describe('the Slack bot token of the workflow tasks', () => {
  const posts = (): number => slack.callsTo('chat.postMessage').length;

  it('is read again at once after invalid_auth, and the message is posted with the new token', async () => {
    const { notifier } = await getRuntime();
    await notifier.approval(pendingRequest());
    const before = readsOf(SLACK_ARN);
    slack.setBotToken('xoxb-second');
    secrets.put(SLACK_ARN, slackSecret('xoxb-second'));
    const sent = posts();
    await expect(notifier.approval(pendingRequest())).resolves.toMatchObject({ channel: 'C0APPROVALS' });
    // The refused post and the one that went through.
    expect(posts() - sent).toBe(2);
    expect(readsOf(SLACK_ARN)).toBe(before + 1);
  });

  it('is read again after the maximum age without waiting for a refusal', async () => {
    const { notifier } = await getRuntime();
    const before = readsOf(SLACK_ARN);
    moveClock((MAX_AGE_MINUTES * 60 + 30) * 1000);
    await notifier.approval(pendingRequest());
    expect(readsOf(SLACK_ARN)).toBe(before + 1);
  });

  it('ends with SlackCallError invalid_auth when the fresh token is refused too (no loop)', async () => {
    const { notifier } = await getRuntime();
    slack.setBotToken('xoxb-third');
    const sent = posts();
    const error = await notifier.approval(pendingRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackCallError);
    expect((error as SlackCallError).slackError).toBe('invalid_auth');
    expect(posts() - sent).toBe(1);
    slack.setBotToken('xoxb-second');
  });
});
