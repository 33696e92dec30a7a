/** A bare HTTP(S) client for simulator tests: no retries, no mapping, so tests see exactly what the simulator answers. */
import http from 'node:http';
import https from 'node:https';
import type { OntapSimulator } from '../../../local/ontap-sim';

/** What the simulator answered. `json` is loosely typed on purpose: tests assert its shape with expect. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Options of `raw`. */
export interface RawOptions {
  body?: unknown;
  /** Raw body text, sent as is. */
  bodyText?: string;
  /** Credentials; default the simulator's writer; null sends none. */
  auth?: { username: string; password: string } | null;
  timeoutMs?: number;
  clientCert?: { cert: string; key: string };
}

/** Sends one request to the simulator and reads the whole answer. */
export function raw(sim: OntapSimulator, method: string, path: string, options: RawOptions = {}): Promise<RawAnswer> {
  const url = new URL(sim.url);
  const auth = options.auth === undefined ? sim.credentials : options.auth;
  const payload = options.bodyText ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: http.OutgoingHttpHeaders = {};
  if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = Buffer.byteLength(payload);
  }
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        hostname: url.hostname,
        port: url.port,
        method,
        path,
        headers,
        agent: false,
        ...(secure
          ? {
              ca: sim.caPem,
              ...(options.clientCert ? { cert: options.clientCert.cert, key: options.clientCert.key } : {}),
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    if (options.timeoutMs !== undefined)
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error('raw request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
