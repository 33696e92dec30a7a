/**
 * Secrets Manager reads through Powertools for AWS Lambda's Parameters utility: a value is kept for
 * a maximum age (minutes), then read again, so a rotated password or token reaches warm containers
 * without recycling them; a caller whose value was refused (ONTAP 401, Slack `invalid_auth`) asks
 * for a fresh read at once. Values are never logged, and errors name the secret, never its value.
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import { DEFAULT_SECRETS_MAX_AGE_MINUTES } from './env';
import { SecretError } from './errors';

/** How a read treats the cache. */
export interface ReadOptions {
  /** Read from Secrets Manager now, whatever the cache holds (the cached value was refused). */
  readonly fresh?: boolean;
}

/** Options of the reader. */
export interface SecretReaderOptions {
  /**
   * Minutes a value is used before it is read again; 0 reads it at every use.
   * @default DEFAULT_SECRETS_MAX_AGE_MINUTES (5)
   */
  readonly maxAgeMinutes?: number;
}

/** A value that can change while the process lives: cached, and read again at once when it was refused. */
export interface Refreshable<T> {
  /** The value to use now (from the cache while it is younger than the maximum age). */
  current(): Promise<T>;
  /** The value read again from its store now, after the current one was refused. */
  fresh(): Promise<T>;
}

/** A value that never changes (the local stack's environment variables): a refusal cannot be cured by a re-read. */
export function fixedValue<T>(value: T): Refreshable<T> {
  return { current: () => Promise.resolve(value), fresh: () => Promise.resolve(value) };
}

/** Reads secrets by name or ARN, caching each value for the maximum age. */
export class SecretReader {
  private provider: Promise<SecretsProvider> | undefined;
  private readonly maxAgeSeconds: number;
  /** Reads under way, so that concurrent callers share one call (a forced read is shared only with forced ones). */
  private readonly inFlight = new Map<string, { fresh: boolean; value: Promise<string> }>();

  /**
   * @param client the Secrets Manager client; @default one made on the first read (a process that reads no
   * secret never loads the SDK client)
   */
  constructor(
    private readonly client?: SecretsManagerClient,
    options: SecretReaderOptions = {},
  ) {
    this.maxAgeSeconds = Math.round((options.maxAgeMinutes ?? DEFAULT_SECRETS_MAX_AGE_MINUTES) * 60);
  }

  private getProvider(): Promise<SecretsProvider> {
    this.provider ??= import('@aws-lambda-powertools/parameters/secrets').then(
      ({ SecretsProvider }) => new SecretsProvider(this.client ? { awsSdkV3Client: this.client } : {}),
    );
    return this.provider;
  }

  private async read(secretId: string, fresh: boolean): Promise<string> {
    const provider = await this.getProvider();
    let value: string | Uint8Array | undefined;
    try {
      value = await provider.get(secretId, { maxAge: this.maxAgeSeconds, forceFetch: fresh });
    } catch (error) {
      // Powertools wraps the SDK's error; its message names the secret and the reason, never a value.
      throw new SecretError(secretId, 'could not be read', { cause: error });
    }
    if (typeof value !== 'string') throw new SecretError(secretId, 'has no string value');
    return value;
  }

  /** The secret's string value. */
  async text(secretId: string, options: ReadOptions = {}): Promise<string> {
    const fresh = options.fresh ?? false;
    const running = this.inFlight.get(secretId);
    if (running && (running.fresh || !fresh)) return running.value;
    const value = this.read(secretId, fresh).finally(() => {
      if (this.inFlight.get(secretId)?.value === value) this.inFlight.delete(secretId);
    });
    this.inFlight.set(secretId, { fresh, value });
    return value;
  }

  /** The secret's value parsed as JSON with `schema`. */
  async json<T>(secretId: string, schema: z.ZodType<T>, options: ReadOptions = {}): Promise<T> {
    const text = await this.text(secretId, options);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // Not the parser's error as cause: its message quotes the text, which is the secret.
      throw new SecretError(secretId, 'is not JSON');
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? '?';
      throw new SecretError(secretId, `does not have the expected fields (${field})`);
    }
    return parsed.data;
  }

  /** A secret's JSON value as a Refreshable: cached for the maximum age, read again at once by `fresh()`. */
  refreshable<T>(secretId: string, schema: z.ZodType<T>): Refreshable<T> {
    return { current: () => this.json(secretId, schema), fresh: () => this.json(secretId, schema, { fresh: true }) };
  }
}
