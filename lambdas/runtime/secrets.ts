/** Secrets Manager reads, cached for the life of the process (a Lambda container). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { SecretError } from './errors';

/** Reads secrets by name or ARN and keeps each value once read. */
export class SecretReader {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  /** The secret's string value. */
  async text(secretId: string): Promise<string> {
    let value = this.cache.get(secretId);
    if (!value) {
      value = this.client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
        if (out.SecretString === undefined) throw new SecretError(secretId, 'has no string value');
        return out.SecretString;
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
