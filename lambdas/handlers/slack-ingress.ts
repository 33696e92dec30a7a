/**
 * The Slack endpoint, `POST /slack/events`: the Lambda entry (API Gateway HTTP API v2 or a Function
 * URL) and the same entry for a plain node http server (the local stack). Both only move bytes;
 * `createSlackApp` checks the signature and does the work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { type Env, readEnv, secretsMaxAgeMinutes } from '../runtime/env';
import { lazily } from '../runtime/once';
import { SecretReader } from '../runtime/secrets';
import { slackBotTokenSource, slackCredentials } from '../runtime/slack-credentials';
import {
  createSlackApp,
  type SlackApp,
  type SlackAppDeps,
  type SlackHttpRequest,
  type SlackHttpResponse,
} from '../slack/app';
import { createJsonLogger } from '../slack/logger';
import type { WorkflowClient } from '../stepfunctions/client';
import type { RequestStore } from '../store/requests';

/** The one path Slack posts to. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Answers one raw Slack request (body as received, headers as sent). */
export function handleSlackHttp(
  app: SlackApp,
  body: string,
  headers: SlackHttpRequest['headers'],
): Promise<SlackHttpResponse> {
  return app.handle({ body, headers });
}

/** A Lambda handler for API Gateway HTTP API (payload 2.0) and Function URL events, over an app built on first use. */
export function lambdaHandlerFor(load: () => Promise<SlackApp>) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    if (event.requestContext.http.method !== 'POST' || !event.rawPath.endsWith(SLACK_EVENTS_PATH)) {
      return { statusCode: 404, body: '' };
    }
    // Decode base64 as UTF-8 (Bolt's own receiver decodes it as ASCII, which breaks the signature of non-ASCII JSON).
    const body =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    const out = await handleSlackHttp(await load(), body, event.headers);
    return { statusCode: out.status, headers: out.headers, body: out.body };
  };
}

/** A node http request listener serving `POST /slack/events` with the app (404 elsewhere). */
export function nodeListenerFor(app: SlackApp, options: { maxBodyBytes?: number } = {}) {
  const limit = options.maxBodyBytes ?? 1_000_000;
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== SLACK_EVENTS_PATH) {
        res.writeHead(404).end();
        return;
      }
      const body = await readLimited(req, limit);
      if (body === undefined) {
        res.writeHead(413).end();
        return;
      }
      const out = await handleSlackHttp(app, body, req.headers);
      res.writeHead(out.status, out.headers).end(out.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/** The body as UTF-8, or undefined when it exceeds `limit` bytes (the rest is discarded, not kept). */
function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

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
    // Built by the first request that needs them: opening the form, help and errors never load DynamoDB or Step Functions.
    store: lazily<RequestStore>(async () => {
      const [{ DynamoDBClient }, { RequestStore }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('../store/requests'),
      ]);
      return new RequestStore({
        client: new DynamoDBClient({
          region: env.AWS_REGION,
          ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
        }),
        tableName: env.JIT_TABLE_NAME,
        retentionSeconds: config.retention,
      });
    }),
    workflow: lazily<WorkflowClient>(async () => {
      const [{ SFNClient }, { WorkflowClient }] = await Promise.all([
        import('@aws-sdk/client-sfn'),
        import('../stepfunctions/client'),
      ]);
      return new WorkflowClient({
        client: new SFNClient({ region: env.AWS_REGION, ...(env.SFN_ENDPOINT ? { endpoint: env.SFN_ENDPOINT } : {}) }),
        stateMachineArn: env.STATE_MACHINE_ARN,
      });
    }),
    signingSecret,
    botToken: slackBotTokenSource(env, secrets),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    logger: createJsonLogger({ name: 'slack-ingress' }),
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
  let built: Promise<BuiltApp> | undefined;
  let lastRecheck = Number.NEGATIVE_INFINITY;
  const make = (): Promise<BuiltApp> => {
    const building = depsFromEnvironment(env, secrets, options.config).then((deps) => ({
      app: build(deps),
      signingSecret: deps.signingSecret,
    }));
    building.catch(() => {
      if (built === building) built = undefined;
    });
    built = building;
    return building;
  };
  const latest = async (): Promise<BuiltApp> => {
    const pending = built ?? make();
    const current = await pending;
    const { signingSecret } = await slackCredentials(env, secrets);
    if (signingSecret === current.signingSecret) return current;
    // Requests that noticed the change together share one rebuild.
    return built !== undefined && built !== pending ? built : make();
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

let current: (() => Promise<SlackApp>) | undefined;

/** The Lambda entry point. */
export const handler = lambdaHandlerFor(() => {
  if (!current) {
    const env = readEnv();
    const config = loadConfig(env.JIT_CONFIG);
    const maxAgeMinutes = secretsMaxAgeMinutes(env, config.aws.secretsMaxAge);
    current = currentAppFor(env, new SecretReader(undefined, { maxAgeMinutes }), { config });
  }
  return current();
});
