/**
 * The REST session with one ONTAP cluster: HTTP with retries, 202 jobs followed to their end,
 * paging, error answers mapped to typed errors, and credentials read again after a 401.
 */
import type { z } from 'zod';
import { once } from '../runtime/once';
import { errorFromAnswer, headerValue, parseWith, truncate } from './answers';
import { OntapJobFailedError, OntapResponseFormatError } from './errors';
import { pathSegment, type QueryValues, queryString, uuidArg } from './names';
import { type OntapClientOptions, type OntapCredentialSource, type OntapLogEvent, parseOptions } from './options';
import { type RetryPolicy, withRetry } from './retry';
import { AccountOwnerRecordSchema, collectionSchema, JobLinkBodySchema, JobRecordSchema } from './schemas';
import { HttpTransport, type RawResponse } from './transport';

const MAX_PAGES = 10_000;

/** An answer with its status and parsed JSON body (`{}` when the body is empty). */
export interface Answer {
  status: number;
  json: unknown;
}

/** The admin SVM that owns cluster-scoped accounts and settings. */
export interface ClusterOwner {
  uuid: string;
  name: string;
}

/**
 * Talks HTTP to one ONTAP cluster. Safe to use concurrently; transient failures are retried
 * inside, everything else is thrown as a typed `Ontap*Error` (see errors.ts).
 */
