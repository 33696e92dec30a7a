/**
 * Signs a request the way Slack signs the requests it sends to an app: `X-Slack-Signature` is
 * `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with the app's signing secret, and
 * `X-Slack-Request-Timestamp` is that timestamp in seconds
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
import { createHmac } from 'node:crypto';

/** The two headers Slack adds to every request it sends an app. */
export interface SlackSignatureHeaders {
  readonly 'x-slack-request-timestamp': string;
  readonly 'x-slack-signature': string;
}

/** The `v0=` signature of a raw body at a timestamp (seconds). */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** The signature headers for a raw body, signed now (or at `nowMs`). */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  nowMs: number = Date.now(),
): SlackSignatureHeaders {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, rawBody),
  };
}
