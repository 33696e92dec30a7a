/**
 * How the loopback proxies in front of a stand-in (the DynamoDB change feed and fault proxy, the S3
 * guard) pass a call on: the proxy reads the call in full, decides, forwards it unchanged but for its
 * `Host`, reads the stand-in's answer in full, and writes that answer back with its own framing.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

/** A stand-in's answer to a forwarded call, read in full. */
export interface ForwardedAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How a call is forwarded. */
export interface ForwardOptions {
  /**
   * Sends the caller's own `Host` rather than the target's, for a stand-in that checks a signature
   * made over the host the caller addressed. @default false
   */
  readonly keepHost?: boolean;
}

/**
 * Sends `req` (its method, path and headers) with `body` to `target` and reads the answer in full;
 * rejects when the target cannot be reached or its answer breaks off.
 */
export function forwardRequest(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
  options: ForwardOptions = {},
): Promise<ForwardedAnswer> {
  return new Promise<ForwardedAnswer>((resolve, reject) => {
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: {
          ...withoutFraming(req.headers),
          ...(options.keepHost ? {} : { host: target.host }),
          // The body was read in full (and may have been rewritten): it is sent with its own length.
          ...(body.length > 0 || req.headers['content-length'] !== undefined
            ? { 'content-length': String(body.length) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** `headers` without the caller's framing, which the forwarded body's own length replaces. */
function withoutFraming(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { 'transfer-encoding': _te, 'content-length': _length, ...rest } = headers;
  return rest;
}

/**
 * Writes a forwarded answer to the caller. The stand-in's framing headers (connection, chunking, length)
 * are its own connection's: the length sent is the body's, or for a HEAD (`head`) the one the stand-in told.
 */
export function sendAnswer(res: ServerResponse, answer: ForwardedAnswer, head = false): void {
  const { connection: _connection, 'transfer-encoding': _te, 'content-length': length, ...headers } = answer.headers;
  res.writeHead(answer.status, { ...headers, 'content-length': head ? (length ?? 0) : answer.body.length });
  res.end(answer.body);
}

/** The operation an AWS JSON-protocol call names in its `X-Amz-Target` (`DynamoDB_20120810.PutItem` → `PutItem`). */
export function targetOperation(req: IncomingMessage): string {
  return (
    String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop() ?? ''
  );
}
