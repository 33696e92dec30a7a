/** The ONTAP REST client the workflow uses: JIT entries and the checks around them. */
import http from 'node:http';
import { z } from 'zod';
import { durationToSeconds, formatIsoDuration, formatOntapTime, parseIsoDuration, parseOntapTime, startTimeToMillis, toIsoUtc } from './durations';
import {
  type JitEntryDifference,
  OntapApiError,
  OntapAuthError,
  OntapConfigError,
  OntapConflictError,
  OntapDuplicateError,
  type OntapError,
  type OntapErrorDetails,
  OntapInvalidFieldError,
  OntapInvalidInputError,
  OntapJitEntryMismatchError,
  OntapJobFailedError,
  OntapNotFoundError,
  OntapPermissionError,
  OntapResponseFormatError,
  OntapTransientError,
} from './errors';
import { type QueryValues, exactName, pathSegment, queryString, uuidArg } from './names';
import { type JitPrerequisiteInput, type JitPrerequisiteResult, checkJitPrerequisites } from './prerequisites';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import {
  AccountOwnerRecordSchema,
  AccountRecordSchema,
  ErrorBodySchema,
  type JitSettings,
  JitSettingsRecordSchema,
  type JitState,
  type JitUserEntry,
  JitUserEntrySchema,
  type JitUserFilter,
  type JitUserRecord,
  JitUserRecordSchema,
  JobLinkBodySchema,
  JobRecordSchema,
  type OntapAccount,
  type OntapRole,
  RoleRecordSchema,
  type SvmRef,
  SvmRecordSchema,
  collectionSchema,
} from './schemas';
import { HttpTransport, type RawResponse } from './transport';

/** A structured log event; never carries credentials or headers. */
export type OntapLogEvent =
  | { event: 'ontap.request'; method: string; path: string; status: number | null; error: string | null; durationMs: number }
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
  /** `https://host[:port]` (or `http://` for a local simulator); no path, query or credentials. */
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
    .object({ attempts: z.number().int().min(1).max(20).optional(), baseDelayMs: z.number().min(0).optional(), maxDelayMs: z.number().min(0).optional() })
    .optional(),
  jobPolling: z.object({ intervalMs: z.number().min(0).optional(), maxPolls: z.number().int().min(1).optional() }).optional(),
  pageSize: z.number().int().min(1).default(500),
  maxResponseBytes: z.number().int().positive().default(16 * 1024 * 1024),
});

const DOCUMENTED_DEFAULTS = { session: 'PT1H', max: 'P90D' } as const;
const JIT_USER_FIELDS = 'role,session_validity,jit_validity,start_time,end_time,jit_state,comment';
const KnownJitStateSchema = z.enum(['preactive', 'idle', 'active']);
const MAX_PAGES = 10_000;

/** The normalised form of a `JitUserEntry`. */
interface NormalizedEntry {
  ownerUuid: string;
  account: string;
  application: 'ssh';
  role: string;
  jitValiditySec: number;
  sessionValiditySec: number | undefined;
  startMs: number | undefined;
  comment: string | undefined;
}

