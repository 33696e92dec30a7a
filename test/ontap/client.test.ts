import {
  type OntapClient,
  OntapInvalidInputError,
  OntapJitEntryMismatchError,
  OntapJobFailedError,
  OntapNotFoundError,
} from '../../lambdas/ontap';
import { listJitUsers } from '../../lambdas/ontap/jit-entries';
import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor, sessionFor } from './sim-client';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const SVM2 = 'aaef7c38-4bd3-11e9-b238-0050568e2e25';
const ADMIN = '2903de6f-4bd2-11e9-b238-0050568e2e25';

describe('OntapClient against the simulator over HTTPS', () => {
  let sim: OntapSimulator;
  let client: OntapClient;
  const clock = new FakeClock('2025-03-01T12:00:00Z');

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock });
    client = clientFor(sim).client;
  });
  afterAll(async () => {
    client.close();
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    clock.set('2025-03-01T12:00:00Z');
  });

  describe('resolveSvm', () => {
    it('resolves a data SVM through /api/svm/svms', async () => {
      await expect(client.resolveSvm('svm1')).resolves.toEqual({ uuid: SVM1, name: 'svm1', scope: 'svm' });
      expect(sim.calls().map((c) => `${c.path}?${new URLSearchParams(c.query).toString()}`)).toEqual([
        '/api/svm/svms?name=svm1&fields=uuid%2Cname',
      ]);
    });

    it('resolves the admin SVM from the owner of cluster-scoped accounts', async () => {
      await expect(client.resolveSvm('cluster1')).resolves.toEqual({ uuid: ADMIN, name: 'cluster1', scope: 'cluster' });
      expect(sim.calls().at(-1)?.query).toEqual({ scope: 'cluster', fields: 'owner', max_records: '1' });
    });

    it('answers null for an unknown SVM', async () => {
      await expect(client.resolveSvm('svm9')).resolves.toBeNull();
    });
  });

  describe('getAccount', () => {
    it('returns applications, lock state and role, with the query NetApp modules use', async () => {
      await expect(client.getAccount('svm1', 'frank-mfa')).resolves.toEqual({
        name: 'frank-mfa',
        ownerUuid: SVM1,
        ownerName: 'svm1',
        locked: false,
        role: 'vsadmin-readonly',
        applications: [
          { application: 'ssh', authenticationMethods: ['password'], secondAuthenticationMethod: 'publickey' },
        ],
      });
      expect(sim.calls().at(-1)?.query).toEqual({
        name: 'frank-mfa',
        'owner.name': 'svm1',
        fields: 'applications,locked,role,owner',
      });
    });

    it('returns null when the SVM has no such user', async () => {
      await expect(client.getAccount('svm2', 'bob')).resolves.toBeNull();
    });

    it.each(['CORP\\kim', 'ops@svm1', 'o.brien-2', 'nis.user'])('finds the odd name %s', async (name) => {
      await expect(client.getAccount('svm1', name)).resolves.toMatchObject({ name });
    });

    it('sends & ? / % # = + in names as data, never as query structure', async () => {
      for (const name of ['a&owner.name=svm2', 'x?y', 'a/b', '%2F', 'a#b', 'a+b', 'a=b']) {
        await expect(client.getAccount('svm1', name)).resolves.toBeNull();
        expect(sim.calls().at(-1)?.query).toEqual({
          name,
          'owner.name': 'svm1',
          fields: 'applications,locked,role,owner',
        });
      }
    });

    it('refuses names ONTAP would read as query operators, before any call', async () => {
      sim.clearCalls();
      for (const name of ['*', 'al*', 'alice|bob', '!alice', '<b', 'a..b', '', 'a\nb']) {
        await expect(client.getAccount('svm1', name)).rejects.toBeInstanceOf(OntapInvalidInputError);
      }
      await expect(client.getAccount('svm*', 'alice')).rejects.toThrow(
        /SVM name "svm\*" contains a character ONTAP reads as a query operator/,
      );
      expect(sim.calls()).toHaveLength(0);
    });
  });

  describe('roles', () => {
    it('returns a custom role with its privileges', async () => {
      await expect(client.getRole('svm1', 'snapmirror-operator')).resolves.toEqual({
        name: 'snapmirror-operator',
        ownerUuid: SVM1,
        ownerName: 'svm1',
        builtin: false,
        scope: 'svm',
        privileges: [
          { path: '/api/snapmirror/relationships', access: 'all' },
          { path: '/api/storage/volumes', access: 'readonly' },
          { path: '/api/cluster/jobs', access: 'readonly' },
          { path: '/api/svm/svms', access: 'readonly' },
        ],
      });
    });

    it('knows built-in roles per scope', async () => {
      await expect(client.roleExists('svm1', 'vsadmin-volume')).resolves.toBe(true);
      await expect(client.roleExists('svm1', 'admin')).resolves.toBe(false);
      await expect(client.roleExists('cluster1', 'admin')).resolves.toBe(true);
      await expect(client.getRole('cluster1', 'readonly')).resolves.toMatchObject({ builtin: true, scope: 'cluster' });
    });
  });

  describe('getJitSettings', () => {
    it('returns the cluster settings by default and per-SVM overrides', async () => {
      await expect(client.getJitSettings()).resolves.toEqual({
        ownerUuid: ADMIN,
        ownerName: 'cluster1',
        application: 'ssh',
        defaultSessionValidity: 'PT1H',
        defaultSessionValiditySeconds: 3600,
        maxJitValidity: 'P90D',
        maxJitValiditySeconds: 7_776_000,
        source: 'cluster',
      });
      await expect(client.getJitSettings(SVM2)).resolves.toMatchObject({
        ownerName: 'svm2',
        maxJitValidity: 'PT8H',
        maxJitValiditySeconds: 28_800,
        source: 'svm',
      });
      await expect(client.getJitSettings('00000000-0000-0000-0000-000000000000')).resolves.toMatchObject({
        source: 'cluster',
        maxJitValidity: 'P90D',
      });
    });
  });

  describe('JIT entries', () => {
    const entry = {
      ownerUuid: SVM1,
      account: 'alice',
      role: 'snapmirror-operator',
      jitValidity: 'PT4H',
      sessionValidity: 1800,
      startTime: '2025-03-01T13:00:00Z',
      comment: 'req-1',
    };

    it('creates an entry and returns it as ONTAP stored it', async () => {
      const { entry: created } = await client.ensureJitUser(entry);
      expect(created).toEqual({
        ownerUuid: SVM1,
        ownerName: 'svm1',
        account: 'alice',
        application: 'ssh',
        role: 'snapmirror-operator',
        sessionValidity: 'PT30M',
        jitValidity: 'PT4H',
        startTime: '2025-03-01T13:00:00Z',
        endTime: '2025-03-01T17:00:00Z',
        jitState: 'preactive',
        comment: 'req-1',
      });
      expect(sim.calls().at(-1)).toMatchObject({
        method: 'POST',
        query: { return_records: 'true' },
        body: {
          owner: { uuid: SVM1 },
          account: { name: 'alice' },
          application: 'ssh',
          role: { name: 'snapmirror-operator' },
          jit_validity: 'PT4H',
          session_validity: 'PT30M',
          start_time: '2025-03-01T13:00:00+00:00',
          comment: 'req-1',
        },
      });
    });

    it('gets, lists with filters and deletes entries', async () => {
      await client.ensureJitUser(entry);
      await client.ensureJitUser({ ...entry, account: 'bob', comment: 'req-2' });
      await client.ensureJitUser({ ownerUuid: SVM2, account: 'alice', role: 'vsadmin', jitValidity: 3600 });
      await expect(client.getJitUser(SVM1, 'bob')).resolves.toMatchObject({ account: 'bob', comment: 'req-2' });
      await expect(client.getJitUser(SVM1, 'carol')).resolves.toBeNull();
      const { session } = sessionFor(sim);
      try {
        expect((await listJitUsers(session)).map((e) => `${e.ownerName}/${e.account}`)).toEqual([
          'svm1/alice',
          'svm1/bob',
          'svm2/alice',
        ]);
        expect(await listJitUsers(session, { account: 'alice' })).toHaveLength(2);
        expect(await listJitUsers(session, { ownerUuid: SVM1, account: 'bob', application: 'ssh' })).toMatchObject([
          { comment: 'req-2' },
        ]);
      } finally {
        session.close();
      }
      await client.deleteJitUser(SVM1, 'alice');
      await expect(client.deleteJitUser(SVM1, 'alice')).rejects.toBeInstanceOf(OntapNotFoundError);
      expect(sim.jitEntries()).toHaveLength(2);
    });

    it('follows _links.next past the first page', async () => {
      const paged = sessionFor(sim, { pageSize: 2 }).session;
      try {
        for (const account of ['alice', 'bob', 'carol', 'joe.smith', 'o.brien-2'])
          await client.ensureJitUser({ ...entry, account });
        const all = await listJitUsers(paged);
        expect(all.map((e) => e.account)).toEqual(['alice', 'bob', 'carol', 'joe.smith', 'o.brien-2']);
        const gets = sim.calls().filter((c) => c.method === 'GET');
        expect(gets).toHaveLength(3);
        expect(gets.map((c) => c.query['start.offset'] ?? null)).toEqual([null, '2', '4']);
      } finally {
        paged.close();
      }
    });

    it('URL-encodes odd account names in entry paths', async () => {
      for (const account of ['CORP\\kim', 'ops@svm1', 'o.brien-2']) {
        await client.ensureJitUser({ ...entry, account });
        await expect(client.getJitUser(SVM1, account)).resolves.toMatchObject({ account });
        await client.deleteJitUser(SVM1, account);
      }
      const paths = sim
        .calls()
        .filter((c) => c.method === 'DELETE')
        .map((c) => c.path);
      expect(paths).toEqual([
        `/api/security/jit-privilege-users/${SVM1}/CORP%5Ckim/ssh`,
        `/api/security/jit-privilege-users/${SVM1}/ops%40svm1/ssh`,
        `/api/security/jit-privilege-users/${SVM1}/o.brien-2/ssh`,
      ]);
    });

    it('keeps hostile names inside their path segment', async () => {
      for (const account of ['a/b', '%2F', 'x?y=1', 'a&b', '.', 'a#b']) {
        await expect(client.getJitUser(SVM1, account)).resolves.toBeNull();
        const call = sim.calls().at(-1);
        expect(call?.path.split('/')).toHaveLength(7);
        expect(call?.query).toEqual({ fields: expect.any(String) });
      }
      await expect(client.getJitUser(SVM1, '..')).rejects.toBeInstanceOf(OntapInvalidInputError);
      await expect(client.getJitUser('../x', 'alice')).rejects.toBeInstanceOf(OntapInvalidInputError);
    });

    it('refuses a sub-second start time and malformed entries before calling', async () => {
      sim.clearCalls();
      await expect(
        client.ensureJitUser({ ...entry, startTime: new Date(Date.parse('2025-03-01T13:00:00.250Z')) }),
      ).rejects.toThrow(/whole seconds/);
      await expect(client.ensureJitUser({ ...entry, jitValidity: 'four hours' })).rejects.toThrow(/jitValidity/);
      await expect(client.ensureJitUser({ ...entry, jitValidity: -5 })).rejects.toBeInstanceOf(OntapInvalidInputError);
      // @ts-expect-error: only ssh exists
      await expect(client.ensureJitUser({ ...entry, application: 'http' })).rejects.toThrow(/application/);
      expect(sim.calls()).toHaveLength(0);
    });

    describe('ensureJitUser (idempotent grant)', () => {
      it('creates when absent', async () => {
        await expect(client.ensureJitUser(entry)).resolves.toMatchObject({
          created: true,
          entry: { account: 'alice', comment: 'req-1' },
        });
      });

      it('counts an identical existing entry as done', async () => {
        await client.ensureJitUser(entry);
        const again = await client.ensureJitUser({
          ...entry,
          jitValidity: 14_400,
          startTime: new Date('2025-03-01T13:00:00Z'),
        });
        expect(again).toMatchObject({ created: false, entry: { role: 'snapmirror-operator', jitValidity: 'PT4H' } });
        expect(sim.jitEntries()).toHaveLength(1);
      });

      it('refuses an existing entry with other settings and says what differs', async () => {
        await client.ensureJitUser(entry);
        const err = await client
          .ensureJitUser({ ...entry, role: 'vsadmin', comment: 'req-9' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OntapJitEntryMismatchError);
        expect(err).toMatchObject({
          differences: [
            { field: 'role', existing: 'snapmirror-operator', requested: 'vsadmin' },
            { field: 'comment', existing: 'req-1', requested: 'req-9' },
          ],
          message: expect.stringMatching(
            /role is "snapmirror-operator" \(wanted "vsadmin"\), comment is "req-1" \(wanted "req-9"\)/,
          ),
        });
        await expect(client.ensureJitUser({ ...entry, jitValidity: 'PT5H' })).rejects.toMatchObject({
          differences: [{ field: 'jitValidity', existing: 'PT4H', requested: 'PT5H' }],
        });
        await expect(client.ensureJitUser({ ...entry, startTime: '2025-03-01T13:00:01Z' })).rejects.toMatchObject({
          differences: [{ field: 'startTime', existing: '2025-03-01T13:00:00Z', requested: '2025-03-01T13:00:01Z' }],
        });
        expect(sim.jitEntries()).toHaveLength(1);
      });

      it('survives a lost answer: ONTAP created it, the retry meets a duplicate, read-back matches', async () => {
        sim.faults.add({ method: 'POST', path: '/api/security/jit-privilege-users', type: 'reset', after: true });
        await expect(client.ensureJitUser(entry)).resolves.toMatchObject({
          created: false,
          entry: { comment: 'req-1' },
        });
        expect(sim.jitEntries()).toHaveLength(1);
        sim.faults.add({ method: 'POST', path: '/api/security/jit-privilege-users', type: 'reset', after: true });
        await client.deleteJitUser(SVM1, 'alice');
        sim.clearCalls();
        // The first POST created the entry but its answer was lost; the retried POST met a duplicate.
        await expect(client.ensureJitUser(entry)).resolves.toMatchObject({
          created: false,
          entry: { comment: 'req-1' },
        });
        expect(sim.calls().map((c) => c.method)).toEqual(['POST', 'POST', 'GET']);
      });
    });

    describe('removeJitUser (idempotent revoke)', () => {
      it('deletes a present entry', async () => {
        await client.ensureJitUser(entry);
        await expect(client.removeJitUser(SVM1, 'alice')).resolves.toEqual({ alreadyGone: false });
        expect(sim.jitEntries()).toHaveLength(0);
      });

      it('counts a missing entry as done, confirmed by listing', async () => {
        await expect(client.removeJitUser(SVM1, 'alice')).resolves.toEqual({ alreadyGone: true });
        expect(sim.calls().map((c) => c.method)).toEqual(['DELETE', 'GET']);
      });

      it('survives a lost answer to DELETE', async () => {
        await client.ensureJitUser(entry);
        sim.faults.add({ method: 'DELETE', path: '/api/security/jit-privilege-users/*', type: 'reset', after: true });
        await expect(client.removeJitUser(SVM1, 'alice')).resolves.toEqual({ alreadyGone: true });
      });

      it('leaves another grant’s entry alone when the comment differs', async () => {
        await client.ensureJitUser(entry);
        await expect(client.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: 'req-2' })).rejects.toBeInstanceOf(
          OntapJitEntryMismatchError,
        );
        expect(sim.jitEntries()).toHaveLength(1);
        await expect(client.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: 'req-1' })).resolves.toEqual({
          alreadyGone: false,
        });
        await expect(client.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: 'req-1' })).resolves.toEqual({
          alreadyGone: true,
        });
      });

      it('does not take an unknown API path for "already gone"', async () => {
        sim.faults.add({
          method: 'DELETE',
          path: '/api/security/jit-privilege-users/*',
          type: 'status',
          status: 404,
          message: 'API not found',
        });
        const err = await client.removeJitUser(SVM1, 'alice').catch((e: unknown) => e);
        expect(err).toMatchObject({ name: 'OntapApiError', status: 404 });
      });
    });

    describe('asynchronous answers (202 + job)', () => {
      it('polls the job to success and reads the entry back', async () => {
        const { client: c, sleeps, events } = clientFor(sim);
        sim.faults.add({ method: 'POST', path: '/api/security/jit-privilege-users', type: 'job', polls: 2 });
        try {
          await expect(c.ensureJitUser(entry)).resolves.toMatchObject({
            created: true,
            entry: { account: 'alice', role: 'snapmirror-operator' },
          });
          expect(sleeps).toEqual([500, 500]);
          expect(
            events.filter((e) => e.event === 'ontap.job').map((e) => (e.event === 'ontap.job' ? e.state : '')),
          ).toEqual(['running', 'running', 'success']);
        } finally {
          c.close();
        }
      });

      it('turns a failed job into OntapJobFailedError with the job’s code and message', async () => {
        sim.faults.add({
          method: 'DELETE',
          path: '/api/security/jit-privilege-users/*',
          type: 'job',
          polls: 1,
          outcome: 'failure',
          code: 5636129,
          message: 'Role with given name has not been defined.',
        });
        await client.ensureJitUser(entry);
        const err = await client.deleteJitUser(SVM1, 'alice').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OntapJobFailedError);
        expect(err).toMatchObject({ ontapCode: '5636129', jobState: 'failure', method: 'DELETE' });
        expect(String(err)).toMatch(/failed \(code 5636129\): Role with given name has not been defined\./);
      });

      it('gives up on a job that never finishes', async () => {
        sim.faults.add({ method: 'POST', path: '/api/security/jit-privilege-users', type: 'job', polls: 50 });
        const err = await client.ensureJitUser(entry).catch((e: unknown) => e);
        expect(err).toMatchObject({ name: 'OntapJobFailedError', jobState: 'running' });
      });
    });
  });

  it('works over plain HTTP too', async () => {
    const plain = await startOntapSimulator({ https: false });
    const c = clientFor(plain).client;
    try {
      await expect(c.resolveSvm('svm2')).resolves.toMatchObject({ uuid: SVM2 });
    } finally {
      c.close();
      await plain.close();
    }
  });

  it('logs in with a client certificate instead of a password', async () => {
    const certClient = clientFor(sim, { username: undefined, password: undefined, clientCert: sim.clientCert }).client;
    try {
      await expect(certClient.resolveSvm('svm1')).resolves.toMatchObject({ uuid: SVM1 });
      expect(sim.calls().at(-1)?.user).toBe('admin');
    } finally {
      certClient.close();
    }
  });
});
