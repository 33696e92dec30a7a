/**
 * A fault-injecting HTTP proxy in front of a DynamoDB API (dynalite, or any other): point
 * `DYNAMODB_ENDPOINT` (or a client's `endpoint`) at it and a chooser decides, call by call, whether
 * the call is throttled, fails with a server error, or is served but its answer lost (a read's, or a
 * write's: the write lands, and the writer cannot tell whether it did).
 * The chaos tests and the bench share it; production code never imports it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest, sendAnswer, targetOperation } from './forward';

/**
 * What a fault does to a call: `lost-answer` serves a read and drops its answer (a write gets a server
 * error instead); `lost-write-answer` makes a write and drops its answer.
 */
export type DynamoFault = 'throttle' | 'server-error' | 'lost-answer' | 'lost-write-answer';

/** Decides a call's fault from its operation (`PutItem`, `Query`...) and parsed body; undefined lets it through. */
export type DynamoFaultChooser = (operation: string, body: Record<string, unknown>) => DynamoFault | undefined;

/**
 * Decides whether a call is held before it is forwarded (a late call): the promise it returns releases
 * it; undefined forwards it at once.
 */
export type DynamoCallHolder = (operation: string, body: Record<string, unknown>) => Promise<void> | undefined;

/** A running proxy. */
export interface DynamoFaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give clients. */
  readonly url: string;
  /** The current chooser (none: every call goes through untouched). */
  chooser: DynamoFaultChooser | undefined;
  /** The current holder (none: no call is held). */
  holder: DynamoCallHolder | undefined;
  /** Faults injected so far, by `<fault> <operation>`. */
  readonly injected: Map<string, number>;
  close(): Promise<void>;
}

const ERROR_TYPE: Record<'throttle' | 'server-error', { status: number; type: string }> = {
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
  const proxy: { chooser: DynamoFaultChooser | undefined; holder: DynamoCallHolder | undefined } = {
    chooser: undefined,
    holder: undefined,
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation = targetOperation(req);
      await options.beforeCall?.(operation);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // Not JSON: the target answers that itself.
      }
      const held = proxy.holder?.(operation, parsed);
      if (held) await held;
      let fault = proxy.chooser?.(operation, parsed);
      // `lost-answer` loses only a read's answer; a write's is lost only when asked for by name.
      if (fault === 'lost-answer' && !READS.has(operation)) fault = 'server-error';
      if (fault === 'lost-write-answer' && READS.has(operation)) fault = 'lost-answer';
      if (fault) injected.set(`${fault} ${operation}`, (injected.get(`${fault} ${operation}`) ?? 0) + 1);
      if (fault === 'throttle' || fault === 'server-error') {
        const { status, type } = ERROR_TYPE[fault];
        const errorType = type.split('#')[1] ?? type;
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': errorType });
        res.end(JSON.stringify({ __type: type, message: 'Injected fault' }));
        return;
      }
      forwardRequest(to, req, body).then(
        (answer) => {
          if (fault === 'lost-answer' || fault === 'lost-write-answer') res.destroy();
          else sendAnswer(res, answer);
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
    get holder() {
      return proxy.holder;
    },
    set holder(holder) {
      proxy.holder = holder;
    },
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
