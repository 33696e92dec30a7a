import { createHmac } from 'node:crypto';
import { slackSignature, verifySlackRequest } from '../../lambdas/slack/verify';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_795_341_600;
const body = 'token=xyz&command=%2Fjit&text=help';
const verify = (over: Partial<Parameters<typeof verifySlackRequest>[0]> = {}) =>
  verifySlackRequest({
    signingSecret: secret,
    rawBody: body,
    timestamp: String(now),
    signature: slackSignature(secret, String(now), body),
    nowSeconds: now,
    ...over,
  });

describe('verifySlackRequest', () => {
  it('computes Slack’s v0 signature', () => {
    expect(slackSignature(secret, '1531420618', 'a=b')).toBe(
      `v0=${createHmac('sha256', secret).update('v0:1531420618:a=b').digest('hex')}`,
    );
  });

  it('accepts a genuine fresh request, and a small clock skew', () => {
    expect(verify()).toBeUndefined();
    expect(verify({ nowSeconds: now + 299 })).toBeUndefined();
    expect(verify({ nowSeconds: now - 60 })).toBeUndefined();
  });

  it('refuses missing headers, odd timestamps, stale and future requests, and bad signatures', () => {
    expect(verify({ signature: undefined })).toBe('missing-headers');
    expect(verify({ timestamp: '' })).toBe('missing-headers');
    expect(verify({ timestamp: '1e9' })).toBe('bad-timestamp');
    expect(verify({ nowSeconds: now + 301 })).toBe('stale');
    expect(verify({ nowSeconds: now - 61 })).toBe('future');
    expect(verify({ rawBody: `${body}&x=1` })).toBe('bad-signature');
    expect(verify({ signature: 'v0=00' })).toBe('bad-signature');
    expect(verify({ signingSecret: 'other' })).toBe('bad-signature');
  });
});