function parseOptions(options: OntapClientOptions): z.output<typeof OptionsSchema> & { origin: URL } {
  const result = OptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    // Name the field, never echo its value: it may be the password.
    throw new OntapConfigError(`invalid ONTAP client option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`);
  }
  let origin: URL;
  try {
    origin = new URL(result.data.endpoint);
  } catch (err) {
    throw new OntapConfigError('invalid ONTAP client option "endpoint": not a URL', { cause: err });
  }
  if ((origin.protocol !== 'https:' && origin.protocol !== 'http:') || origin.username || origin.password || (origin.pathname !== '/' && origin.pathname !== '') || origin.search || origin.hash) {
    throw new OntapConfigError('invalid ONTAP client option "endpoint": expected https://host[:port] (or http://) without credentials, path or query');
  }
  if (result.data.password === undefined && result.data.clientCert === undefined && options.credentials === undefined) {
    throw new OntapConfigError(
      'invalid ONTAP client options: give "username" and "password", "credentials", or "clientCert"',
    );
  }
  if (result.data.password !== undefined && result.data.username === undefined) {
    throw new OntapConfigError('invalid ONTAP client option "username": required with "password"');
  }
  return { ...result.data, origin };
}

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Turns an ONTAP error answer into the matching typed error. */
export function errorFromAnswer(status: number, bodyText: string, method: string, path: string, retryAfterHeader?: string): OntapError {
  let body: z.output<typeof ErrorBodySchema> | undefined;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(bodyText));
    if (parsed.success) body = parsed.data;
  } catch {
    body = undefined;
  }
  const code = body?.error.code;
  const target = body?.error.target;
  const message = truncate(body?.error.message ?? http.STATUS_CODES[status] ?? 'error');
  const details: OntapErrorDetails = { status, ontapCode: code, target, method, path };
  const text = `ONTAP ${method} ${path} answered ${status}${code !== undefined ? ` (code ${code})` : ''}: ${message}${target !== undefined ? ` [target: ${target}]` : ''}`;
  const retryAfterSeconds = retryAfterHeader !== undefined && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;

  if (status === 401) return new OntapAuthError(text, details);
  // A locked configuration database clears by itself, whatever status carries it.
  if (/temporarily locked/i.test(message)) return new OntapTransientError(text, 'locked', details);
  if (status === 429 || status >= 500) {
    return new OntapTransientError(text, 'status', details, retryAfterSeconds !== undefined ? { retryAfterMs: retryAfterSeconds * 1000 } : {});
  }
  if (code === '1') return new OntapDuplicateError(text, details);
  if (code === '2') return new OntapInvalidFieldError(text, details);
  if (code === '4') return new OntapNotFoundError(text, details);
  if (code === '6' || status === 403) return new OntapPermissionError(text, details);
  if (status === 409) return new OntapConflictError(text, details);
  return new OntapApiError(text, details);
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, method: string, path: string, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new OntapResponseFormatError(`ONTAP ${method} ${path}: unexpected ${what} (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`, { method, path }, { cause: result.error });
  }
  return result.data;
}

function knownJitState(value: string): string {
  if (!KnownJitStateSchema.safeParse(value).success) throw new OntapInvalidInputError(`jitState must be preactive, idle or active`, { target: 'jitState' });
  return value;
}

function toJitState(value: string | undefined): JitState {
  const known = KnownJitStateSchema.safeParse(value);
  return known.success ? known.data : 'unknown';
}

function toJitUserRecord(r: z.output<typeof JitUserRecordSchema>): JitUserRecord {
  const start = r.start_time !== undefined ? parseOntapTime(r.start_time) : null;
  const end = r.end_time !== undefined ? parseOntapTime(r.end_time) : null;
  return {
    ownerUuid: r.owner.uuid,
    ownerName: r.owner.name ?? null,
    account: r.account.name,
    application: r.application,
    role: r.role?.name ?? null,
    sessionValidity: r.session_validity ?? null,
    jitValidity: r.jit_validity ?? null,
    startTime: start !== null ? toIsoUtc(start) : null,
    endTime: end !== null ? toIsoUtc(end) : null,
    jitState: toJitState(r.jit_state),
    comment: r.comment ?? null,
  };
}

/** Checks a caller's entry and brings it into the form the client sends and compares. */
function normalizeEntry(input: JitUserEntry): NormalizedEntry {
  const result = JitUserEntrySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? 'entry';
    throw new OntapInvalidInputError(`invalid JIT entry field "${field}": ${issue?.message ?? 'invalid'}`, { target: field });
  }
  const e = result.data;
  return {
    ownerUuid: uuidArg('owner uuid', e.ownerUuid),
    account: exactName('account name', e.account),
    application: e.application,
    role: exactName('role name', e.role),
    jitValiditySec: durationToSeconds(e.jitValidity, 'jitValidity'),
    sessionValiditySec: e.sessionValidity === undefined ? undefined : durationToSeconds(e.sessionValidity, 'sessionValidity'),
    startMs: e.startTime === undefined ? undefined : startTimeToMillis(e.startTime, 'startTime'),
    comment: e.comment,
  };
}

