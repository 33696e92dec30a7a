/**
 * The Slack app as a deployed function builds it: its dependencies from the environment, and the
 * app rebuilt when the Slack secret's signing secret changes.
 */
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { type Env, readEnv, secretsMaxAgeMinutes } from '../runtime/env';
import { createLogger, createMetrics } from '../runtime/logger';
import { lazily, once } from '../runtime/once';
// Loaded for its effect: luxon's locale set before any date is parsed.
import '../runtime/luxon-defaults';
import { SecretReader } from '../runtime/secrets';
import { slackBotTokenSource, slackCredentials } from '../runtime/slack-credentials';
import type { WorkflowClient } from '../stepfunctions/client';
import type { RequestStore } from '../store/requests';
import { createSlackApp, type SlackApp, type SlackAppDeps } from './app';
import type { AuditExports } from './services';

const SERVICE = 'ontap-jit-slack';

/** The Slack endpoint's logger (the handler adds the Lambda context to it on every invocation). */
export const logger = createLogger(SERVICE);

/** The Slack endpoint's metrics. */
export const metrics = createMetrics(SERVICE);

/**
 * The Slack app's dependencies from the environment (lambdas/runtime/env.ts), the same variables
 * the workflow's tasks read: the configuration (compiled into the bundle in AWS, `JIT_CONFIG`
 * locally), `JIT_TABLE_NAME`, `STATE_MACHINE_ARN`, optional `SLACK_API_URL`, `DYNAMODB_ENDPOINT`,
 * `SFN_ENDPOINT`; the signing secret and bot token from `SLACK_SIGNING_SECRET` and
 * `SLACK_BOT_TOKEN` locally, else from the Slack secret `SLACK_SECRET_ARN` names (cached for
 * `JIT_SECRETS_MAX_AGE` minutes; the bot token is read again at once when Slack refuses it).
 */
export async function depsFromEnvironment(
  env: Env = readEnv(),
  reader?: SecretReader,
  config: Config = loadConfig(env.JIT_CONFIG),
): Promise<SlackAppDeps> {
  const maxAgeMinutes = secretsMaxAgeMinutes(env, config.aws.secretsMaxAge);
  const secrets = reader ?? new SecretReader(undefined, { maxAgeMinutes });
  const { signingSecret } = await slackCredentials(env, secrets);
  return {
    config,
    // Built by the first request that needs them: opening the form, help and errors never load
    // DynamoDB or Step Functions.
    store: lazily<RequestStore>(async () =>
      (await import('../runtime/runtime')).storeFromEnvironment(env, config, { logger, metrics }),
    ),
    workflow: lazily<WorkflowClient>(async () =>
      (await import('../runtime/runtime')).workflowClientFromEnvironment(env),
    ),
    signingSecret,
    botToken: slackBotTokenSource(env, secrets),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    ...(env.AUDIT_EXPORT_FUNCTION ? { auditExports: auditExportsFrom(env, env.AUDIT_EXPORT_FUNCTION, config) } : {}),
    logger,
    metrics,
  };
}

/** `/jit audit`'s claims on the table and its starter, the export function; their modules loaded on first use. */
function auditExportsFrom(env: Env, functionName: string, config: Config): AuditExports {
  const claims = once(async () => {
    const [{ DynamoDBClient }, { storeContext }, { ExportClaims }] = await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('../store/context'),
      import('../store/export-claims'),
    ]);
    const client = new DynamoDBClient({
      region: env.AWS_REGION,
      ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    });
    return new ExportClaims(
      storeContext({ client, tableName: env.JIT_TABLE_NAME, retentionSeconds: config.retention, logger }),
    );
  });
  const starter = once(async () => {
    const [{ LambdaClient }, { LambdaExportStarter }] = await Promise.all([
      import('@aws-sdk/client-lambda'),
      import('../audit-export/lambda-starter'),
    ]);
    return new LambdaExportStarter(new LambdaClient({ region: env.AWS_REGION }), functionName);
  });
  return {
    claims: {
      claim: async (key, at) => (await claims.get()).claim(key, at),
      move: async (key, from, to) => (await claims.get()).move(key, from, to),
    },
    starter: { start: async (job) => (await starter.get()).start(job) },
  };
}

/** Refused signatures make at most one fresh read of the Slack secret this often: forgeries cannot flood it. */
export const SIGNATURE_RECHECK_INTERVAL_MS = 60_000;

/** An app and the signing secret it verifies with. */
interface BuiltApp {
  readonly app: SlackApp;
  readonly signingSecret: string;
}

/**
 * The app for the signing secret of now. Built on first use, and built again when the Slack secret
 * holds another signing secret: seen when the cached value passes its maximum age, or at once when
 * a request is refused (Slack signs with a regenerated secret from the moment it is regenerated),
 * then the refused request is checked again with the new secret.
 */
export function currentAppFor(
  env: Env,
  secrets: SecretReader,
  options: { build?: (deps: SlackAppDeps) => SlackApp; config?: Config } = {},
): () => Promise<SlackApp> {
  const build = options.build ?? createSlackApp;
  let lastRecheck = Number.NEGATIVE_INFINITY;
  const app = once(() =>
    depsFromEnvironment(env, secrets, options.config).then((deps) => ({
      app: build(deps),
      signingSecret: deps.signingSecret,
    })),
  );
  const latest = async (): Promise<BuiltApp> => {
    const pending = app.get();
    const current = await pending;
    const { signingSecret } = await slackCredentials(env, secrets);
    if (signingSecret === current.signingSecret) return current;
    // Requests that noticed the change together share one rebuild.
    const again = app.get();
    if (again !== pending) return again;
    app.forget();
    return app.get();
  };
  /** The app for a signing secret other than the refusing one's, if the secret, read now, holds one. */
  const recheck = async (refusing: BuiltApp): Promise<BuiltApp | undefined> => {
    if (Date.now() - lastRecheck < SIGNATURE_RECHECK_INTERVAL_MS) return undefined;
    lastRecheck = Date.now();
    const { signingSecret } = await slackCredentials(env, secrets, { fresh: true });
    return signingSecret === refusing.signingSecret ? undefined : latest();
  };
  return async () => {
    const current = await latest();
    return {
      app: current.app.app,
      async handle(request) {
        const answer = await current.app.handle(request);
        if (answer.status !== 401) return answer;
        // A failed read keeps the refusal: the request was not verified either way.
        const renewed = await recheck(current).catch(() => undefined);
        return renewed ? renewed.app.handle(request) : answer;
      },
    };
  };
}

/** The app for the signing secret of now, as the Lambda builds it from the environment (built on first use). */
export function currentAppFromEnvironment(): () => Promise<SlackApp> {
  const env = readEnv();
  const config = loadConfig(env.JIT_CONFIG);
  const maxAgeMinutes = secretsMaxAgeMinutes(env, config.aws.secretsMaxAge);
  return currentAppFor(env, new SecretReader(undefined, { maxAgeMinutes }), { config });
}
