import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaHandlerFor } from '../../lambdas/handlers/slack-ingress';
import { commandBody, signedHeaders, useSlackIngress } from '../support/slack';

const ingress = useSlackIngress();

/** An API Gateway HTTP API (payload 2.0) / Function URL event as AWS builds it. */
function lambdaEvent(
  body: string,
  headers: Record<string, string>,
  options: { base64?: boolean; method?: string; path?: string } = {},
): APIGatewayProxyEventV2 {
  const path = options.path ?? '/slack/events';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc123',
      http: {
        method: options.method ?? 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '3.4.5.6',
        userAgent: 'Slackbot 1.0',
      },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795341600000,
    },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

describe('the Lambda entry', () => {
  const handler = lambdaHandlerFor(async () => ingress().slackApp);

  it('serves a base64-encoded, form-encoded slash command as Function URLs deliver it', async () => {
    const { slack } = ingress();
    const responseUrl = slack.issueResponseUrl();
    const body = commandBody({ user: 'U0ALICE', text: 'help', trigger: slack.issueTrigger('U0ALICE'), responseUrl });
    const out = await handler(
      lambdaEvent(body, signedHeaders(body, 'application/x-www-form-urlencoded'), { base64: true }),
    );
    expect(out.statusCode).toBe(200);
    // The help is the answer itself: nothing is posted to the response_url.
    expect(JSON.parse(String(out.body))).toMatchObject({ response_type: 'ephemeral' });
    expect(slack.responses).toEqual([]);
  });

  it('verifies the signature over the UTF-8 body of a base64-encoded JSON event with non-ASCII text', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'Grüße-✓', token: 'legacy' });
    const out = await handler(lambdaEvent(body, signedHeaders(body, 'application/json'), { base64: true }));
    expect(out.statusCode).toBe(200);
    expect(JSON.parse(String(out.body))).toEqual({ challenge: 'Grüße-✓' });
  });

  it('refuses a bad signature with 401, and other methods and paths with 404', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'x' });
    expect(
      (await handler(lambdaEvent(body, signedHeaders(body, 'application/json', { secret: 'wrong' })))).statusCode,
    ).toBe(401);
    expect(
      (await handler(lambdaEvent(body, signedHeaders(body, 'application/json'), { method: 'GET' }))).statusCode,
    ).toBe(404);
    expect(
      (await handler(lambdaEvent(body, signedHeaders(body, 'application/json'), { path: '/other' }))).statusCode,
    ).toBe(404);
  });
});

describe('the node http entry (local stack)', () => {
  /** A raw request to the served app, whatever the method and path. */
  function raw(method: string, path: string, body: string | Buffer = ''): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL(path, ingress().url), { method }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves only POST /slack/events', async () => {
    expect(await raw('POST', '/slack/events', 'unsigned')).toBe(401);
    expect(await raw('GET', '/slack/events')).toBe(404);
    expect(await raw('POST', '/elsewhere', 'x')).toBe(404);
  });

  it('refuses a body larger than Slack ever sends', async () => {
    expect(await raw('POST', '/slack/events', Buffer.alloc(1_100_000, 'a'))).toBe(413);
  });
});
