/**
 * The Slack clients' transport (minipass-fetch over node's http) against the Slack stand-in: every
 * call behaves as WebClient's own fetch made it behave, answers, Slack's errors, HTTP failures and
 * retries, rate limits, timeouts, a refused connection, and the audit export's file upload flow.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, LogLevel } from '@slack/web-api';
import { slackFetch } from '../../lambdas/slack/http-fetch';
import { fixedToken, RefreshingWebClient } from '../../lambdas/slack/web-client';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';

const TOKEN = 'xoxb-transport';
let slack: SlackApiStandIn;
/** Runs before the stand-in serves a call: a test makes it throw (an HTTP 500) or wait. */
let before: (operation: string) => Promise<void> | void = () => undefined;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: TOKEN, beforeCall: (operation) => before(operation) });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.reset();
  slack.faults.rateLimited = undefined;
  before = () => undefined;
});

const client = (options: ConstructorParameters<typeof RefreshingWebClient>[1] = {}) =>
  new RefreshingWebClient(fixedToken(TOKEN), {
    slackApiUrl: slack.url,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 0 },
    ...options,
  });

describe('a Web API call through the product transport', () => {
  it('is sent form-encoded with the token, and answers what Slack answered', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Grant *ready*: é ✓' } }];
    const posted = await client().chat.postMessage({ channel: 'C0APPROVALS', text: 'ready é ✓', blocks });
    expect(posted).toMatchObject({ ok: true, channel: 'C0APPROVALS', response_metadata: {} });
    expect(slack.messages.map((m) => m.text)).toEqual(['ready é ✓']);
    expect(slack.callsTo('chat.postMessage')[0]?.args.blocks).toEqual(blocks);
  });

  it("ends with Slack's own error, the call recorded once", async () => {
    const web = client({ retryConfig: { retries: 2, factor: 1, minTimeout: 1, maxTimeout: 1 } });
    const refused = web.chat.update({ channel: 'C0APPROVALS', ts: '1.000001', text: 'x' });
    await expect(refused).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
    expect(slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('retries an HTTP 500 as configured, then answers the HTTP error with its status', async () => {
    let failures = 1;
    before = (operation) => {
      if (operation === 'chat.postMessage' && failures-- > 0) throw new Error('server fault');
    };
    const web = client({ retryConfig: { retries: 1, factor: 1, minTimeout: 1, maxTimeout: 1 } });
    await expect(web.chat.postMessage({ channel: 'C0APPROVALS', text: 'once' })).resolves.toMatchObject({ ok: true });
    expect(slack.messages.map((m) => m.text)).toEqual(['once']);

    failures = 5;
    const lost = web.chat.postMessage({ channel: 'C0APPROVALS', text: 'never' });
    await expect(lost).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    expect(slack.messages.map((m) => m.text)).toEqual(['once']);
  });

  it("rejects a rate-limited call at once with Slack's Retry-After, when told to, and posts nothing", async () => {
    slack.faults.rateLimited = (method) => (method === 'chat.postMessage' ? 7 : undefined);
    const web = client({ rejectRateLimitedCalls: true, retryConfig: { retries: 3 } });
    const limited = web.chat.postMessage({ channel: 'C0APPROVALS', text: 'later' });
    await expect(limited).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    expect(slack.messages).toHaveLength(0);
  });

  it('gives up on an answer that does not come within the timeout, as a request error', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    before = (operation) => (operation === 'users.info' ? held : undefined);
    const late = client({ timeout: 50 }).users.info({ user: 'U0ALICE' });
    await expect(late).rejects.toMatchObject({ code: ErrorCode.RequestError });
    release();
  });

  it('answers a refused connection as a request error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const web = client({ slackApiUrl: `http://127.0.0.1:${port}/api/` });
    await expect(web.auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
  });

  it('rejects an answer cut off halfway, never reading a partial body as the answer', async () => {
    const cutting = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"ok":true,"ts":"1');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    const { port } = cutting.address() as AddressInfo;
    try {
      const web = client({ slackApiUrl: `http://127.0.0.1:${port}/api/` });
      await expect(web.chat.postMessage({ channel: 'C0APPROVALS', text: 'cut' })).rejects.toThrow();
    } finally {
      await new Promise((resolve) => cutting.close(resolve));
    }
  });

  it('sends a Buffer argument as multipart through node’s own fetch: a file uploaded and shared', async () => {
    const bytes = Buffer.from('id,status\nJIT-1,ACTIVE\n', 'utf8');
    const web = client();
    const done = await web.filesUploadV2({ channel_id: 'C0APPROVALS', file: bytes, filename: 'audit.csv' });
    expect(done.ok).toBe(true);
    expect(slack.files.size).toBe(1);
    expect([...slack.files.values()].map((f) => [f.filename, f.bytes?.toString('utf8'), f.completed])).toEqual([
      ['audit.csv', bytes.toString('utf8'), true],
    ]);
  });
});

describe('slackFetch alone', () => {
  it('posts raw bytes to an upload URL (the audit export flow) and answers its status and text', async () => {
    const web = client();
    const bytes = Buffer.from('a,b\n1,2\n', 'utf8');
    const upload = await web.files.getUploadURLExternal({ filename: 'x.csv', length: bytes.length });
    const posted = await slackFetch(upload.upload_url ?? '', { method: 'POST', body: bytes });
    expect([posted.ok, posted.status, await posted.text()]).toEqual([true, 200, `OK - ${bytes.length}`]);
    await web.files.completeUploadExternal({ files: [{ id: upload.file_id ?? '', title: 'x' }] });
    expect([...slack.files.values()][0]).toMatchObject({ completed: true, length: bytes.length });
  });

  it('answers a redirect as an error when told to, as node’s fetch does', async () => {
    const redirecting = createServer((_, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const { port } = redirecting.address() as AddressInfo;
    try {
      await expect(slackFetch(`http://127.0.0.1:${port}/api/x`, { method: 'POST', redirect: 'error' })).rejects.toThrow(
        /redirect/,
      );
    } finally {
      await new Promise((resolve) => redirecting.close(resolve));
    }
  });

  it('sends headers given in any shape fetch takes', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const echo = createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const { port } = echo.address() as AddressInfo;
    try {
      const url = new URL(`http://127.0.0.1:${port}/`);
      await slackFetch(url, { headers: { 'x-one': '1' } });
      await slackFetch(url, { headers: [['x-two', '2']] });
      expect(seen.map((h) => [h['x-one'], h['x-two']])).toEqual([
        ['1', undefined],
        [undefined, '2'],
      ]);
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
