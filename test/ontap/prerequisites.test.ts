import { describeRole, type JitPrerequisiteInput, type JitProblemCode, type OntapClient } from '../../lambdas/ontap';
import { type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor } from './sim-client';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const ADMIN = '2903de6f-4bd2-11e9-b238-0050568e2e25';

describe('checkJitPrerequisites', () => {
  let sim: OntapSimulator;
  let client: OntapClient;

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false });
    client = clientFor(sim).client;
  });
  afterAll(async () => {
    client.close();
    await sim.close();
  });

  const check = (over: Partial<JitPrerequisiteInput>) =>
    client.checkJitPrerequisites({
      svmName: 'svm1',
      account: 'alice',
      role: 'snapmirror-operator',
      jitValidity: 'PT4H',
      ...over,
    });

  it('passes a password user, an SVM role and a window within the limit', async () => {
    const result = await check({});
    expect(result).toMatchObject({
      ok: true,
      svm: { uuid: SVM1, name: 'svm1', scope: 'svm' },
      account: { name: 'alice' },
      role: { name: 'snapmirror-operator', builtin: false },
      jitValiditySeconds: 14_400,
      sessionValidity: 'PT1H',
      sessionValiditySeconds: 3600,
      maxJitValidity: 'P90D',
      maxJitValiditySeconds: 7_776_000,
    });
  });

  it('passes cluster-scoped users on the admin SVM, and nsswitch and domain logins', async () => {
    await expect(
      check({ svmName: 'cluster1', account: 'storage.ops', role: 'admin', jitValidity: 3600 }),
    ).resolves.toMatchObject({ ok: true, svm: { uuid: ADMIN, scope: 'cluster' } });
    await expect(check({ svmName: 'cluster1', account: 'CORP\\jdoe', role: 'admin' })).resolves.toMatchObject({
      ok: true,
    });
    await expect(
      check({ svmName: 'cluster1', account: 'ldap.ops@corp.example', role: 'admin' }),
    ).resolves.toMatchObject({ ok: true });
    await expect(check({ account: 'carol' })).resolves.toMatchObject({ ok: true });
  });

  it.each<[string, Partial<JitPrerequisiteInput>, JitProblemCode[], RegExp]>([
    ['no such SVM', { svmName: 'svm9' }, ['svm-not-found'], /There is no SVM named "svm9" on this cluster\./],
    [
      'no such user on that SVM',
      { account: 'backup-op' },
      ['account-not-found'],
      /There is no user "backup-op" on SVM "svm1"\./,
    ],
    ['no ssh login', { account: 'henry-api' }, ['no-ssh-login'], /has no SSH login/],
    [
      'publickey-only ssh',
      { account: 'dave-pk' },
      ['unsupported-login-method'],
      /logs in over SSH with publickey; JIT elevation needs a password login/,
    ],
    ['TOTP MFA', { account: 'erin-totp' }, ['mfa-enabled'], /multi-factor authentication \(totp\)/],
    ['publickey MFA', { account: 'frank-mfa' }, ['mfa-enabled'], /multi-factor authentication \(publickey\)/],
    ['locked account', { account: 'grace.locked' }, ['account-locked'], /User "grace.locked" on SVM "svm1" is locked/],
    ['role not on that SVM', { role: 'admin' }, ['role-not-found'], /Role "admin" is not defined on SVM "svm1"\./],
    [
      'window over the cluster maximum',
      { jitValidity: 'P91D' },
      ['window-too-long'],
      /requested window \(P91D\) is longer than ONTAP allows on SVM "svm1" \(P90D\)/,
    ],
    [
      'window over the SVM maximum',
      { svmName: 'svm2', account: 'alice', role: 'vsadmin', jitValidity: 'PT9H' },
      ['window-too-long'],
      /\(PT8H\)/,
    ],
    ['not a duration', { jitValidity: 'a while' }, ['invalid-duration'], /"a while" is not a duration/],
    [
      'a wildcard name',
      { account: 'al*' },
      ['invalid-name'],
      /user name "al\*" contains a character ONTAP reads as a query operator/,
    ],
  ])('reports %s', async (_label, over, codes, message) => {
    const result = await check(over);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toEqual(codes);
    expect(result.problems.map((p) => p.message).join(' ')).toMatch(message);
  });

  it('reports every problem at once', async () => {
    const result = await check({ account: 'ops-mfa', role: 'nope', jitValidity: 'P100D', svmName: 'cluster1' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toEqual(['mfa-enabled', 'role-not-found', 'window-too-long']);
    expect(result.svm).toMatchObject({ name: 'cluster1', scope: 'cluster' });
    const locked = await check({ svmName: 'cluster1', account: 'former.admin', role: 'admin' });
    expect(!locked.ok && locked.problems.map((p) => p.code)).toEqual(['account-locked']);
    const pk = await check({ svmName: 'cluster1', account: 'netops-pk', role: 'admin' });
    expect(!pk.ok && pk.problems.map((p) => p.code)).toEqual(['unsupported-login-method']);
  });

  it('throws ONTAP failures instead of reporting them, so the workflow can retry', async () => {
    sim.faults.add({ path: '/api/security/roles', type: 'status', status: 503, times: 10 });
    await expect(check({})).rejects.toMatchObject({ name: 'OntapTransientError' });
    sim.faults.clear();
  });

  it('describes roles in one line', async () => {
    const custom = await client.getRole('svm1', 'snapmirror-operator');
    const builtin = await client.getRole('svm1', 'vsadmin');
    expect(custom && describeRole(custom)).toBe(
      'snapmirror-operator (custom role on svm1): all on /api/snapmirror/relationships; readonly on /api/storage/volumes, /api/cluster/jobs, /api/svm/svms',
    );
    expect(builtin && describeRole(builtin)).toBe('vsadmin (built-in role on svm1)');
  });
});
