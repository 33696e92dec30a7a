import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { signSlackRequest, slackSignature } from '../../../local/sandbox/signature';

describe('signing requests as Slack does', () => {
  it("reproduces Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack#a_recipe_for_security
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it("passes Bolt's own verification, and fails it when anything changes", () => {
    const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
    const now = 1_700_000_000_000;
    const headers = signSlackRequest('secret', body, now);
    const verify = (overrides: { body?: string; secret?: string; at?: number } = {}) =>
      isValidSlackRequest({
        signingSecret: overrides.secret ?? 'secret',
        body: overrides.body ?? body,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: overrides.at ?? now + 1000,
      });
    expect(headers['x-slack-request-timestamp']).toBe('1700000000');
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verify()).toBe(true);
    expect(() =>
      verifySlackRequest({
        signingSecret: 'secret',
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': 1700000000 },
        nowMilliseconds: now,
      }),
    ).not.toThrow();
    expect(verify({ body: `${body}x` })).toBe(false);
    expect(verify({ secret: 'other' })).toBe(false);
    expect(verify({ at: now + 6 * 60 * 1000 })).toBe(false);
  });
});
