import { exampleFixture, FakeClock, type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const SVM2 = 'aaef7c38-4bd3-11e9-b238-0050568e2e25';
const ADMIN = '2903de6f-4bd2-11e9-b238-0050568e2e25';
const USERS = '/api/security/jit-privilege-users';

// The "Example request" of NetApp's "Create JIT privilege user configurations" page, verbatim.
const DOCUMENTED_REQUEST = {
  account: { name: 'joe.smith' },
  application: 'string',
  comment: 'Comment text',
  end_time: '2024-11-08 06:15:31 -0500',
  jit_state: 'active',
  jit_validity: 'P90D',
  owner: { name: 'svm1', uuid: '02c9e252-41be-11e9-81d5-00a0986138f7' },
  role: { name: 'admin' },
  session_validity: 'PT1H',
  start_time: '2024-11-08 05:15:31 -0500',
};
// Keys of the record in that page's "Example response".
const DOCUMENTED_RECORD_KEYS = [
  'account',
  'application',
  'comment',
  'end_time',
  'jit_state',
  'jit_validity',
  'owner',
  'role',
  'session_validity',
  'start_time',
];

const sorted = (o: object): string[] => Object.keys(o).sort();

describe('ONTAP simulator: /api/security/jit-privilege-users', () => {
  let sim: OntapSimulator;
  const clock = new FakeClock('2025-03-01T12:00:00Z');

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock, https: false });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    clock.set('2025-03-01T12:00:00Z');
  });

  const post = (body: unknown, query = '?return_records=true') => raw(sim, 'POST', `${USERS}${query}`, { body });
  const grant = (over: Record<string, unknown> = {}) => ({
    owner: { uuid: SVM1 },
    account: { name: 'alice' },
    application: 'ssh',
    role: { name: 'vsadmin' },
    ...over,
  });

  describe('the documented example request', () => {
    it('is refused as sent: jit_state and end_time are read-only', async () => {
      const res = await post(DOCUMENTED_REQUEST);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('2');
      expect(['end_time', 'jit_state']).toContain(res.json.error.target);
    });

    it('is refused without them while application is "string": only ssh exists', async () => {
      const { end_time: _e, jit_state: _j, ...writable } = DOCUMENTED_REQUEST;
      const res = await post(writable);
      expect(res.json.error).toMatchObject({ code: '2', target: 'application' });
    });

    it('names a role that a data SVM does not have ("admin" is cluster-scoped)', async () => {
      const { end_time: _e, jit_state: _j, ...writable } = DOCUMENTED_REQUEST;
      const res = await post({ ...writable, application: 'ssh' });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: '7077906', target: 'role.name' });
    });

    it('with ssh and an SVM role, creates the entry and answers in the documented response shape', async () => {
      const { end_time: _e, jit_state: _j, ...writable } = DOCUMENTED_REQUEST;
      const res = await post({ ...writable, application: 'ssh', role: { name: 'vsadmin' } });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${USERS}/${SVM1}/joe.smith/ssh`);
      expect(sorted(res.json)).toEqual(['num_records', 'records']);
      expect(res.json.num_records).toBe(1);
      const rec = res.json.records[0];
      expect(sorted(rec)).toEqual(DOCUMENTED_RECORD_KEYS);
      expect(sorted(rec.owner)).toEqual(['name', 'uuid']);
      expect(rec).toEqual({
        account: { name: 'joe.smith' },
        application: 'ssh',
        comment: 'Comment text',
        start_time: '2024-11-08 10:15:31 +0000',
        end_time: '2025-02-06 10:15:31 +0000',
        jit_state: 'idle',
        jit_validity: 'P90D',
        owner: { name: 'svm1', uuid: SVM1 },
        role: { name: 'vsadmin' },
        session_validity: 'PT1H',
      });
    });
  });

  it('creates the overview example (owner by name "Cserver") and answers {} without return_records', async () => {
    const fixture = exampleFixture();
    fixture.admin_svm.name = 'Cserver';
    for (const a of fixture.accounts) if (a.owner === 'cluster1') a.owner = 'Cserver';
    for (const r of fixture.roles) if (r.owner === 'cluster1') r.owner = 'Cserver';
    fixture.accounts.push({
      owner: 'Cserver',
      name: 'joe',
      role: 'readonly',
      locked: false,
      applications: [
        { application: 'ssh', authentication_methods: ['password'], second_authentication_method: 'none' },
      ],
    });
    const cserver = await startOntapSimulator({ fixture, https: false, clock });
    try {
      const res = await raw(cserver, 'POST', USERS, {
        body: {
          owner: { name: 'Cserver' },
          account: { name: 'joe' },
          application: 'ssh',
          role: { name: 'admin' },
          session_validity: 'PT30M',
          jit_validity: 'PT2H10M20S',
        },
      });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({});
      expect(res.headers.location).toBe(`${USERS}/${ADMIN}/joe/ssh`);
      // The overview's list example: owner (uuid, name, link), account name, application, link.
      const list = await raw(cserver, 'GET', USERS);
      expect(list.json).toEqual({
        records: [
          {
            owner: { uuid: ADMIN, name: 'Cserver', _links: { self: { href: `/api/svm/svms/${ADMIN}` } } },
            account: { name: 'joe' },
            application: 'ssh',
            _links: { self: { href: `${USERS}/${ADMIN}/joe/ssh` } },
          },
        ],
        num_records: 1,
        _links: { self: { href: USERS } },
      });
      const full = await raw(cserver, 'GET', `${USERS}/${ADMIN}/joe/ssh`);
      expect(full.json).toMatchObject({
        session_validity: 'PT30M',
        jit_validity: 'PT2H10M20S',
        start_time: '2025-03-01 12:00:00 +0000',
        end_time: '2025-03-01 14:10:20 +0000',
      });
    } finally {
      await cserver.close();
    }
  });

  it('returns every documented field with fields=*, plus HAL links', async () => {
    await post(grant({ comment: 'req-1' }));
    const res = await raw(sim, 'GET', `${USERS}?fields=*`);
    const rec = res.json.records[0];
    expect(sorted(rec)).toEqual([...DOCUMENTED_RECORD_KEYS, '_links'].sort());
    expect(rec.account._links.self.href).toBe(`/api/security/accounts/${SVM1}/alice`);
    expect(rec.role._links.self.href).toBe(`/api/security/roles/${SVM1}/vsadmin`);
  });

  it('defaults session_validity to the cluster default and jit_validity to the session validity', async () => {
    const res = await post({ owner: { uuid: SVM1 }, account: { name: 'bob' }, application: 'ssh' });
    expect(res.json.records[0]).toMatchObject({
      role: { name: 'vsadmin' },
      session_validity: 'PT1H',
      jit_validity: 'PT1H',
      start_time: '2025-03-01 12:00:00 +0000',
      end_time: '2025-03-01 13:00:00 +0000',
    });
    const cluster = await post({ owner: { uuid: ADMIN }, account: { name: 'storage.ops' }, application: 'ssh' });
    expect(cluster.json.records[0].role.name).toBe('admin');
  });

  it('reads both documented time forms and refuses sub-second precision', async () => {
    const iso = await post(grant({ start_time: '2025-03-02T08:00:00+00:00', jit_validity: 'PT4H' }));
    expect(iso.json.records[0]).toMatchObject({
      start_time: '2025-03-02 08:00:00 +0000',
      end_time: '2025-03-02 12:00:00 +0000',
      jit_state: 'preactive',
    });
    const offset = await post(grant({ account: { name: 'bob' }, start_time: '2025-03-02 03:00:00 -0500' }));
    expect(offset.json.records[0].start_time).toBe('2025-03-02 08:00:00 +0000');
    const frac = await post(grant({ account: { name: 'carol' }, start_time: '2025-03-02T08:00:00.500Z' }));
    expect(frac.json.error).toMatchObject({ code: '2', target: 'start_time' });
    const junk = await post(grant({ account: { name: 'carol' }, start_time: 'tomorrow' }));
    expect(junk.json.error).toMatchObject({ code: '2', target: 'start_time' });
  });

  it.each([
    [{ jit_validity: '2 hours' }, 'jit_validity'],
    [{ session_validity: 'PT' }, 'session_validity'],
    [{ jit_validity: 'P1M' }, 'jit_validity'],
    [{ jit_validity: 'P91D' }, 'jit_validity'],
    [{ comment: 7 }, 'comment'],
    [{ colour: 'blue' }, 'colour'],
    [{ owner: { uuid: SVM1, colour: 'blue' } }, 'owner.colour'],
    [{ account: undefined }, 'account.name'],
    [{ application: undefined }, 'application'],
    [{ application: 'http' }, 'application'],
  ])('refuses %j with 400 code 2 and target %s', async (change, target) => {
    const res = await post(grant(change));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: '2', target });
  });

  it('refuses a window over the owner’s maximum: svm2 is capped at PT8H', async () => {
    const over = await post(grant({ owner: { uuid: SVM2 }, jit_validity: 'PT8H1S' }));
    expect(over.json.error).toMatchObject({ code: '2', target: 'jit_validity' });
    const at = await post(grant({ owner: { uuid: SVM2 }, jit_validity: 'PT8H' }));
    expect(at.status).toBe(201);
  });

  it.each([
    ['an unknown owner', { owner: { uuid: '00000000-0000-0000-0000-000000000000' } }, '2621462', 'owner.uuid'],
    ['owner uuid and name of different SVMs', { owner: { uuid: SVM1, name: 'svm2' } }, '2621706', 'owner.uuid'],
    ['a user missing on that SVM', { account: { name: 'zed' } }, '1261218', 'account.name'],
    ['a user of another SVM', { account: { name: 'backup-op' } }, '1261218', 'account.name'],
    ['a publickey-only ssh login', { account: { name: 'dave-pk' } }, '5636176', 'account.name'],
    ['an MFA login', { account: { name: 'erin-totp' } }, '5636176', 'account.name'],
    ['a user without ssh', { account: { name: 'henry-api' } }, '5636176', 'account.name'],
    ['a role not defined on that SVM', { role: { name: 'readonly' } }, '7077906', 'role.name'],
  ])('refuses %s (%j): code %s', async (_label, change, code, target) => {
    const res = await post(grant(change));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code, target });
  });

  it('accepts nsswitch and domain logins and odd account names', async () => {
    for (const name of ['nis.user', 'CORP\\kim', 'ops@svm1', 'o.brien-2']) {
      const res = await post(grant({ account: { name } }));
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${USERS}/${SVM1}/${encodeURIComponent(name)}/ssh`);
    }
    const got = await raw(sim, 'GET', `${USERS}/${SVM1}/${encodeURIComponent('CORP\\kim')}/ssh`);
    expect(got.json.account.name).toBe('CORP\\kim');
  });

  it('keeps one entry per owner, account and application: a second POST is 409 code 1', async () => {
    expect((await post(grant())).status).toBe(201);
    const dup = await post(grant({ role: { name: 'vsadmin-volume' } }));
    expect(dup.status).toBe(409);
    expect(dup.json.error).toEqual({ code: '1', message: 'duplicate entry' });
    expect((await post(grant({ owner: { uuid: SVM2 } }))).status).toBe(201);
  });

  it('deletes with 200, then answers 404 code 4 for GET and DELETE', async () => {
    await post(grant());
    const path = `${USERS}/${SVM1}/alice/ssh`;
    expect((await raw(sim, 'GET', path)).status).toBe(200);
    const del = await raw(sim, 'DELETE', path);
    expect(del.status).toBe(200);
    const again = await raw(sim, 'DELETE', path);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('4');
    expect((await raw(sim, 'GET', path)).json.error.code).toBe('4');
  });

  it('moves jit_state with the clock: preactive, idle, active while elevated, idle after; entries stay listed', async () => {
    await post(grant({ start_time: '2025-03-01T13:00:00Z', jit_validity: 'PT2H', session_validity: 'PT30M' }));
    const stateNow = (): unknown => sim.jitEntries()[0]?.jit_state;
    expect(stateNow()).toBe('preactive');
    expect(() => sim.state.elevate(SVM1, 'alice')).toThrow(/not open/);
    clock.set('2025-03-01T13:00:00Z');
    expect(stateNow()).toBe('idle');
    sim.state.elevate(SVM1, 'alice');
    expect(stateNow()).toBe('active');
    const active = await raw(sim, 'GET', `${USERS}?jit_state=active`);
    expect(active.json.num_records).toBe(1);
    clock.advance(30 * 60_000);
    expect(stateNow()).toBe('idle');
    sim.state.elevate(SVM1, 'alice');
    sim.state.endSession(SVM1, 'alice');
    expect(stateNow()).toBe('idle');
    clock.set('2025-03-01T14:45:00Z');
    sim.state.elevate(SVM1, 'alice');
    clock.set('2025-03-01T15:00:00Z');
    // The session never outlives the window, and the entry stays after it.
    expect(stateNow()).toBe('idle');
    expect((await raw(sim, 'GET', USERS)).json.num_records).toBe(1);
    expect(() => sim.state.elevate(SVM1, 'alice')).toThrow(/not open/);
  });

  it('filters on every documented field and sorts by order_by', async () => {
    await post(grant({ comment: 'req-1', jit_validity: 'PT2H' }));
    await post(grant({ account: { name: 'bob' }, comment: 'req-2', role: { name: 'vsadmin-volume' } }));
    await post(grant({ owner: { uuid: SVM2 }, comment: 'req-3' }));
    const count = async (q: string): Promise<number> => (await raw(sim, 'GET', `${USERS}?${q}`)).json.num_records;
    expect(await count('owner.name=svm1')).toBe(2);
    expect(await count(`owner.uuid=${SVM2}`)).toBe(1);
    expect(await count('role.name=vsadmin-volume')).toBe(1);
    expect(await count('comment=req-*')).toBe(3);
    expect(await count('jit_validity=PT2H')).toBe(1);
    expect(await count('account.name=alice&application=ssh')).toBe(2);
    expect(await count(`start_time=${encodeURIComponent('2025-03-01 12:00:00 +0000')}`)).toBe(3);
    expect(await count(`end_time=${encodeURIComponent('>2025-03-01 13:30:00 +0000')}`)).toBe(1);
    const desc = await raw(sim, 'GET', `${USERS}?order_by=comment%20desc&fields=comment`);
    expect(desc.json.records.map((r: { comment: string }) => r.comment)).toEqual(['req-3', 'req-2', 'req-1']);
  });

  it('refuses unexpected query parameters on POST and bodies that are not JSON', async () => {
    const q = await raw(sim, 'POST', `${USERS}?fields=*`, { body: grant() });
    expect(q.json.error).toMatchObject({ code: '2', target: 'fields' });
    const text = await raw(sim, 'POST', USERS, { bodyText: '{not json' });
    expect(text.json.error).toMatchObject({ code: '2', target: 'body' });
    const arr = await raw(sim, 'POST', USERS, { body: [grant()] });
    expect(arr.json.error).toMatchObject({ code: '2', target: 'body' });
  });

  it('seeds entries from the fixture', async () => {
    const fixture = exampleFixture();
    fixture.jit_users = [
      { owner: 'svm1', account: 'carol', role: 'snapmirror-operator', jit_validity: 'PT4H', comment: 'seeded' },
    ];
    const seeded = await startOntapSimulator({ fixture, https: false, clock });
    try {
      expect(seeded.jitEntries()).toEqual([
        expect.objectContaining({
          account: expect.objectContaining({ name: 'carol' }),
          comment: 'seeded',
          jit_validity: 'PT4H',
        }),
      ]);
    } finally {
      await seeded.close();
    }
  });
});
