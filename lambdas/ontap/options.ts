/** The options of an ONTAP session, and how they are checked before any connection opens. */
import { z } from 'zod';
import { OntapConfigError } from './errors';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';

/** A structured log event; never carries credentials or headers. */
export type OntapLogEvent =
  | {
      event: 'ontap.request';
      method: string;
      path: string;
      status: number | null;
      error: string | null;
      durationMs: number;
    }
  | { event: 'ontap.retry'; method: string; path: string; failures: number; delayMs: number; reason: string }
  | { event: 'ontap.job'; jobUuid: string; state: string }
  | { event: 'ontap.reauthenticate'; method: string; path: string };

/** An ONTAP API user's name and password. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where a client's credentials come from when they may be rotated (lambdas/runtime/secrets.ts `Refreshable`). */
export interface OntapCredentialSource {
  /** The credentials to send now (a cached value). */
  current(): Promise<BasicCredentials>;
  /** The credentials read again from their store, after the cluster refused the current ones. */
  fresh(): Promise<BasicCredentials>;
}

/** Options of `OntapClient`. */
export interface OntapClientOptions {
  /** `https://host[:port]` (or `http://` on loopback); no path, query or credentials. */
  endpoint: string;
  /** API user for HTTP Basic auth. */
  username?: string;
  /** Its password; may be omitted only when `clientCert` or `credentials` is given. */
  password?: string;
  /**
   * Basic-auth credentials that can change while the client lives (a rotated secret), instead of
   * `username`/`password`: read before each request, and read fresh once after a 401.
   */
  credentials?: OntapCredentialSource;
  /** PEM bundle the cluster's certificate must chain to; default: node's built-in CAs. */
  ca?: string;
  /** Client certificate login instead of (or besides) Basic auth. */
  clientCert?: { cert: string; key: string };
  /** Deadline per HTTP request; default 30 000 ms. */
  timeoutMs?: number;
  /** Retry policy for transient failures; default 4 tries, 250 ms base, 8 s cap. */
  retry?: Partial<RetryPolicy>;
  /** Polling of 202 jobs: every `intervalMs` (default 1000) up to `maxPolls` times (default 120). */
  jobPolling?: { intervalMs?: number; maxPolls?: number };
  /** `max_records` for listings that may be long (JIT entries); default 500. */
  pageSize?: number;
  /** Largest answer accepted; default 16 MiB. */
  maxResponseBytes?: number;
  /** Injected for tests: how to wait between tries and polls. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: the jitter source, in [0, 1). */
  random?: () => number;
  /** Receives one event per request, retry and job poll. */
  logger?: (event: OntapLogEvent) => void;
}

const OptionsSchema = z.object({
  endpoint: z.string().min(1),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  ca: z.string().min(1).optional(),
  clientCert: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(20).optional(),
      baseDelayMs: z.number().min(0).optional(),
      maxDelayMs: z.number().min(0).optional(),
    })
    .optional(),
  jobPolling: z
    .object({ intervalMs: z.number().min(0).optional(), maxPolls: z.number().int().min(1).optional() })
    .optional(),
  pageSize: z.number().int().min(1).default(500),
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
});

/** Checked options with every default filled in. */
export type SessionSettings = Omit<z.output<typeof OptionsSchema>, 'retry' | 'jobPolling'> & {
  origin: URL;
  retry: RetryPolicy;
  jobIntervalMs: number;
  jobMaxPolls: number;
};

/** Checks the options (OntapConfigError names a bad field, never its value) and fills in the defaults. */
export function parseOptions(options: OntapClientOptions): SessionSettings {
  const result = OptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    // Name the field, never echo its value: it may be the password.
    throw new OntapConfigError(
      `invalid ONTAP client option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`,
    );
  }
  let origin: URL;
  try {
    origin = new URL(result.data.endpoint);
  } catch (err) {
    throw new OntapConfigError('invalid ONTAP client option "endpoint": not a URL', { cause: err });
  }
  const plainOrigin = (origin.pathname === '/' || origin.pathname === '') && !origin.search && !origin.hash;
  if (
    (origin.protocol !== 'https:' && origin.protocol !== 'http:') ||
    origin.username ||
    origin.password ||
    !plainOrigin
  ) {
    throw new OntapConfigError(
      'invalid ONTAP client option "endpoint": expected https://host[:port] (or http://) without credentials, path or query',
    );
  }
  if (result.data.password === undefined && result.data.clientCert === undefined && options.credentials === undefined) {
    throw new OntapConfigError(
      'invalid ONTAP client options: give "username" and "password", "credentials", or "clientCert"',
    );
  }
  if (result.data.password !== undefined && result.data.username === undefined) {
    throw new OntapConfigError('invalid ONTAP client option "username": required with "password"');
  }
  const { retry, jobPolling, ...rest } = result.data;
  return {
    ...rest,
    origin,
    retry: {
      attempts: retry?.attempts ?? DEFAULT_RETRY.attempts,
      baseDelayMs: retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    },
    jobIntervalMs: jobPolling?.intervalMs ?? 1000,
    jobMaxPolls: jobPolling?.maxPolls ?? 120,
  };
}
