/**
 * The loopback proxies' forward: a call reaches the stand-in behind with its method, path, headers and
 * body (its `Host` the target's unless kept), and the stand-in's status, headers and body come back to
 * the caller with the proxy's own framing; a stand-in that is down or breaks off its answer rejects.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ForwardOptions, forwardRequest, sendAnswer } from '../../local/forward';

type Seen = { method?: string; url?: string; headers: IncomingHttpHeaders; body: string };
type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A stand-in that records the call it got and answers `answer` (chunked: no length of its own). */
async function standIn(answer: (res: ServerResponse) => void): Promise<{ url: URL; seen: Seen[] }> {
  const seen: Seen[] = [];
  const url = await listen(async (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: (await readAll(req)).toString() });
    answer(res);
  });
  return { url, seen };
}

/** A proxy in front of `target` that forwards each call and sends back the answer; a failed forward is a 502. */
async function proxy(target: URL, options?: ForwardOptions): Promise<{ url: URL; failures: Error[] }> {
  const failures: Error[] = [];
  const url = await listen(async (req, res) => {
    const body = await readAll(req);
    try {
      sendAnswer(res, await forwardRequest(target, req, body, options), req.method === 'HEAD');
    } catch (error) {
      failures.push(error as Error);
      res.writeHead(502).end();
    }
  });
  return { url, failures };
}

function call(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: '/table?x-id=PutItem', method, headers, agent: false },
      async (res) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: (await readAll(res)).toString() }),
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('a call goes on with its method, path, headers and body, the host the target; the answer comes back whole', async () => {
  const upstream = await standIn((res) => {
    res.writeHead(201, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' });
    res.write('{"a":');
    res.end('1}');
  });
  const front = await proxy(upstream.url);
  const body = JSON.stringify({ TableName: 't', Item: { pk: { S: 'é' } } });

  const reply = await call(front.url, 'POST', { 'x-amz-target': 'DynamoDB_20120810.PutItem' }, body);

  expect(upstream.seen).toEqual([
    {
      method: 'POST',
      url: '/table?x-id=PutItem',
      headers: expect.objectContaining({ host: upstream.url.host, 'x-amz-target': 'DynamoDB_20120810.PutItem' }),
      body,
    },
  ]);
  expect(reply.status).toBe(201);
  expect(reply.body).toBe('{"a":1}');
  expect(reply.headers).toMatchObject({ 'x-amzn-requestid': 'r-1', 'content-length': '7' });
  // The stand-in chunked its answer; the proxy sends it with a length of its own.
  expect(reply.headers['transfer-encoding']).toBeUndefined();
  expect(front.failures).toEqual([]);
});

test('with keepHost the caller’s own host goes on (a signature over it stays valid)', async () => {
  const upstream = await standIn((res) => res.writeHead(200).end());
  const front = await proxy(upstream.url, { keepHost: true });

  await call(front.url, 'GET', {});

  expect(upstream.seen[0]?.headers.host).toBe(front.url.host);
});

test('an error status is passed back as it came, body and all', async () => {
  const upstream = await standIn((res) => res.writeHead(412, { 'content-type': 'application/xml' }).end('<Error/>'));
  const front = await proxy(upstream.url);

  const reply = await call(front.url, 'PUT', {}, 'object');

  expect(reply).toMatchObject({ status: 412, body: '<Error/>', headers: { 'content-type': 'application/xml' } });
});

test('a HEAD answer has no body and tells the length the stand-in told', async () => {
  const upstream = await standIn((res) => res.writeHead(200, { 'content-length': '1234' }).end());
  const front = await proxy(upstream.url);

  const reply = await call(front.url, 'HEAD', {});

  expect(reply).toMatchObject({ status: 200, body: '', headers: { 'content-length': '1234' } });
});

test('a stand-in that is down rejects the forward', async () => {
  const down = await listen(() => undefined);
  const server = servers.pop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  const front = await proxy(down);

  const reply = await call(front.url, 'POST', {}, '{}');

  expect(reply.status).toBe(502);
  expect(front.failures).toEqual([expect.objectContaining({ code: 'ECONNREFUSED' })]);
});

test('a stand-in that breaks off its answer midway rejects the forward', async () => {
  const upstream = await standIn((res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial', () => res.destroy());
  });
  const front = await proxy(upstream.url);

  const reply = await call(front.url, 'POST', {}, '{}');

  expect(reply.status).toBe(502);
  expect(front.failures).toHaveLength(1);
});
