/** The simulator's HTTP(S) listener: authentication, fault injection, the call log and the `/__sim` admin API. */
import http from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { AuditSettingsSchema, auditLogOf, RunCommandSchema, runCommand, setAudit } from './audit-log';
import { FakeClock, type SimClock, systemClock } from './clock';
import { OntapSimError, SimFixtureError } from './errors';
import { FaultInjector, type FaultSpec, FaultSpecSchema } from './faults';
import { exampleFixture, type Fixture, type FixtureInput, loadFixture, parseFixture } from './fixture';
import { parseQuery, type QueryParams } from './query';
import { jitUserRecord } from './records';
import { matchRoute, type RouteAnswer } from './routes';
import { SimState } from './state';
import { generateCertificates } from './tls';

/** Options of `startOntapSimulator`. */
export interface SimulatorOptions {
  /** Runs as each API call arrives (`<METHOD> <path>`), before it is served: a latency profile's delay. @default none */
  readonly beforeCall?: (operation: string) => Promise<void> | void;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** HTTPS with a freshly generated CA (default) or plain HTTP. */
  https?: boolean;
  /** The cluster to simulate: a fixture object, a path to a fixture file, or the example cluster by default. */
  fixture?: Fixture | FixtureInput | string;
  /** Time source for start times, `jit_state` and jobs; default the wall clock. */
  clock?: SimClock;
}

/** One request the simulator received (Authorization never recorded, only the user it resolved to). */
export interface SimCall {
  seq: number;
  /** Simulator-clock time of arrival, ISO-8601. */
  time: string;
  method: string;
  /** Path as received, still percent-encoded. */
  path: string;
  /** Decoded query parameters (last value wins). */
  query: Record<string, string>;
  /** Parsed JSON body, the raw text if it was not JSON, or undefined. */
  body?: unknown;
  /** API user the request authenticated as. */
  user?: string;
  /** Status answered; undefined when the call hung or its connection was reset. */
  status?: number;
  /** Type of the injected fault that hit this call. */
  fault?: FaultSpec['type'];
}