function entryBody(e: NormalizedEntry): Record<string, unknown> {
  return {
    owner: { uuid: e.ownerUuid },
    account: { name: e.account },
    application: e.application,
    role: { name: e.role },
    jit_validity: formatIsoDuration(e.jitValiditySec),
    ...(e.sessionValiditySec !== undefined ? { session_validity: formatIsoDuration(e.sessionValiditySec) } : {}),
    ...(e.startMs !== undefined ? { start_time: formatOntapTime(e.startMs) } : {}),
    ...(e.comment !== undefined ? { comment: e.comment } : {}),
  };
}

/** Fields in which an existing entry differs from the requested one; unset optional fields are not compared. */
function diffJitEntry(requested: NormalizedEntry, existing: JitUserRecord): JitEntryDifference[] {
  const diffs: JitEntryDifference[] = [];
  const add = (field: JitEntryDifference['field'], ex: string | null, req: string | null): void => {
    diffs.push({ field, existing: ex, requested: req });
  };
  if (existing.ownerUuid.toLowerCase() !== requested.ownerUuid.toLowerCase()) add('ownerUuid', existing.ownerUuid, requested.ownerUuid);
  if (existing.account !== requested.account) add('account', existing.account, requested.account);
  if (existing.application !== requested.application) add('application', existing.application, requested.application);
  if (existing.role !== requested.role) add('role', existing.role, requested.role);
  const exJit = existing.jitValidity !== null ? parseIsoDuration(existing.jitValidity) : null;
  if (exJit !== requested.jitValiditySec) add('jitValidity', existing.jitValidity, formatIsoDuration(requested.jitValiditySec));
  if (requested.sessionValiditySec !== undefined) {
    const exSession = existing.sessionValidity !== null ? parseIsoDuration(existing.sessionValidity) : null;
    if (exSession !== requested.sessionValiditySec) add('sessionValidity', existing.sessionValidity, formatIsoDuration(requested.sessionValiditySec));
  }
  if (requested.startMs !== undefined) {
    const exStart = existing.startTime !== null ? Date.parse(existing.startTime) : null;
    if (exStart !== requested.startMs) add('startTime', existing.startTime, toIsoUtc(requested.startMs));
  }
  if ((existing.comment ?? '') !== (requested.comment ?? '')) add('comment', existing.comment, requested.comment ?? null);
  return diffs;
}

function describeDiffs(diffs: JitEntryDifference[]): string {
  return diffs.map((d) => `${d.field} is ${JSON.stringify(d.existing)} (wanted ${JSON.stringify(d.requested)})`).join(', ');
}

/**
 * Talks to one ONTAP cluster. Every method is safe to call concurrently;
 * transient failures are retried inside, everything else is thrown as a
 * typed `Ontap*Error` (see errors.ts).
 */
