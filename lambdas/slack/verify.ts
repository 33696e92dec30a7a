/**
 * Slack's request signing (v0), checked before anything is parsed: `v0=` HMAC-SHA256 over
 * `v0:<timestamp>:<raw body>` with the signing secret, and a timestamp neither stale (replays) nor
 * from the future (Bolt accepts those; a future stamp would let a captured request be replayed later).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a request may be. Slack's guidance, and what Bolt enforces too. */
export const MAX_AGE_SECONDS = 300;
/** How far ahead of our clock a request may be stamped (clock skew between Slack and us). */
export const MAX_FUTURE_SKEW_SECONDS = 60;

/** Why a request was refused, for the log (never the secret or the signature). */
export type VerifyFailure = 'missing-headers' | 'bad-timestamp' | 'stale' | 'future' | 'bad-signature';

/** Computes the `X-Slack-Signature` value for a body and timestamp. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Checks a request's signature and timestamp; `undefined` when it is genuine and fresh. */
export function verifySlackRequest(input: {
  readonly signingSecret: string;
  readonly rawBody: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly nowSeconds: number;
}): VerifyFailure | undefined {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return 'missing-headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad-timestamp';
  const stamped = Number(timestamp);
  if (stamped < input.nowSeconds - MAX_AGE_SECONDS) return 'stale';
  if (stamped > input.nowSeconds + MAX_FUTURE_SKEW_SECONDS) return 'future';
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  return undefined;
}