/** A running simulator. */
export interface OntapSimulator {
  /** Base URL, e.g. `https://127.0.0.1:40123`. */
  url: string;
  /** PEM of the CA that signed the server certificate (undefined over plain HTTP). */
  caPem: string | undefined;
  /** A client certificate the simulator accepts as the first `all`-access API user (HTTPS only). */
  clientCert: { cert: string; key: string } | undefined;
  /** Basic-auth credentials with write access. */
  credentials: { username: string; password: string };
  /** Basic-auth credentials with read-only access (403 code 6 on writes), if the fixture has such a user. */
  readonlyCredentials: { username: string; password: string } | undefined;
  /** The simulated cluster; tests read and change it directly. */
  state: SimState;
  /** Pending faults. */
  faults: FaultInjector;
  /** The clock the simulator reads. */
  clock: SimClock;
  /** Every `/api` request so far, oldest first. */
  calls(): SimCall[];
  /** Forgets the call log. */
  clearCalls(): void;
  /** Changes an API user's password, as an administrator rotating it would; the old one is refused from now on. */
  setPassword(username: string, password: string): void;
  /** JIT entries as `GET` would render them (all fields). */
  jitEntries(): Record<string, unknown>[];
  /** Back to the fixture: state, faults and call log. */
  reset(): void;
  /** Stops listening and drops every open connection, including hung ones. */
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

const ElevateSchema = z.strictObject({
  owner_uuid: z.string().optional(),
  owner_name: z.string().optional(),
  account: z.string(),
  application: z.string().default('ssh'),
});
const ClockSchema = z.strictObject({ advance_ms: z.number().optional(), set: z.string().optional() });

function resolveFixture(input: SimulatorOptions['fixture']): Fixture {
  if (input === undefined) return exampleFixture();
  if (typeof input === 'string') return loadFixture(input);
  return parseFixture(structuredClone(input));
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/hal+json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function errorBody(err: OntapSimError): unknown {
  return {
    error: {
      message: err.message,
      ...(err.code !== undefined ? { code: err.code } : {}),
      ...(err.target !== undefined ? { target: err.target } : {}),
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new OntapSimError(413, 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Starts a simulator on loopback and resolves once it accepts connections. */
export async function startOntapSimulator(options: SimulatorOptions = {}): Promise<OntapSimulator> {
  const fixture = resolveFixture(options.fixture);
  const clock = options.clock ?? systemClock;
  const state = new SimState(fixture, clock);
  const faults = new FaultInjector();
  const useHttps = options.https ?? true;
  const writer = fixture.api_users.find((u) => u.access === 'all');
  if (!writer) throw new SimFixtureError('the fixture needs an api_users entry with access "all"');
  const reader = fixture.api_users.find((u) => u.access === 'readonly');
  const certs = useHttps ? await generateCertificates(writer.username) : undefined;

  let calls: SimCall[] = [];
  let seq = 0;
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function authenticate(req: http.IncomingMessage): { username: string; access: 'all' | 'readonly' } | undefined {
    const socket = req.socket;
    if (socket instanceof TLSSocket && socket.authorized) {
      const cn = socket.getPeerCertificate().subject?.CN;
      const user = fixture.api_users.find((u) => u.username === cn);
      if (user) return user;
    }
    const header = req.headers.authorization;
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return fixture.api_users.find((u) => u.username === username && u.password === password);
  }

  function answerApi(
    method: string,
    rawPath: string,
    query: QueryParams,
    rawUrl: string,
    body: unknown,
    call: SimCall,
    fault: FaultSpec | undefined,
  ): RouteAnswer {
    const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    let segments: string[];
    try {
      // Split before decoding, so an encoded "/" stays inside its segment, and never normalise "..".
      segments = trimmed
        .split('/')
        .slice(1)
        .map((s) => decodeURIComponent(s));
    } catch {
      throw new OntapSimError(400, 'Invalid percent-encoding in the path.', '2', 'path');
    }
    const match = matchRoute(segments);
    if (!match) throw new OntapSimError(404, 'API not found');
    const handler = match.route.methods[method];
    if (!handler) {
      const allow = Object.keys(match.route.methods).join(', ');
      return {
        status: 405,
        body: { error: { message: `The method ${method} is not allowed for this resource.` } },
        headers: { Allow: allow },
      };
    }
    const user = fixture.api_users.find((u) => u.username === call.user);
    if (method !== 'GET' && user?.access !== 'all')
      throw new OntapSimError(403, 'not authorized for that command', '6');
    const ctx = { state, params: match.params, query, body, path: trimmed, selfHref: rawUrl };
    if (fault?.type === 'job') {
      // The work runs now; its outcome shows on the job, which settles after `polls` polls.
      let outcome: { state: 'success' | 'failure'; message: string; code: number };
      if (fault.outcome === 'failure') {
        outcome = { state: 'failure', message: fault.message ?? 'The job failed.', code: fault.code ?? 1 };
      } else {
        try {
          handler(ctx);
          outcome = { state: 'success', message: fault.message ?? 'success', code: 0 };
        } catch (err) {
          if (!(err instanceof OntapSimError)) throw err;
          outcome = { state: 'failure', message: err.message, code: Number(err.code ?? 1) };
        }
      }
      const job = state.createJob(match.route.jobDescription ?? `${method} ${trimmed}`, outcome, fault.polls);
      return {
        status: 202,
        body: { job: { uuid: job.uuid, _links: { self: { href: `/api/cluster/jobs/${job.uuid}` } } } },
      };
    }
    return handler(ctx);
  }

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rawPath: string,
    rawQuery: string,
    bodyText: string | undefined,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const parsedBody = parseJson(bodyText);
    const call: SimCall = { seq: ++seq, time: new Date(clock.now()).toISOString(), method, path: rawPath, query: {} };
    if (bodyText !== undefined) call.body = parsedBody.ok ? parsedBody.value : bodyText;
    calls.push(call);
    const reply = (status: number, body: unknown, headers?: Record<string, string>): void => {
      call.status = status;
      send(res, status, body, headers);
    };

    const fault = faults.take(method, rawPath);
    if (fault) call.fault = fault.type;
    if (fault?.type === 'status') {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      reply(
        fault.status,
        {
          error: {
            message: fault.message ?? 'Injected failure.',
            ...(fault.code !== undefined ? { code: fault.code } : {}),
          },
        },
        headers,
      );
      return;
    }
    if (fault?.type === 'raw') {
      call.status = fault.status;
      res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'application/hal+json' });
      res.end(fault.body);
      return;
    }
    if ((fault?.type === 'hang' || fault?.type === 'reset') && !fault.after) {
      if (fault.type === 'reset') req.socket.destroy();
      return;
    }
    if (fault?.type === 'latency') await delay(fault.ms);

    const user = authenticate(req);
    if (!user) {
      reply(
        401,
        {
          error: {
            message: 'Authentication failed: a valid user name and password or client certificate is required.',
          },
        },
        { 'WWW-Authenticate': 'Basic realm="ONTAP"' },
      );
      return;
    }
    call.user = user.username;

    let answer: RouteAnswer;
    try {
      const query = parseQuery(rawQuery);
      call.query = Object.fromEntries(query);
      if (!parsedBody.ok) throw new OntapSimError(400, 'The request body is not valid JSON.', '2', 'body');
      answer = answerApi(method, rawPath, query, rawUrl, parsedBody.value, call, fault);
    } catch (err) {
      if (!(err instanceof OntapSimError)) throw err;
      answer = { status: err.status, body: errorBody(err) };
    }
    if ((fault?.type === 'hang' || fault?.type === 'reset') && fault.after) {
      // The work is done; only the answer is lost.
      if (fault.type === 'reset') req.socket.destroy();
      return;
    }
    reply(answer.status, answer.body, answer.headers);
  }

  function handleAdmin(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rawPath: string,
    bodyText: string | undefined,
  ): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = parseJson(bodyText);
    const body = parsed.ok ? parsed.value : undefined;
    const route = `${method} ${rawPath.replace(/\/$/, '')}`;
    // biome-ignore-start lint/correctness/noVoidTypeReturn: each case answers with a void call and stops there.
    switch (route) {
      case 'GET /__sim/state':
        return send(res, 200, snapshot());
      case 'GET /__sim/calls':
        return send(res, 200, { calls });
      case 'DELETE /__sim/calls':
        calls = [];
        return send(res, 200, {});
      case 'POST /__sim/reset':
        resetAll();
        return send(res, 200, {});
      case 'GET /__sim/faults':
        return send(res, 200, { faults: faults.list() });
      case 'DELETE /__sim/faults':
        faults.clear();
        return send(res, 200, {});
      case 'POST /__sim/faults': {
        const result = FaultSpecSchema.safeParse(body);
        if (!result.success)
          return send(res, 400, {
            error: { message: `invalid fault: ${result.error.issues[0]?.message ?? 'invalid'}` },
          });
        return send(res, 201, { id: faults.add(result.data) });
      }
      case 'POST /__sim/jit-users': {
        // An entry made on the cluster itself (an admin at the CLI), not through the product: drift.
        try {
          return send(res, 201, jitUserRecord(state, state.createJitUser(body)));
        } catch (err) {
          if (err instanceof OntapSimError) return send(res, err.status, errorBody(err));
          throw err;
        }
      }
      case 'POST /__sim/elevate':
      case 'POST /__sim/session-reset': {
        const result = ElevateSchema.safeParse(body);
        if (!result.success)
          return send(res, 400, { error: { message: 'expected {owner_uuid | owner_name, account, application?}' } });
        const owner = result.data.owner_uuid ?? state.svmByName(result.data.owner_name ?? '')?.uuid ?? '';
        try {
          if (route === 'POST /__sim/elevate') state.elevate(owner, result.data.account, result.data.application);
          else state.endSession(owner, result.data.account, result.data.application);
          // The command is in the cluster's audit log as if typed in an SSH session.
          const command = route === 'POST /__sim/elevate' ? 'elevate' : 'reset';
          runCommand(state, { owner, account: result.data.account, command: `security jit-privilege ${command}` });
        } catch (err) {
          if (err instanceof OntapSimError) return send(res, err.status, errorBody(err));
          throw err;
        }
        return send(res, 200, {});
      }
      case 'POST /__sim/run-command': {
        const result = RunCommandSchema.safeParse(body);
        if (!result.success)
          return send(res, 400, { error: { message: 'expected {owner, account, command, state?, new_session?}' } });
        try {
          return send(res, 200, { record: runCommand(state, result.data) ?? null });
        } catch (err) {
          if (err instanceof OntapSimError) return send(res, err.status, errorBody(err));
          throw err;
        }
      }
      case 'POST /__sim/audit': {
        const result = AuditSettingsSchema.safeParse(body);
        if (!result.success) return send(res, 400, { error: { message: 'expected {cli_get?, readable?}' } });
        setAudit(state, result.data);
        const log = auditLogOf(state);
        return send(res, 200, { cli_get: log.cliGet, readable: log.readability === 'readable' });
      }
      case 'POST /__sim/clock': {
        const result = ClockSchema.safeParse(body);
        if (!result.success || !(clock instanceof FakeClock))
          return send(res, 400, {
            error: { message: 'the clock can be moved only when the simulator runs on a FakeClock' },
          });
        if (result.data.set !== undefined) clock.set(result.data.set);
        if (result.data.advance_ms !== undefined) clock.advance(result.data.advance_ms);
        return send(res, 200, { now: new Date(clock.now()).toISOString() });
      }
      case 'GET /__sim/ca':
        res.writeHead(certs ? 200 : 404, { 'Content-Type': 'application/x-pem-file' });
        res.end(certs?.caPem ?? '');
        return;
      default:
        return send(res, 404, { error: { message: 'unknown simulator admin endpoint' } });
    }
    // biome-ignore-end lint/correctness/noVoidTypeReturn: see above.
  }

  function snapshot(): unknown {
    return {
      now: new Date(clock.now()).toISOString(),
      cluster: state.cluster,
      admin_svm: { uuid: state.adminSvm.uuid, name: state.adminSvm.name },
      svms: state.svms,
      accounts: state.accounts,
      roles: state.roles,
      jit_settings: state
        .allSvms()
        .map((s) => ({ owner: { uuid: s.uuid, name: s.name }, ...state.effectiveJitPeriods(s.uuid) })),
      jit_users: state.jitUsers.map((e) => jitUserRecord(state, e)),
    };
  }

  function resetAll(): void {
    state.reset();
    auditLogOf(state).clear();
    faults.clear();
    calls = [];
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const admin = rawPath === '/__sim' || rawPath.startsWith('/__sim/');
    readBody(req)
      .then(async (bodyText) => {
        if (admin) return handleAdmin(req, res, rawPath, bodyText);
        await options.beforeCall?.(`${(req.method ?? 'GET').toUpperCase()} ${rawPath}`);
        return handleApi(req, res, rawPath, rawQuery, bodyText);
      })
      .catch((err: unknown) => {
        if (res.headersSent || res.destroyed) return;
        if (err instanceof OntapSimError) send(res, err.status, errorBody(err));
        else send(res, 500, { error: { message: 'internal simulator error' } });
      });
  };

  const server: http.Server = certs
    ? https.createServer(
        { key: certs.serverKey, cert: certs.serverCert, ca: certs.caPem, requestCert: true, rejectUnauthorized: false },
        listener,
      )
    : http.createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the simulator is not listening on a TCP port');
  const { port } = address;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${useHttps ? 'https' : 'http'}://${urlHost}:${port}`,
    caPem: certs?.caPem,
    clientCert: certs ? { cert: certs.clientCert, key: certs.clientKey } : undefined,
    credentials: { username: writer.username, password: writer.password },
    readonlyCredentials: reader ? { username: reader.username, password: reader.password } : undefined,
    state,
    faults,
    clock,
    calls: () => calls.map((c) => ({ ...c })),
    clearCalls: () => {
      calls = [];
    },
    setPassword: (username, password) => {
      const user = fixture.api_users.find((u) => u.username === username);
      if (!user) throw new SimFixtureError(`no API user ${username}`);
      user.password = password;
    },
    jitEntries: () => state.jitUsers.map((e) => jitUserRecord(state, e)),
    reset: resetAll,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
