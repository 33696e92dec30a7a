/**
 * A fault-injecting HTTP proxy in front of a DynamoDB API (dynalite, or any other): point
 * `DYNAMODB_ENDPOINT` (or a client's `endpoint`) at it and a chooser decides, call by call, whether
 * the call is throttled, fails with a server error, or (reads only) is served but its answer lost.
 * The chaos tests and the bench share it; production code never imports it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fault does to a call. */
export type DynamoFault = 'throttle' | 'server-error' | 'lost-answer';

/** Decides a call's fault from its operation (`PutItem`, `Query`...) and parsed body; undefined lets it through. */
export type DynamoFaultChooser = (operation: string, body: Record<string, unknown>) => DynamoFault | undefined;

/** A running proxy. */
export interface DynamoFaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give clients. */
  readonly url: string;
  /** The current chooser (none: every call goes through untouched). */
  chooser: DynamoFaultChooser | undefined;
  /** Faults injected so far, by `<fault> <operation>`. */
  readonly injected: Map<string, number>;
  close(): Promise<void>;
}

const ERROR_TYPE: Record<Exclude<DynamoFault, 'lost-answer'>, { status: number; type: string }> = {
  throttle: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException' },
  'server-error': { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' },
};
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'DescribeTable']);

/**
 * Starts a proxy to `target` (e.g. dynalite's endpoint) on loopback; `beforeCall` runs as each call
 * arrives (its operation), before it is forwarded: a latency profile's delay.
 */
export async function startDynamoFaultProxy(
  target: string,
  options: { port?: number; beforeCall?: (operation: string) => Promise<void> | void } = {},
): Promise<DynamoFaultProxy> {
  const to = new URL(target);
  const injected = new Map<string, number>();
  const proxy: { chooser: DynamoFaultChooser | undefined } = { chooser: undefined };

  type OnAnswer = (status: number, headers: IncomingMessage['headers'], answer: Buffer) => void;
  const forward = (req: IncomingMessage, body: Buffer, onAnswer: OnAnswer, onError: (e: Error) => void): void => {
    const out = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: to.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => onAnswer(res.statusCode ?? 500, res.headers, Buffer.concat(chunks)));
        res.on('error', onError);
      },
    );
    out.on('error', onError);
    out.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      await options.beforeCall?.(operation);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // Not JSON: the target answers that itself.
      }
      let fault = proxy.chooser?.(operation, parsed);
      // An answer is only ever lost for a read: a write's lost answer is a different fault (not injected here).
      if (fault === 'lost-answer' && !READS.has(operation)) fault = 'server-error';
      if (fault) injected.set(`${fault} ${operation}`, (injected.get(`${fault} ${operation}`) ?? 0) + 1);
      if (fault === 'throttle' || fault === 'server-error') {
        const { status, type } = ERROR_TYPE[fault];
        const errorType = type.split('#')[1] ?? type;
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': errorType });
        res.end(JSON.stringify({ __type: type, message: 'Injected fault' }));
        return;
      }
      forward(
        req,
        body,
        (status, headers, answer) => {
          if (fault === 'lost-answer') return void res.destroy();
          const { 'content-length': _length, connection: _connection, 'transfer-encoding': _te, ...rest } = headers;
          res.writeHead(status, { ...rest, 'content-length': answer.length });
          res.end(answer);
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get chooser() {
      return proxy.chooser;
    },
    set chooser(chooser) {
      proxy.chooser = chooser;
    },
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
