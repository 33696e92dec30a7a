/**
 * One HTTP(S) exchange with ONTAP over node's own http/https: Basic auth or a
 * client certificate, TLS verified against the configured CA, a deadline per
 * request. Credentials live in private fields so they cannot leak through
 * `JSON.stringify`, `util.inspect` or an error's properties.
 */
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { OntapConfigError, OntapError, OntapResponseFormatError, OntapTlsError, OntapTransientError } from './errors';

/** What the transport needs; validated by the client before it gets here. */
export interface TransportConfig {
  origin: URL;
  username: string | undefined;
  password: string | undefined;
  ca: string | undefined;
  clientCert: { cert: string; key: string } | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** An answer, whatever its status. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// Certificate and handshake failures: retrying cannot fix them.
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

class DeadlineExceeded extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceeded';
  }
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * The TLS context of one cluster: its CA (else the system's roots) and the client certificate, if any.
 * Built once per transport and shared by every connection, where the agent would build one, and parse
 * the certificates again, for each new socket (the calls of one check run in parallel, each on its own).
 */
function tlsContext(config: TransportConfig): ReturnType<typeof createSecureContext> {
  try {
    return createSecureContext({
      ...(config.ca !== undefined ? { ca: config.ca } : {}),
      ...(config.clientCert !== undefined ? { cert: config.clientCert.cert, key: config.clientCert.key } : {}),
    });
  } catch (error) {
    // OpenSSL's message names the PEM problem, never the certificate's or key's text.
    throw new OntapConfigError('invalid ONTAP client options: "ca" or "clientCert" is not a usable PEM', {
      cause: error,
    });
  }
}

/** Sends requests to one ONTAP endpoint over a keep-alive agent. */
export class HttpTransport {
  readonly #authorization: string | undefined;
  readonly #agent: http.Agent;
  readonly #origin: URL;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #secure: boolean;

  /** Prepares the agent; nothing is sent yet. */
  constructor(config: TransportConfig) {
    this.#origin = config.origin;
    this.#timeoutMs = config.timeoutMs;
    this.#maxResponseBytes = config.maxResponseBytes;
    this.#secure = config.origin.protocol === 'https:';
    this.#authorization =
      config.username !== undefined && config.password !== undefined
        ? basicAuthorization(config.username, config.password)
        : undefined;
    this.#agent = this.#secure
      ? new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: true, secureContext: tlsContext(config) })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /**
   * Sends one request; resolves with any HTTP answer, rejects with a typed OntapError when none came.
   * `credentials` replace the configured ones for this request (a rotated password).
   */
  request(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    credentials?: { readonly username: string; readonly password: string },
  ): Promise<RawResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/hal+json, application/json' };
    const authorization = credentials
      ? basicAuthorization(credentials.username, credentials.password)
      : this.#authorization;
    if (authorization !== undefined) headers.Authorization = authorization;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const details = { method, path: pathAndQuery };
    const lib = this.#secure ? https : http;

    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: OntapError | undefined, value?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else if (value) resolve(value);
      };
      // biome-ignore-start lint/correctness/noVoidTypeReturn: each branch settles with a void call and stops there.
      const fail = (err: unknown): void => {
        if (err instanceof OntapError) return finish(err);
        if (err instanceof DeadlineExceeded) {
          return finish(
            new OntapTransientError(
              `ONTAP ${method} ${pathAndQuery}: no answer within ${this.#timeoutMs} ms`,
              'timeout',
              details,
            ),
          );
        }
        const code = errorCode(err);
        if (code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
          return finish(
            new OntapTlsError(
              `ONTAP ${method} ${pathAndQuery}: TLS failed (${code}); is the configured CA the one that signed the cluster's certificate?`,
              details,
              { cause: err },
            ),
          );
        }
        finish(
          new OntapTransientError(
            `ONTAP ${method} ${pathAndQuery}: connection failed${code ? ` (${code})` : ''}`,
            'network',
            details,
            { cause: err },
          ),
        );
      };
      // biome-ignore-end lint/correctness/noVoidTypeReturn: see above.

      const req = lib.request(
        {
          protocol: this.#origin.protocol,
          hostname: this.#origin.hostname.replace(/^\[|\]$/g, ''),
          port: this.#origin.port || undefined,
          method,
          path: pathAndQuery,
          headers,
          agent: this.#agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.#maxResponseBytes) {
              fail(
                new OntapResponseFormatError(
                  `ONTAP ${method} ${pathAndQuery}: answer larger than ${this.#maxResponseBytes} bytes`,
                  { ...details, status: res.statusCode },
                ),
              );
              req.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) fail(Object.assign(new Error('answer cut off'), { code: 'ECONNRESET' }));
          });
        },
      );
      const timer = setTimeout(() => {
        fail(new DeadlineExceeded());
        req.destroy();
      }, this.#timeoutMs);
      req.on('error', fail);
      req.end(payload);
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}
