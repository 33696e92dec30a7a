/**
 * Secrets Manager's GetSecretValue on loopback (JSON 1.1, `X-Amz-Target: secretsmanager.GetSecretValue`),
 * so the Slack endpoint reads its secret through the SDK as it does in AWS, and pays what a read costs
 * there when a latency profile is on. Requests are not signature-checked: it listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running stand-in. */
export interface SecretsManagerStandIn {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint` (or `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  readonly url: string;
  close(): Promise<void>;
}

/** What the stand-in serves. */
export interface SecretsManagerOptions {
  /** SecretId (name or ARN) to SecretString. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly port?: number;
  /** Runs as each call arrives (its operation), before it is served: a latency profile's delay. */
  readonly beforeCall?: (operation: string) => Promise<void> | void;
}

const JSON_11 = 'application/x-amz-json-1.1';

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const type = typeof body.__type === 'string' ? { 'x-amzn-errortype': body.__type } : {};
  res.writeHead(status, { 'content-type': JSON_11, ...type }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the stand-in on loopback. */
export async function startSecretsManager(options: SecretsManagerOptions): Promise<SecretsManagerStandIn> {
  const secrets = new Map(Object.entries(options.secrets));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    await options.beforeCall?.(operation);
    if (req.method !== 'POST' || operation !== 'GetSecretValue')
      return send(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${operation}` });
    let secretId: unknown;
    try {
      secretId = (JSON.parse(text) as { SecretId?: unknown }).SecretId;
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    const value = typeof secretId === 'string' ? secrets.get(secretId) : undefined;
    if (value === undefined || typeof secretId !== 'string')
      return send(res, 400, {
        __type: 'ResourceNotFoundException',
        message: 'Secrets Manager can’t find the specified secret.',
      });
    send(res, 200, { ARN: secretId, Name: secretId, SecretString: value, VersionId: 'local' });
  };
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { __type: 'InternalServiceError', message: 'internal error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
