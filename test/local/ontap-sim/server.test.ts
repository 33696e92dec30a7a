import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const ADMIN = '2903de6f-4bd2-11e9-b238-0050568e2e25';

describe('ONTAP simulator: read endpoints, conventions, auth', () => {
  let sim: OntapSimulator;
  const clock = new FakeClock('2025-03-01T12:00:00Z');

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('serves HTTPS with a certificate chained to the CA it exposes', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caPem).toContain('BEGIN CERTIFICATE');
    const res = await raw(sim, 'GET', '/api/svm/svms');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/hal+json');
  });

  it('lists data SVMs only, key fields by default, as HAL records', async () => {
    const res = await raw(sim, 'GET', '/api/svm/svms');
    expect(res.json).toEqual({
      records: [
        { uuid: SVM1, name: 'svm1', _links: { self: { href: `/api/svm/svms/${SVM1}` } } },
        {
          uuid: 'aaef7c38-4bd3-11e9-b238-0050568e2e25',
          name: 'svm2',
          _links: { self: { href: '/api/svm/svms/aaef7c38-4bd3-11e9-b238-0050568e2e25' } },
        },
      ],
      num_records: 2,
      _links: { self: { href: '/api/svm/svms' } },
    });
    expect((await raw(sim, 'GET', '/api/svm/svms?name=cluster1')).json.num_records).toBe(0);
  });

  it('answers one data SVM by uuid with all fields, and 404 code 4 for the admin SVM', async () => {
    const one = await raw(sim, 'GET', `/api/svm/svms/${SVM1}`);
    expect(one.json).toMatchObject({ uuid: SVM1, name: 'svm1', state: 'running', subtype: 'default' });
    const admin = await raw(sim, 'GET', `/api/svm/svms/${ADMIN}`);
    expect(admin.status).toBe(404);
    expect(admin.json.error).toMatchObject({ code: '4', message: "entry doesn't exist" });
  });

  it('gives the admin SVM as the owner of cluster-scoped accounts', async () => {
    const res = await raw(sim, 'GET', '/api/security/accounts?scope=cluster&fields=owner&max_records=1');
    expect(res.json.num_records).toBe(1);
    expect(res.json.records[0].owner).toEqual({
      uuid: ADMIN,
      name: 'cluster1',
      _links: { self: { href: `/api/svm/svms/${ADMIN}` } },
    });
  });

  it('answers the prerequisite query NetApp modules send for an account', async () => {
    const res = await raw(
      sim,
      'GET',
      '/api/security/accounts?name=alice&owner.name=svm1&fields=applications,locked,role,owner',
    );
    expect(res.json.num_records).toBe(1);
    const [rec] = res.json.records;
    expect(rec).toMatchObject({
      name: 'alice',
      owner: { uuid: SVM1, name: 'svm1' },
      locked: false,
      role: { name: 'vsadmin-readonly' },
      applications: [
        { application: 'ssh', authentication_methods: ['password'], second_authentication_method: 'none' },
      ],
    });
    expect(rec).not.toHaveProperty('comment');
    expect(rec).not.toHaveProperty('scope');
  });

  it('finds accounts with odd names through encoded path keys', async () => {
    const byPath = await raw(sim, 'GET', `/api/security/accounts/${ADMIN}/${encodeURIComponent('CORP\\jdoe')}`);
    expect(byPath.status).toBe(200);
    expect(byPath.json).toMatchObject({ name: 'CORP\\jdoe', scope: 'cluster' });
    expect(byPath.json._links.self.href).toBe(`/api/security/accounts/${ADMIN}/CORP%5Cjdoe`);
    const at = await raw(sim, 'GET', `/api/security/accounts/${SVM1}/${encodeURIComponent('ops@svm1')}`);
    expect(at.json.name).toBe('ops@svm1');
    // An encoded "/" stays inside the name; a ".." segment is a name, never a step up.
    expect((await raw(sim, 'GET', `/api/security/accounts/${SVM1}/alice%2F..%2Fbob`)).status).toBe(404);
    expect((await raw(sim, 'GET', `/api/security/accounts/${SVM1}/../alice`)).status).toBe(404);
  });

  it('lists built-in and custom roles per owner, with privileges and builtin', async () => {
    const svmRoles = await raw(sim, 'GET', '/api/security/roles?owner.name=svm1&fields=builtin');
    const names = svmRoles.json.records.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'vsadmin',
        'vsadmin-backup',
        'vsadmin-protocol',
        'vsadmin-readonly',
        'vsadmin-volume',
        'vsadmin-snaplock',
        'snapmirror-operator',
      ]),
    );
    const clusterRoles = await raw(sim, 'GET', '/api/security/roles?scope=cluster&builtin=true');
    expect(clusterRoles.json.records.map((r: { name: string }) => r.name).sort()).toEqual([
      'admin',
      'autosupport',
      'backup',
      'none',
      'readonly',
    ]);
    const custom = await raw(sim, 'GET', `/api/security/roles/${SVM1}/snapmirror-operator`);
    expect(custom.json).toMatchObject({ name: 'snapmirror-operator', builtin: false, scope: 'svm' });
    expect(custom.json.privileges[0]).toEqual({
      path: '/api/snapmirror/relationships',
      access: 'all',
      _links: {
        self: {
          href: `/api/security/roles/${SVM1}/snapmirror-operator/privileges/%2Fapi%2Fsnapmirror%2Frelationships`,
        },
      },
    });
    expect((await raw(sim, 'GET', '/api/security/roles?name=admin&owner.name=svm1')).json.num_records).toBe(0);
  });

  it('applies the query operators: wildcard, or, not, comparison', async () => {
    const names = async (q: string): Promise<string[]> =>
      (await raw(sim, 'GET', `/api/security/accounts?owner.name=svm1&${q}`)).json.records.map(
        (r: { name: string }) => r.name,
      );
    expect(await names('name=vsadmin*')).toEqual(['vsadmin']);
    expect(await names(`name=${encodeURIComponent('alice|bob')}`)).toEqual(['alice', 'bob']);
    expect(await names(`name=${encodeURIComponent('a*|c*')}&order_by=name`)).toEqual(['alice', 'carol']);
    expect(await names('locked=true')).toEqual(['grace.locked', 'vsadmin']);
    expect((await names('locked=!true')).includes('grace.locked')).toBe(false);
    expect(await names(`name=${encodeURIComponent('<b')}`)).toEqual(['CORP\\kim', 'alice']);
    expect(await names('applications.second_authentication_method=!none')).toEqual(['erin-totp', 'frank-mfa']);
    expect(await names('applications.application=http&order_by=name%20desc')).toEqual(['vsadmin', 'henry-api', 'bob']);
  });

  it('pages with max_records and _links.next until the collection is exhausted', async () => {
    const seen: string[] = [];
    let href: string | undefined = '/api/security/roles?owner.name=svm1&max_records=3';
    let pages = 0;
    while (href) {
      const page = await raw(sim, 'GET', href);
      expect(page.json.num_records).toBe(page.json.records.length);
      seen.push(...page.json.records.map((r: { name: string }) => r.name));
      href = page.json._links.next?.href;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('counts without records when return_records=false', async () => {
    const res = await raw(sim, 'GET', '/api/security/accounts?owner.name=svm2&return_records=false');
    expect(res.json).toEqual({
      num_records: 3,
      _links: { self: { href: '/api/security/accounts?owner.name=svm2&return_records=false' } },
    });
  });

  it('refuses unknown filters and fields with 400 code 2 naming the target', async () => {
    const filter = await raw(sim, 'GET', '/api/security/accounts?password=x');
    expect(filter.status).toBe(400);
    expect(filter.json.error).toMatchObject({ code: '2', target: 'password' });
    const fields = await raw(sim, 'GET', '/api/svm/svms?fields=nope');
    expect(fields.json.error).toMatchObject({ code: '2', target: 'fields' });
    const paging = await raw(sim, 'GET', '/api/svm/svms?max_records=0');
    expect(paging.json.error).toMatchObject({ code: '2', target: 'max_records' });
  });

  it('returns the JIT settings per owner, cluster defaults PT1H and P90D, svm2 capped at PT8H', async () => {
    const res = await raw(sim, 'GET', '/api/security/jit-privileges?fields=*');
    const byName = Object.fromEntries(res.json.records.map((r: { owner: { name: string } }) => [r.owner.name, r]));
    expect(byName.cluster1).toMatchObject({
      application: 'ssh',
      default_session_validity_period: 'PT1H',
      max_jit_validity_period: 'P90D',
    });
    expect(byName.svm1).toMatchObject({ max_jit_validity_period: 'P90D' });
    expect(byName.svm2).toMatchObject({ default_session_validity_period: 'PT1H', max_jit_validity_period: 'PT8H' });
    const one = await raw(sim, 'GET', `/api/security/jit-privileges/${ADMIN}/ssh`);
    expect(one.json._links.self.href).toBe(`/api/security/jit-privileges/${ADMIN}/ssh`);
  });

  it('changes JIT settings with PATCH and validates the body', async () => {
    const ok = await raw(sim, 'PATCH', `/api/security/jit-privileges/${ADMIN}/ssh`, {
      body: { max_jit_validity_period: 'P7D' },
    });
    expect(ok.status).toBe(200);
    expect((await raw(sim, 'GET', `/api/security/jit-privileges/${SVM1}/ssh`)).json.max_jit_validity_period).toBe(
      'P7D',
    );
    const bad = await raw(sim, 'PATCH', `/api/security/jit-privileges/${ADMIN}/ssh`, {
      body: { max_jit_validity_period: '7 days' },
    });
    expect(bad.json.error).toMatchObject({ code: '2', target: 'max_jit_validity_period' });
    const owner = await raw(sim, 'PATCH', `/api/security/jit-privileges/${ADMIN}/ssh`, {
      body: { owner: { name: 'x' } },
    });
    expect(owner.json.error).toMatchObject({ code: '2', target: 'owner' });
  });

  it('answers 401 without or with wrong credentials, and never records the Authorization header', async () => {
    const none = await raw(sim, 'GET', '/api/svm/svms', { auth: null });
    expect(none.status).toBe(401);
    expect(none.json.error.message).toMatch(/Authentication failed/);
    const wrong = await raw(sim, 'GET', '/api/svm/svms', { auth: { username: 'admin', password: 'nope' } });
    expect(wrong.status).toBe(401);
    const log = JSON.stringify(sim.calls());
    expect(log).not.toMatch(/authorization|Basic /i);
    expect(log).not.toContain(sim.credentials.password);
  });

  it('lets the read-only user read but answers 403 code 6 to its writes', async () => {
    const auth = sim.readonlyCredentials ?? null;
    expect((await raw(sim, 'GET', '/api/svm/svms', { auth })).status).toBe(200);
    const post = await raw(sim, 'POST', '/api/security/jit-privilege-users', { auth, body: {} });
    expect(post.status).toBe(403);
    expect(post.json.error.code).toBe('6');
  });

  it('accepts its client certificate instead of a password', async () => {
    const res = await raw(sim, 'GET', '/api/svm/svms', { auth: null, clientCert: sim.clientCert });
    expect(res.status).toBe(200);
    expect(sim.calls().at(-1)?.user).toBe('admin');
  });

  it('answers 404 for unknown paths and 405 for unsupported methods', async () => {
    const unknown = await raw(sim, 'GET', '/api/security/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('API not found');
    const patch = await raw(sim, 'PATCH', `/api/security/jit-privilege-users/${SVM1}/alice/ssh`, { body: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.allow).toBe('GET, DELETE');
  });

  it('logs every /api call with method, path, query and body', async () => {
    sim.clearCalls();
    await raw(sim, 'POST', '/api/security/jit-privilege-users?return_records=true', {
      body: { owner: { name: 'svm1' }, account: { name: 'alice' }, application: 'ssh', role: { name: 'vsadmin' } },
    });
    const [call] = sim.calls();
    expect(call).toMatchObject({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      query: { return_records: 'true' },
      body: { account: { name: 'alice' } },
      user: 'admin',
      status: 201,
      time: '2025-03-01T12:00:00.000Z',
    });
  });
});

describe('ONTAP simulator: /__sim admin endpoints and plain HTTP', () => {
  let sim: OntapSimulator;
  const clock = new FakeClock('2025-03-01T12:00:00Z');

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false, clock });
  });
  afterAll(() => sim.close());

  it('runs over plain HTTP when asked', () => {
    expect(sim.url).toMatch(/^http:\/\//);
    expect(sim.caPem).toBeUndefined();
  });

  it('shows state, calls, faults; elevates; moves a fake clock; resets', async () => {
    await raw(sim, 'POST', '/api/security/jit-privilege-users', {
      body: { owner: { name: 'svm1' }, account: { name: 'bob' }, application: 'ssh', role: { name: 'vsadmin' } },
    });
    const state = await raw(sim, 'GET', '/__sim/state', { auth: null });
    expect(state.json.jit_users).toHaveLength(1);
    expect(state.json.jit_users[0]).toMatchObject({ account: { name: 'bob' }, jit_state: 'idle' });

    const calls = await raw(sim, 'GET', '/__sim/calls', { auth: null });
    expect(calls.json.calls.map((c: { method: string }) => c.method)).toEqual(['POST']);
    expect(calls.text).not.toContain('Netapp1!-sim');

    expect(
      (await raw(sim, 'POST', '/__sim/elevate', { auth: null, body: { owner_name: 'svm1', account: 'bob' } })).status,
    ).toBe(200);
    expect(sim.jitEntries()[0]).toMatchObject({ jit_state: 'active' });
    const moved = await raw(sim, 'POST', '/__sim/clock', { auth: null, body: { advance_ms: 3_600_000 } });
    expect(moved.json.now).toBe('2025-03-01T13:00:00.000Z');
    expect(sim.jitEntries()[0]).toMatchObject({ jit_state: 'idle' });

    const fault = await raw(sim, 'POST', '/__sim/faults', {
      auth: null,
      body: { method: 'GET', path: '/api/svm/svms', type: 'status', status: 503, times: 1 },
    });
    expect(fault.status).toBe(201);
    expect((await raw(sim, 'GET', '/__sim/faults', { auth: null })).json.faults).toHaveLength(1);
    expect((await raw(sim, 'GET', '/api/svm/svms')).status).toBe(503);
    expect((await raw(sim, 'GET', '/api/svm/svms')).status).toBe(200);
    const badFault = await raw(sim, 'POST', '/__sim/faults', { auth: null, body: { path: '/x', type: 'explode' } });
    expect(badFault.status).toBe(400);

    expect((await raw(sim, 'POST', '/__sim/reset', { auth: null })).status).toBe(200);
    expect(sim.jitEntries()).toHaveLength(0);
    expect(sim.calls()).toHaveLength(0);
    expect((await raw(sim, 'GET', '/__sim/ca', { auth: null })).status).toBe(404);
  });
});
