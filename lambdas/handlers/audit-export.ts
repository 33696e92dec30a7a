/**
 * The export function: one `/jit audit` job, queued by the Slack endpoint after it answered. It never
 * throws (a failure is told to the person), so Lambda's own retries of a failed event never send twice.
 */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type ExportOutcome, runSlackExport, type SlackExportDeps } from '../audit-export/slack-export';
import { TableSource } from '../audit-export/table-source';
import { loadConfig } from '../config/load';
import { readEnv } from '../runtime/env';
import { createLogger } from '../runtime/logger';
import { once } from '../runtime/once';
import { SecretReader } from '../runtime/secrets';
import { slackBotTokenSource } from '../runtime/slack-credentials';
import { RefreshingWebClient } from '../slack/web-client';
import { storeContext } from '../store/context';
import { ExportClaims } from '../store/export-claims';

const logger = createLogger('ontap-jit-audit-export');

/** The export over the deps `deps()` gives. */
export const make =
  (deps: () => Promise<SlackExportDeps>) =>
  async (event: unknown, context?: Context): Promise<ExportOutcome> => {
    if (context) logger.addContext(context);
    return runSlackExport(await deps(), event);
  };

const fromEnvironment = once(async (): Promise<SlackExportDeps> => {
  const env = readEnv();
  const config = loadConfig(env.JIT_CONFIG);
  const client = new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
  });
  const secrets = new SecretReader(undefined, { maxAgeMinutes: config.aws.secretsMaxAge / 60 });
  const web = new RefreshingWebClient(slackBotTokenSource(env, secrets), {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
  });
  const ctx = storeContext({ client, tableName: env.JIT_TABLE_NAME, retentionSeconds: config.retention, logger });
  const source = new TableSource({ doc: DynamoDBDocumentClient.from(client), tableName: env.JIT_TABLE_NAME });
  return { source, web, claims: new ExportClaims(ctx), logger };
});

/** Lambda entry point. */
export const handler = make(() => fromEnvironment.get());
