/**
 * The Slack endpoint as AWS runs it, for the local stack under a latency profile: its signing secret
 * and bot token read from a Secrets Manager stand-in through the SDK (the first request pays the
 * read, later ones the cache), instead of from environment variables.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../lambdas/config/schema';
import { readEnv, secretsMaxAgeMinutes } from '../lambdas/runtime/env';
import { SecretReader } from '../lambdas/runtime/secrets';
import type { SlackApp, SlackAppDeps } from '../lambdas/slack/app';
import { currentAppFor } from '../lambdas/slack/app-from-env';
import type { SeamHook } from './latency-profile';
import { type SecretsManagerStandIn, startSecretsManager } from './secrets-manager';

/** The name the Slack secret has in the stand-in (`SLACK_SECRET_ARN`). */
export const LOCAL_SLACK_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ontap-jit/slack';

/** A Slack endpoint reading its credentials from Secrets Manager, and the stand-in serving them. */
export interface SecretIngress {
  /** Answers Slack's requests (the app is built on the first one, after the secret is read). */
  readonly app: Pick<SlackApp, 'handle'>;
  readonly secretsManager: SecretsManagerStandIn;
  close(): Promise<void>;
}

/** What the endpoint is built from. */
export interface SecretIngressOptions {
  readonly config: Config;
  readonly signingSecret: string;
  readonly botToken: string;
  readonly tableName: string;
  readonly stateMachineArn: string;
  readonly slackApiUrl: string;
  /** Runs as each Secrets Manager call arrives (the profile's delay and count). */
  readonly beforeCall?: SeamHook;
  /** Builds the app from the credentials read (the stack gives its own store, workflow and logger). */
  readonly build: (deps: SlackAppDeps) => SlackApp;
}

/** Starts the stand-in holding the Slack secret and returns the endpoint that reads it. */
export async function startSecretIngress(options: SecretIngressOptions): Promise<SecretIngress> {
  const secretsManager = await startSecretsManager({
    secrets: {
      [LOCAL_SLACK_SECRET_ID]: JSON.stringify({ signingSecret: options.signingSecret, botToken: options.botToken }),
    },
    ...(options.beforeCall ? { beforeCall: options.beforeCall } : {}),
  });
  const client = new SecretsManagerClient({
    endpoint: secretsManager.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const env = readEnv({
    JIT_TABLE_NAME: options.tableName,
    STATE_MACHINE_ARN: options.stateMachineArn,
    SLACK_SECRET_ARN: LOCAL_SLACK_SECRET_ID,
    SLACK_API_URL: options.slackApiUrl,
    AWS_REGION: 'us-east-1',
  });
  const maxAgeMinutes = secretsMaxAgeMinutes(env, options.config.aws.secretsMaxAge);
  const current = currentAppFor(env, new SecretReader(client, { maxAgeMinutes }), {
    config: options.config,
    build: options.build,
  });
  return {
    app: { handle: async (request) => (await current()).handle(request) },
    secretsManager,
    close: async () => {
      client.destroy();
      await secretsManager.close();
    },
  };
}
