/**
 * The Slack endpoint, `POST /slack/events`: the Lambda entry (API Gateway HTTP API v2 or a Function
 * URL). It only moves bytes; `createSlackApp` checks the signature and does the work.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { SlackApp } from '../slack/app';
import { currentAppFromEnvironment, logger } from '../slack/app-from-env';

/** The one path Slack posts to. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** A Lambda handler for API Gateway HTTP API (payload 2.0) and Function URL events, over an app built on first use. */
export function lambdaHandlerFor(load: () => Promise<SlackApp>) {
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    if (context) logger.addContext(context);
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
    const out = await (await load()).handle({ body, headers: event.headers });
    return { statusCode: out.status, headers: out.headers, body: out.body };
  };
}

let current: (() => Promise<SlackApp>) | undefined;

/** The Lambda entry point. */
export const handler = lambdaHandlerFor(() => {
  current ??= currentAppFromEnvironment();
  return current();
});
