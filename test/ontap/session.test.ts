import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  OntapClient as Client,
  OntapApiError,
  OntapAuthError,
  type OntapClient,
  OntapConfigError,
  OntapConflictError,
  OntapDuplicateError,
  OntapError,
  OntapInvalidFieldError,
  OntapJitEntryMismatchError,
  OntapNotFoundError,
  OntapPermissionError,
  OntapResponseFormatError,
  OntapTlsError,
  OntapTransientError,
} from '../../lambdas/ontap';
import { exampleFixture, FakeClock, type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor } from './sim-client';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const USERS = '/api/security/jit-privilege-users';
const SECRET = 'Sup3r-S3cret-Passw0rd!';
const entry = { ownerUuid: SVM1, account: 'alice', role: 'vsadmin', jitValidity: 'PT2H', comment: 'req-1' };

async function failure(p: Promise<unknown>): Promise<OntapError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OntapError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('OntapClient errors, retries and secrecy', () => {
  let sim: OntapSimulator;
  let client: OntapClient;
  let sleeps: number[];

  beforeAll(async () => {
    const fixture = exampleFixture();
    fixture.api_users = [
      { username: 'jitsvc', password: SECRET, access: 'all' },
      { username: 'monitor', password: 'Monitor1!-sim', access: 'readonly' },
    ];
    sim = await startOntapSimulator({ fixture, clock: new FakeClock('2025-03-01T12:00:00Z') });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    ({ client, sleeps } = clientFor(sim));
  });
  afterEach(() => client.close());

  const posts = (): number => sim.calls().filter((c) => c.method === 'POST').length;

  describe('ONTAP error answers become typed errors, not retried', () => {
    it('401 -> OntapAuthError', async () => {
      const { client: bad } = clientFor(sim, { password: 'wrong-password' });
      const err = await failure(bad.resolveSvm('svm1'));
      bad.close();
      expect(err).toBeInstanceOf(OntapAuthError);
      expect(err).toMatchObject({ name: 'OntapAuthError', status: 401, method: 'GET' });
      expect(sim.calls()).toHaveLength(1);
    });

    it('403 code 6 -> OntapPermissionError', async () => {
      const { client: ro } = clientFor(sim, { username: 'monitor', password: 'Monitor1!-sim' });
      const err = await failure(ro.ensureJitUser(entry));
      ro.close();
      expect(err).toBeInstanceOf(OntapPermissionError);
      expect(err).toMatchObject({ status: 403, ontapCode: '6' });
    });

    it('409 code 1 -> OntapDuplicateError, which ensureJitUser reads back and compares', async () => {
      await client.ensureJitUser(entry);
      const err = await failure(client.ensureJitUser({ ...entry, comment: 'req-2' }));
      expect(err).toBeInstanceOf(OntapJitEntryMismatchError);
      expect(err.cause).toBeInstanceOf(OntapDuplicateError);
      expect(err.cause).toMatchObject({ status: 409, ontapCode: '1', path: `${USERS}?return_records=true` });
      expect(posts()).toBe(2);
    });

    it('400 code 2 -> OntapInvalidFieldError with the target', async () => {
      const err = await failure(client.ensureJitUser({ ...entry, jitValidity: 'P91D' }));
      expect(err).toBeInstanceOf(OntapInvalidFieldError);
      expect(err).toMatchObject({ status: 400, ontapCode: '2', target: 'jit_validity' });
      expect(err.message).toMatch(/answered 400 \(code 2\): .*exceeds the maximum of P90D\. \[target: jit_validity\]/);
      expect(posts()).toBe(1);
      expect(sleeps).toEqual([]);
    });

    it('404 code 4 -> OntapNotFoundError', async () => {
      const err = await failure(client.deleteJitUser(SVM1, 'alice'));
      expect(err).toBeInstanceOf(OntapNotFoundError);
      expect(err).toMatchObject({ status: 404, ontapCode: '4' });
    });

    it.each([
      ['a user missing on the SVM', { account: 'zed' }, '1261218'],
      ['a role not on the SVM', { role: 'admin' }, '7077906'],
      ['a publickey-only user', { account: 'dave-pk' }, '5636176'],
      ['an unknown owner', { ownerUuid: '00000000-0000-0000-0000-000000000000' }, '2621462'],
    ])('endpoint code for %s -> OntapApiError keeping code %s', async (_label, change, code) => {
      const err = await failure(client.ensureJitUser({ ...entry, ...change }));
      expect(err).toBeInstanceOf(OntapApiError);
      expect(err).toMatchObject({ status: 400, ontapCode: code });
    });

    it('409 with another code -> OntapConflictError', async () => {
      sim.faults.add({
        method: 'POST',
        path: USERS,
        type: 'status',
        status: 409,
        code: '8',
        message: 'resource in use',
      });
      const err = await failure(client.ensureJitUser(entry));
      expect(err).toBeInstanceOf(OntapConflictError);
      expect(err.ontapCode).toBe('8');
      expect(posts()).toBe(1);
    });
  });

  describe('transient failures are retried with backoff', () => {
    it('503 twice, then success: one entry, two jittered waits', async () => {
      sim.faults.add({ method: 'POST', path: USERS, type: 'status', status: 503, times: 2 });
      await expect(client.ensureJitUser(entry)).resolves.toMatchObject({ entry: { account: 'alice' } });
      expect(sim.jitEntries()).toHaveLength(1);
      expect(posts()).toBe(3);
      // Full jitter with random() = 0.5: half of 100 ms, then half of 200 ms.
      expect(sleeps).toEqual([50, 100]);
    });

    it('gives up after the configured tries with OntapTransientError', async () => {
      sim.faults.add({ path: '/api/svm/svms', type: 'status', status: 500, times: 10 });
      const err = await failure(client.resolveSvm('svm1'));
      expect(err).toBeInstanceOf(OntapTransientError);
      expect(err).toMatchObject({ reason: 'status', status: 500 });
      expect(sim.calls()).toHaveLength(4);
      expect(sleeps).toEqual([50, 100, 200]);
    });

    it('honours Retry-After on 429, within the cap', async () => {
      const { client: c, sleeps: waits } = clientFor(sim, {
        retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
      });
      sim.faults.add({ path: '/api/svm/svms', type: 'status', status: 429, retryAfterSeconds: 3 });
      await expect(c.resolveSvm('svm1')).resolves.toMatchObject({ name: 'svm1' });
      c.close();
      expect(waits).toEqual([3000]);
    });

    it('retries "temporarily locked" whatever its status', async () => {
      sim.faults.add({
        method: 'POST',
        path: USERS,
        type: 'status',
        status: 409,
        code: '2621774',
        message: 'The configuration is temporarily locked; try again.',
      });
      await expect(client.ensureJitUser(entry)).resolves.toMatchObject({ entry: { account: 'alice' } });
      expect(posts()).toBe(2);
    });

    it('retries a reset connection', async () => {
      sim.faults.add({ method: 'POST', path: USERS, type: 'reset', times: 2 });
      await expect(client.ensureJitUser(entry)).resolves.toMatchObject({ entry: { account: 'alice' } });
      expect(sim.jitEntries()).toHaveLength(1);
    });

    it('times a hung call out and retries it', async () => {
      const { client: c } = clientFor(sim, { timeoutMs: 150 });
      sim.faults.add({ path: '/api/svm/svms', type: 'hang' });
      await expect(c.resolveSvm('svm1')).resolves.toMatchObject({ name: 'svm1' });
      sim.faults.add({ path: '/api/svm/svms', type: 'hang', times: 2 });
      const { client: once } = clientFor(sim, { timeoutMs: 150, retry: { attempts: 1 } });
      const err = await failure(once.resolveSvm('svm1'));
      expect(err).toBeInstanceOf(OntapTransientError);
      expect(err).toMatchObject({ reason: 'timeout' });
      expect(err.message).toMatch(/no answer within 150 ms/);
      c.close();
      once.close();
    });

    it('reports a refused connection as transient', async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const c = new Client({
        endpoint: `http://127.0.0.1:${port}`,
        username: 'u',
        password: SECRET,
        retry: { attempts: 2 },
        sleep: async () => {},
      });
      const err = await failure(c.resolveSvm('svm1'));
      c.close();
      expect(err).toBeInstanceOf(OntapTransientError);
      expect(err).toMatchObject({ reason: 'network' });
      expect(err.message).toMatch(/ECONNREFUSED/);
    });
  });

  describe('TLS', () => {
    it('refuses a cluster whose certificate does not chain to the configured CA, without retrying', async () => {
      const other = await startOntapSimulator({ fixture: exampleFixture() });
      const { client: c, sleeps: waits } = clientFor(sim, { ca: other.caPem });
      const err = await failure(c.resolveSvm('svm1'));
      c.close();
      await other.close();
      expect(err).toBeInstanceOf(OntapTlsError);
      expect(err.message).toMatch(/TLS failed/);
      expect(waits).toEqual([]);
      expect(sim.calls()).toHaveLength(0);
    });

    it('refuses a self-signed cluster when only the public CAs are trusted', async () => {
      const c = new Client({ endpoint: sim.url, username: 'jitsvc', password: SECRET, sleep: async () => {} });
      await expect(c.resolveSvm('svm1')).rejects.toBeInstanceOf(OntapTlsError);
      c.close();
    });

    it('refuses a client key that is not a PEM key when the client is built, showing none of it', () => {
      const key = 'not-a-key-but-a-secret-value';
      const build = () =>
        new Client({
          endpoint: sim.url,
          clientCert: { cert: sim.caPem ?? '', key },
          ca: sim.caPem,
          sleep: async () => {},
        });
      expect(build).toThrow(OntapConfigError);
      expect(build).not.toThrow(new RegExp(key));
    });

    it('serves parallel calls, several connections at once, all verified against the configured CA', async () => {
      const { client: c } = clientFor(sim, { ca: sim.caPem });
      const names = await Promise.all(['svm1', 'svm1', 'svm1', 'svm1'].map((name) => c.resolveSvm(name)));
      c.close();
      expect(names.map((svm) => svm?.name)).toEqual(['svm1', 'svm1', 'svm1', 'svm1']);
    });
  });

  describe('malformed answers', () => {
    it('a body that is not JSON -> OntapResponseFormatError, not retried', async () => {
      sim.faults.add({ path: '/api/svm/svms', type: 'raw', status: 200, body: '{"records": [' });
      const err = await failure(client.resolveSvm('svm1'));
      expect(err).toBeInstanceOf(OntapResponseFormatError);
      expect(sim.calls()).toHaveLength(1);
    });

    it('JSON of the wrong shape -> OntapResponseFormatError naming the field', async () => {
      sim.faults.add({
        path: '/api/svm/svms',
        type: 'raw',
        status: 200,
        body: '{"records": [{"uuid": 7, "name": "svm1"}], "num_records": 1}',
      });
      await expect(client.resolveSvm('svm1')).rejects.toThrow(/unexpected collection \(records\.0\.uuid: /);
    });

    it('a 5xx from a proxy with an HTML page is still transient', async () => {
      sim.faults.add({
        path: '/api/svm/svms',
        type: 'raw',
        status: 502,
        body: '<html>Bad gateway</html>',
        contentType: 'text/html',
      });
      await expect(client.resolveSvm('svm1')).resolves.toMatchObject({ name: 'svm1' });
    });

    it('a next link leaving /api/ is not followed (credentials go with every request)', async () => {
      sim.faults.add({
        path: '/api/svm/svms',
        type: 'raw',
        status: 200,
        body: JSON.stringify({
          records: [],
          num_records: 0,
          _links: { next: { href: 'https://elsewhere.example/api/svm/svms' } },
        }),
      });
      await expect(client.resolveSvm('svm1')).rejects.toThrow(/refusing to follow a next link/);
    });

    it('a 202 without a job -> OntapResponseFormatError', async () => {
      sim.faults.add({ method: 'DELETE', path: `${USERS}/*`, type: 'raw', status: 202, body: '{"jobb": {}}' });
      await expect(client.deleteJitUser(SVM1, 'alice')).rejects.toThrow(/unexpected 202 answer/);
    });

    it('a 4xx with a body that is not ONTAP’s -> OntapApiError with the status', async () => {
      sim.faults.add({ path: '/api/svm/svms', type: 'raw', status: 418, body: 'teapot' });
      await expect(client.resolveSvm('svm1')).rejects.toMatchObject({
        name: 'OntapApiError',
        status: 418,
        ontapCode: undefined,
      });
    });
  });

  describe('configuration', () => {
    it.each([
      [{ endpoint: `https://jitsvc:${SECRET}@cluster.example` }, /endpoint/],
      [{ endpoint: 'https://cluster.example/api' }, /endpoint/],
      [{ endpoint: 'ftp://cluster.example' }, /endpoint/],
      [{ endpoint: 'not a url' }, /endpoint/],
      [{ password: undefined }, /password/],
      [{ username: undefined }, /username/],
      [{ timeoutMs: -1 }, /timeoutMs/],
      [{ retry: { attempts: 0 } }, /retry\.attempts/],
    ])('refuses %j naming the field, never the secret', (change, field) => {
      let caught: unknown;
      try {
        new Client({ endpoint: 'https://cluster.example', username: 'jitsvc', password: SECRET, ...change });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(OntapConfigError);
      expect(String(caught)).toMatch(field);
      expect(`${String(caught)} ${JSON.stringify(caught)} ${inspect(caught, { depth: 10 })}`).not.toContain(SECRET);
    });
  });

  it('never lets the password or the Authorization header into errors, logs or the client itself', async () => {
    const events: unknown[] = [];
    const { client: c } = clientFor(sim, {
      username: 'jitsvc',
      password: SECRET,
      timeoutMs: 150,
      retry: { attempts: 2 },
      logger: (e) => events.push(e),
    });
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>): Promise<void> => {
      await p.catch((e: unknown) => errors.push(e));
    };
    const { client: wrong } = clientFor(sim, {
      username: 'jitsvc',
      password: `${SECRET}x`,
      logger: (e) => events.push(e),
    });
    await collect(wrong.resolveSvm('svm1'));
    wrong.close();
    await collect(c.deleteJitUser(SVM1, 'alice'));
    await c.ensureJitUser(entry);
    await collect(c.ensureJitUser({ ...entry, comment: 'req-2' }));
    await collect(c.ensureJitUser({ ...entry, account: 'zed' }));
    sim.faults.add({ path: '/api/svm/svms', type: 'hang', times: 2 });
    await collect(c.resolveSvm('svm1'));
    sim.faults.add({ path: '/api/svm/svms', type: 'reset', times: 2 });
    await collect(c.resolveSvm('svm1'));
    sim.faults.add({ path: '/api/svm/svms', type: 'raw', status: 200, body: 'nope' });
    await collect(c.resolveSvm('svm1'));
    await collect(c.getAccount('svm1', '*'));
    const tls = new Client({ endpoint: sim.url, username: 'jitsvc', password: SECRET, sleep: async () => {} });
    await collect(tls.resolveSvm('svm1'));
    tls.close();
    expect(errors).toHaveLength(9);

    const token = Buffer.from(`jitsvc:${SECRET}`).toString('base64');
    const rendered = [
      ...errors.flatMap((e) => [
        String(e),
        e instanceof Error ? (e.stack ?? '') : '',
        JSON.stringify(e),
        inspect(e, { depth: 10, showHidden: true }),
      ]),
      JSON.stringify(events),
      inspect(c, { depth: 10, showHidden: true }),
      JSON.stringify(c),
      JSON.stringify(sim.calls()),
    ].join('\n');
    for (const secret of [SECRET, token, 'Authorization', 'Basic ']) expect(rendered).not.toContain(secret);
    c.close();
  });
});