export class OntapSession {
  /** `max_records` for listings that may be long. */
  readonly pageSize: number;
  readonly #transport: HttpTransport;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: ((event: OntapLogEvent) => void) | undefined;
  readonly #jobIntervalMs: number;
  readonly #jobMaxPolls: number;
  readonly #credentials: OntapCredentialSource | undefined;
  // Cache only a success; a failed lookup is tried again next time.
  readonly #clusterOwner = once(async (): Promise<ClusterOwner | null> => {
    const path = `/api/security/accounts${queryString({ scope: 'cluster', fields: 'owner', max_records: 1 })}`;
    const { json } = await this.call('GET', path);
    const page = parseWith(collectionSchema(AccountOwnerRecordSchema), json, 'GET', path, 'collection');
    const owner = page.records?.[0]?.owner;
    return owner ? { uuid: owner.uuid, name: owner.name } : null;
  });

  /** Validates the options (OntapConfigError names a bad field, never its value); connects lazily. */
  constructor(options: OntapClientOptions) {
    const o = parseOptions(options);
    this.#transport = new HttpTransport({
      origin: o.origin,
      username: o.username,
      password: o.password,
      ca: o.ca,
      clientCert: o.clientCert,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: o.maxResponseBytes,
    });
    this.#retry = o.retry;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    this.#jobIntervalMs = o.jobIntervalMs;
    this.#jobMaxPolls = o.jobMaxPolls;
    this.pageSize = o.pageSize;
    this.#credentials = options.credentials;
  }

  /** Closes idle connections; the session stays usable (new connections open on demand). */
  close(): void {
    this.#transport.close();
  }

  /** One call with retries; a 202 job answer is followed to its end. */
  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await withRetry(
      () => this.#once(method, path, body),
      this.#retry,
      this.#sleep,
      this.#random,
      ({ failures, delayMs, error }) =>
        this.#log({ event: 'ontap.retry', method, path, failures, delayMs, reason: error.reason }),
    );
    if (answer.status === 202) {
      const link = parseWith(JobLinkBodySchema, answer.json, method, path, '202 answer');
      await this.#waitForJob(link.job.uuid, method, path);
    }
    return answer;
  }

  /** GETs a collection page by page through `_links.next`. */
  async getAll<T extends z.ZodType>(path: string, query: QueryValues, record: T): Promise<z.output<T>[]> {
    const schema = collectionSchema(record);
    const out: z.output<T>[] = [];
    const seen = new Set<string>();
    let next: string | undefined = `${path}${queryString(query)}`;
    while (next !== undefined) {
      if (seen.has(next) || seen.size >= MAX_PAGES) {
        throw new OntapResponseFormatError(`ONTAP GET ${path}: paging does not end`, { method: 'GET', path });
      }
      seen.add(next);
      const current: string = next;
      const { json } = await this.call('GET', current);
      const page = parseWith(schema, json, 'GET', current, 'collection');
      out.push(...(page.records ?? []));
      next = page._links?.next?.href;
      // Only follow links that stay on this cluster's API: credentials go with every request.
      if (next !== undefined && !/^\/api\/[\x21-\x7e]*$/.test(next)) {
        throw new OntapResponseFormatError(`ONTAP GET ${path}: refusing to follow a next link outside /api/`, {
          method: 'GET',
          path: current,
        });
      }
    }
    return out;
  }

  /** The cluster-scoped owner (admin SVM), taken from a cluster-scoped account, as NOTES.md describes. */
  clusterOwner(): Promise<ClusterOwner | null> {
    return this.#clusterOwner.get();
  }

  async #once(method: string, path: string, body: unknown): Promise<Answer> {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.#send(method, path, body);
      status = res.status;
      if (res.status < 200 || res.status >= 300) {
        throw errorFromAnswer(res.status, res.body, method, path, headerValue(res.headers, 'retry-after'));
      }
      if (res.body.trim() === '') return { status: res.status, json: {} };
      try {
        return { status: res.status, json: JSON.parse(res.body) };
      } catch (err) {
        const text = `ONTAP ${method} ${path}: answered ${res.status} with a body that is not JSON`;
        throw new OntapResponseFormatError(text, { method, path, status: res.status }, { cause: err });
      }
    } catch (err) {
      error = err instanceof Error ? err.name : 'Error';
      throw err;
    } finally {
      this.#log({ event: 'ontap.request', method, path, status, error, durationMs: Date.now() - started });
    }
  }

  /**
   * One request with the current credentials. A 401 reads them fresh (the password may have been
   * rotated since they were cached) and, when they changed, sends the request once more: a 401
   * means ONTAP did nothing, so the repeat cannot apply anything twice. The second answer stands.
   */
  async #send(method: string, path: string, body: unknown): Promise<RawResponse> {
    if (!this.#credentials) return this.#transport.request(method, path, body);
    const used = await this.#credentials.current();
    const res = await this.#transport.request(method, path, body, used);
    if (res.status !== 401) return res;
    const fresh = await this.#credentials.fresh();
    if (fresh.username === used.username && fresh.password === used.password) return res;
    this.#log({ event: 'ontap.reauthenticate', method, path });
    return this.#transport.request(method, path, body, fresh);
  }

  #log(event: OntapLogEvent): void {
    try {
      this.#logger?.(event);
    } catch {
      // A broken logger must not break a grant or a revoke.
    }
  }

  async #waitForJob(jobUuid: string, method: string, path: string): Promise<void> {
    const fields = queryString({ fields: 'state,message,code' });
    const jobPath = `/api/cluster/jobs/${pathSegment(uuidArg('job uuid', jobUuid))}${fields}`;
    let lastState = 'unknown';
    for (let poll = 0; poll < this.#jobMaxPolls; poll++) {
      const { json } = await this.call('GET', jobPath);
      const job = parseWith(JobRecordSchema, json, 'GET', jobPath, 'job');
      lastState = job.state;
      this.#log({ event: 'ontap.job', jobUuid, state: job.state });
      if (job.state === 'success') return;
      if (job.state === 'failure') {
        const code = job.code !== undefined ? String(job.code) : undefined;
        const codeText = code !== undefined ? ` (code ${code})` : '';
        throw new OntapJobFailedError(
          `ONTAP job ${jobUuid} for ${method} ${path} failed${codeText}: ${truncate(job.message ?? 'no message')}`,
          jobUuid,
          'failure',
          { method, path, ontapCode: code },
        );
      }
      await this.#sleep(this.#jobIntervalMs);
    }
    const text = `ONTAP job ${jobUuid} for ${method} ${path} still ${lastState} after ${this.#jobMaxPolls} polls`;
    throw new OntapJobFailedError(text, jobUuid, lastState, { method, path });
  }
}
