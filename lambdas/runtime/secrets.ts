/** Secrets Manager reads, cached for the life of the process (a Lambda container). */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import { SecretError } from './errors';

/** Reads secrets by name or ARN and keeps each value once read. */
export class SecretReader {
  private readonly cache = new Map<string, Promise<string>>();

  /** @param client the Secrets Manager client; @default one made on the first read (a process that reads no secret never loads the SDK client) */
  constructor(private client?: SecretsManagerClient) {}

  private async read(secretId: string): Promise<string | undefined> {
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    this.client ??= new SecretsManagerClient({});
    return (await this.client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  }

  /** The secret's string value. */
  async text(secretId: string): Promise<string> {
    let value = this.cache.get(secretId);
    if (!value) {
      value = this.read(secretId).then((text) => {
        if (text === undefined) throw new SecretError(secretId, 'has no string value');
        return text;
      });
      // A failed read is tried again next time, not cached.
      value.catch(() => this.cache.delete(secretId));
      this.cache.set(secretId, value);
    }
    return value;
  }

  /** The secret's value parsed as JSON with `schema`. */
  async json<T>(secretId: string, schema: z.ZodType<T>): Promise<T> {
    const text = await this.text(secretId);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new SecretError(secretId, 'is not JSON', { cause: error });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new SecretError(secretId, `does not have the expected fields (${parsed.error.issues[0]?.path.join('.') ?? '?'})`);
    return parsed.data;
  }
}