export class OntapClient {
  readonly #transport: HttpTransport;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: ((event: OntapLogEvent) => void) | undefined;
  readonly #jobIntervalMs: number;
  readonly #jobMaxPolls: number;
  readonly #pageSize: number;
  readonly #credentials: OntapCredentialSource | undefined;
  #clusterOwner: Promise<{ uuid: string; name: string } | null> | undefined;

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
    this.#retry = {
      attempts: o.retry?.attempts ?? DEFAULT_RETRY.attempts,
      baseDelayMs: o.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: o.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    this.#jobIntervalMs = o.jobPolling?.intervalMs ?? 1000;
    this.#jobMaxPolls = o.jobPolling?.maxPolls ?? 120;
    this.#pageSize = o.pageSize;
    this.#credentials = options.credentials;
  }

  /** Closes idle connections; the client stays usable (new connections open on demand). */
  close(): void {
    this.#transport.close();
  }

  // ---- transport with retries, error mapping and job polling ----

  async #once(method: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.#send(method, path, body);
      status = res.status;
      if (res.status < 200 || res.status >= 300) throw errorFromAnswer(res.status, res.body, method, path, headerValue(res.headers, 'retry-after'));
      if (res.body.trim() === '') return { status: res.status, json: {} };
      try {
        return { status: res.status, json: JSON.parse(res.body) };
      } catch (err) {
        throw new OntapResponseFormatError(`ONTAP ${method} ${path}: answered ${res.status} with a body that is not JSON`, { method, path, status: res.status }, { cause: err });
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

  /** One call with retries; a 202 job answer is followed to its end. */
  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const answer = await withRetry(
      () => this.#once(method, path, body),
      this.#retry,
      this.#sleep,
      this.#random,
      (n) => this.#log({ event: 'ontap.retry', method, path, failures: n.failures, delayMs: n.delayMs, reason: n.error.reason }),
    );
    if (answer.status === 202) {
      const link = parseWith(JobLinkBodySchema, answer.json, method, path, '202 answer');
      await this.#waitForJob(link.job.uuid, method, path);
    }
    return answer;
  }

  async #waitForJob(jobUuid: string, method: string, path: string): Promise<void> {
    const jobPath = `/api/cluster/jobs/${pathSegment(uuidArg('job uuid', jobUuid))}${queryString({ fields: 'state,message,code' })}`;
    let lastState = 'unknown';
    for (let poll = 0; poll < this.#jobMaxPolls; poll++) {
      const { json } = await this.#call('GET', jobPath);
      const job = parseWith(JobRecordSchema, json, 'GET', jobPath, 'job');
      lastState = job.state;
      this.#log({ event: 'ontap.job', jobUuid, state: job.state });
      if (job.state === 'success') return;
      if (job.state === 'failure') {
        const code = job.code !== undefined ? String(job.code) : undefined;
        throw new OntapJobFailedError(
          `ONTAP job ${jobUuid} for ${method} ${path} failed${code !== undefined ? ` (code ${code})` : ''}: ${truncate(job.message ?? 'no message')}`,
          jobUuid,
          'failure',
          { method, path, ontapCode: code },
        );
      }
      await this.#sleep(this.#jobIntervalMs);
    }
    throw new OntapJobFailedError(`ONTAP job ${jobUuid} for ${method} ${path} still ${lastState} after ${this.#jobMaxPolls} polls`, jobUuid, lastState, { method, path });
  }

  /** GETs a collection page by page through `_links.next`. */
  async #getAll<T extends z.ZodType>(path: string, query: QueryValues, record: T): Promise<z.output<T>[]> {
    const schema = collectionSchema(record);
    const out: z.output<T>[] = [];
    const seen = new Set<string>();
    let next: string | undefined = `${path}${queryString(query)}`;
    while (next !== undefined) {
      if (seen.has(next) || seen.size >= MAX_PAGES) throw new OntapResponseFormatError(`ONTAP GET ${path}: paging does not end`, { method: 'GET', path });
      seen.add(next);
      const current: string = next;
      const { json } = await this.#call('GET', current);
      const page = parseWith(schema, json, 'GET', current, 'collection');
      out.push(...(page.records ?? []));
      next = page._links?.next?.href;
      // Only follow links that stay on this cluster's API: credentials go with every request.
      if (next !== undefined && !/^\/api\/[\x21-\x7e]*$/.test(next)) {
        throw new OntapResponseFormatError(`ONTAP GET ${path}: refusing to follow a next link outside /api/`, { method: 'GET', path: current });
      }
    }
    return out;
  }

  /** The cluster-scoped owner (admin SVM), taken from a cluster-scoped account, as NOTES.md describes. */
  #getClusterOwner(): Promise<{ uuid: string; name: string } | null> {
    if (!this.#clusterOwner) {
      const path = `/api/security/accounts${queryString({ scope: 'cluster', fields: 'owner', max_records: 1 })}`;
      this.#clusterOwner = this.#call('GET', path).then(({ json }) => {
        const page = parseWith(collectionSchema(AccountOwnerRecordSchema), json, 'GET', path, 'collection');
        const owner = page.records?.[0]?.owner;
        return owner ? { uuid: owner.uuid, name: owner.name } : null;
      });
      // Cache only a success; a failed lookup is tried again next time.
      this.#clusterOwner.catch(() => {
        this.#clusterOwner = undefined;
      });
    }
    return this.#clusterOwner;
  }

  // ---- lookups ----

  /** Resolves an SVM name to its uuid: a data SVM, or the admin SVM (scope `cluster`). Null when neither. */
  async resolveSvm(name: string): Promise<SvmRef | null> {
    exactName('SVM name', name);
    const records = await this.#getAll('/api/svm/svms', { name, fields: 'uuid,name' }, SvmRecordSchema);
    const hit = records.find((r) => r.name === name);
    if (hit) return { uuid: hit.uuid, name: hit.name, scope: 'svm' };
    const owner = await this.#getClusterOwner();
    return owner && owner.name === name ? { uuid: owner.uuid, name: owner.name, scope: 'cluster' } : null;
  }

  /** A login account on an SVM (by SVM name), or null when ONTAP has none. */
  async getAccount(svmName: string, name: string): Promise<OntapAccount | null> {
    exactName('SVM name', svmName);
    exactName('account name', name);
    const records = await this.#getAll('/api/security/accounts', { name, 'owner.name': svmName, fields: 'applications,locked,role,owner' }, AccountRecordSchema);
    const matches = records.filter((r) => r.name === name && r.owner.name === svmName);
    if (matches.length > 1) throw new OntapResponseFormatError(`ONTAP listed ${matches.length} accounts named ${JSON.stringify(name)} on ${svmName}`, { method: 'GET', path: '/api/security/accounts' });
    const r = matches[0];
    if (!r) return null;
    return {
      name: r.name,
      ownerUuid: r.owner.uuid,
      ownerName: r.owner.name,
      locked: r.locked ?? false,
      role: r.role?.name ?? null,
      applications: (r.applications ?? []).map((a) => ({
        application: a.application,
        authenticationMethods: a.authentication_methods ?? [],
        secondAuthenticationMethod: a.second_authentication_method ?? 'none',
      })),
    };
  }

  /** A role defined on an SVM (by SVM name) with its privileges, or null. */
  async getRole(svmName: string, role: string): Promise<OntapRole | null> {
    exactName('SVM name', svmName);
    exactName('role name', role);
    const records = await this.#getAll('/api/security/roles', { name: role, 'owner.name': svmName, fields: 'builtin,scope,privileges' }, RoleRecordSchema);
    const r = records.find((x) => x.name === role && x.owner.name === svmName);
    if (!r) return null;
    return {
      name: r.name,
      ownerUuid: r.owner.uuid,
      ownerName: r.owner.name,
      builtin: r.builtin ?? false,
      scope: r.scope ?? null,
      privileges: (r.privileges ?? []).map((p) => ({ path: p.path, access: p.access })),
    };
  }

  /** Whether a role is defined on an SVM (by SVM name). */
  async roleExists(svmName: string, role: string): Promise<boolean> {
    return (await this.getRole(svmName, role)) !== null;
  }

  /**
   * JIT periods in force for an owner (SVM uuid), else the cluster's; with no
   * owner given, the cluster's. Falls back to the documented defaults (PT1H, P90D)
   * only if ONTAP lists no settings at all (`source` says which applied).
   */
  async getJitSettings(ownerUuid?: string): Promise<JitSettings> {
    if (ownerUuid !== undefined) uuidArg('owner uuid', ownerUuid);
    const path = '/api/security/jit-privileges';
    const [records, clusterOwner] = await Promise.all([
      this.#getAll(path, { application: 'ssh', fields: 'default_session_validity_period,max_jit_validity_period' }, JitSettingsRecordSchema),
      this.#getClusterOwner(),
    ]);
    const cluster = clusterOwner ? records.find((r) => r.owner.uuid === clusterOwner.uuid) : undefined;
    const own = ownerUuid !== undefined ? records.find((r) => r.owner.uuid === ownerUuid) : undefined;
    const chosen = own ?? cluster;
    const session = chosen?.default_session_validity_period ?? cluster?.default_session_validity_period ?? DOCUMENTED_DEFAULTS.session;
    const max = chosen?.max_jit_validity_period ?? cluster?.max_jit_validity_period ?? DOCUMENTED_DEFAULTS.max;
    const sessionSec = parseIsoDuration(session);
    const maxSec = parseIsoDuration(max);
    if (sessionSec === null || maxSec === null) throw new OntapResponseFormatError(`ONTAP GET ${path}: a JIT period is not an ISO-8601 duration`, { method: 'GET', path });
    const owner = chosen?.owner ?? clusterOwner;
    return {
      ownerUuid: owner?.uuid ?? ownerUuid ?? '',
      ownerName: owner?.name ?? '',
      application: 'ssh',
      defaultSessionValidity: session,
      defaultSessionValiditySeconds: sessionSec,
      maxJitValidity: max,
      maxJitValiditySeconds: maxSec,
      source: !chosen ? 'documented-default' : chosen === own && own !== cluster ? 'svm' : 'cluster',
    };
  }

  // ---- JIT entries ----

  /** JIT entries matching every given filter (exact matches), all pages. */
  async listJitUsers(filter: JitUserFilter = {}): Promise<JitUserRecord[]> {
    const query: QueryValues = {
      'owner.uuid': filter.ownerUuid !== undefined ? uuidArg('owner uuid', filter.ownerUuid) : undefined,
      'owner.name': filter.ownerName !== undefined ? exactName('SVM name', filter.ownerName) : undefined,
      'account.name': filter.account !== undefined ? exactName('account name', filter.account) : undefined,
      application: filter.application !== undefined ? exactName('application', filter.application) : undefined,
      'role.name': filter.role !== undefined ? exactName('role name', filter.role) : undefined,
      jit_state: filter.jitState !== undefined ? knownJitState(filter.jitState) : undefined,
      comment: filter.comment !== undefined ? exactName('comment', filter.comment) : undefined,
      fields: JIT_USER_FIELDS,
      max_records: this.#pageSize,
    };
    const records = await this.#getAll('/api/security/jit-privilege-users', query, JitUserRecordSchema);
    return records.map(toJitUserRecord);
  }

  /** One JIT entry, or null when ONTAP answers 404 code 4. */
  async getJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<JitUserRecord | null> {
    const path = `${this.#entryPath(ownerUuid, account, application)}${queryString({ fields: JIT_USER_FIELDS })}`;
    try {
      const { json } = await this.#call('GET', path);
      return toJitUserRecord(parseWith(JitUserRecordSchema, json, 'GET', path, 'JIT entry'));
    } catch (err) {
      if (err instanceof OntapNotFoundError) return null;
      throw err;
    }
  }

  /**
   * Creates a JIT entry (`POST ...?return_records=true`) and returns it as ONTAP
   * stored it. A transient failure is retried, so if ONTAP did the first try but
   * its answer was lost the retry meets OntapDuplicateError: use `ensureJitUser`
   * when that must count as success.
   */
  async createJitUser(entry: JitUserEntry): Promise<JitUserRecord> {
    return this.#create(normalizeEntry(entry));
  }

  async #create(e: NormalizedEntry): Promise<JitUserRecord> {
    const path = `/api/security/jit-privilege-users${queryString({ return_records: true })}`;
    const { status, json } = await this.#call('POST', path, entryBody(e));
    if (status === 201) {
      const page = parseWith(collectionSchema(JitUserRecordSchema), json, 'POST', path, 'created records');
      const created = page.records?.[0];
      if (created) return toJitUserRecord(created);
    }
    // Created without records in the answer (an older build, or a 202 job): read it back.
    const stored = await this.getJitUser(e.ownerUuid, e.account, e.application);
    if (!stored) throw new OntapApiError(`ONTAP accepted POST /api/security/jit-privilege-users for ${JSON.stringify(e.account)} but the entry cannot be read back`, { method: 'POST', path });
    return stored;
  }

  /** Deletes a JIT entry; ends any elevated session. Throws OntapNotFoundError if there is none. */
  async deleteJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<void> {
    await this.#call('DELETE', this.#entryPath(ownerUuid, account, application));
  }

  /**
   * Idempotent grant: creates the entry, or, if one already exists for the key
   * with exactly these settings (account, owner, application, role, jit_validity,
   * and start_time, session_validity and comment where given), returns it with
   * `created: false`. Different settings: OntapJitEntryMismatchError saying what differs.
   */
  async ensureJitUser(entry: JitUserEntry): Promise<{ entry: JitUserRecord; created: boolean }> {
    const e = normalizeEntry(entry);
    try {
      return { entry: await this.#create(e), created: true };
    } catch (err) {
      if (!(err instanceof OntapDuplicateError)) throw err;
      const existing = await this.getJitUser(e.ownerUuid, e.account, e.application);
      if (!existing) {
        throw new OntapTransientError(`ONTAP reported a duplicate JIT entry for ${JSON.stringify(e.account)} that is gone on read-back; try again`, 'race', { method: 'POST', path: '/api/security/jit-privilege-users' }, { cause: err });
      }
      const diffs = diffJitEntry(e, existing);
      if (diffs.length === 0) return { entry: existing, created: false };
      throw new OntapJitEntryMismatchError(
        `A JIT entry for ${JSON.stringify(e.account)} on owner ${e.ownerUuid} already exists with other settings: ${describeDiffs(diffs)}`,
        diffs,
        { method: 'POST', path: '/api/security/jit-privilege-users', ontapCode: '1', status: 409 },
        { cause: err },
      );
    }
  }

  /**
   * Idempotent revoke: deletes the entry; an entry that is already gone counts
   * as done (`alreadyGone: true`), confirmed by listing, so an ONTAP without the
   * JIT API cannot pass for "gone". With `onlyIfComment`, an entry whose comment
   * differs (another request's grant) is left alone: OntapJitEntryMismatchError.
   */
  async removeJitUser(ownerUuid: string, account: string, application = 'ssh', options: { onlyIfComment?: string } = {}): Promise<{ alreadyGone: boolean }> {
    if (options.onlyIfComment !== undefined) {
      const existing = await this.getJitUser(ownerUuid, account, application);
      if (!existing) return this.#confirmGone(ownerUuid, account, application);
      if ((existing.comment ?? '') !== options.onlyIfComment) {
        const diffs: JitEntryDifference[] = [{ field: 'comment', existing: existing.comment, requested: options.onlyIfComment }];
        throw new OntapJitEntryMismatchError(`The JIT entry for ${JSON.stringify(account)} on owner ${ownerUuid} belongs to another grant (${describeDiffs(diffs)}); not removed`, diffs, {
          method: 'DELETE',
          path: this.#entryPath(ownerUuid, account, application),
        });
      }
    }
    try {
      await this.deleteJitUser(ownerUuid, account, application);
      return { alreadyGone: false };
    } catch (err) {
      if (err instanceof OntapNotFoundError) return this.#confirmGone(ownerUuid, account, application);
      throw err;
    }
  }

  async #confirmGone(ownerUuid: string, account: string, application: string): Promise<{ alreadyGone: boolean }> {
    const left = await this.listJitUsers({ ownerUuid, account, application });
    if (left.length > 0) {
      throw new OntapConflictError(`ONTAP says the JIT entry for ${JSON.stringify(account)} does not exist but still lists it`, { method: 'DELETE', path: this.#entryPath(ownerUuid, account, application) });
    }
    return { alreadyGone: true };
  }

  #entryPath(ownerUuid: string, account: string, application: string): string {
    return `/api/security/jit-privilege-users/${pathSegment(uuidArg('owner uuid', ownerUuid))}/${pathSegment(exactName('account name', account))}/${pathSegment(exactName('application', application))}`;
  }

  /** Checks everything a JIT grant needs before anyone is asked to approve it (see prerequisites.ts). */
  checkJitPrerequisites(input: JitPrerequisiteInput): Promise<JitPrerequisiteResult> {
    return checkJitPrerequisites(this, input);
  }
}
