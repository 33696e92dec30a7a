/** Secrets Manager's JSON 1.1 API on loopback, serving GetSecretValue from a map, for tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The running stand-in. */
export interface LoopbackSecrets {
  readonly client: SecretsManagerClient;
  /** SecretIds asked for, in order. */
  readonly reads: string[];
  /** Puts a new value (as `put-secret-value` does): the next read gets it. */
  put(secretId: string, value: string): void;
  /** Where the stand-in listens (for `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Serves `values` (SecretId to SecretString); an unknown id answers ResourceNotFoundException. */
export async function startLoopbackSecrets(initial: Readonly<Record<string, string>>): Promise<LoopbackSecrets> {
  const values: Record<string, string> = { ...initial };
  const reads: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      reads.push(SecretId);
      const value = values[SecretId];
      if (value === undefined) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            __type: 'ResourceNotFoundException',
            message: 'Secrets Manager can’t find the specified secret.',
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    client,
    reads,
    endpoint,
    put: (secretId, value) => {
      values[secretId] = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}
