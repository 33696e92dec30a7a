import { type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';
import { definition, undefinedKeys } from './swagger';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const ADMIN = '2903de6f-4bd2-11e9-b238-0050568e2e25';

// swagger.ts fails this file when the OpenAPI file beside the repository (../shared) is missing.
describe('ONTAP simulator answers match NetApp’s OpenAPI definitions', () => {
  let sim: OntapSimulator;

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false });
  });
  afterAll(() => sim.close());

  it('reads the definitions it compares against', () => {
    expect(Object.keys(definition('account').properties ?? {})).toEqual(
      expect.arrayContaining(['applications', 'locked', 'owner', 'role', 'scope']),
    );
    expect(definition('account_application').properties?.second_authentication_method?.enum).toContain('publickey');
  });

  it('uses only defined keys in account collections and records', async () => {
    const all = await raw(sim, 'GET', '/api/security/accounts?fields=*');
    expect(all.json.num_records).toBeGreaterThan(10);
    expect(undefinedKeys(all.json, definition('account_response'))).toEqual([]);
    const one = await raw(sim, 'GET', `/api/security/accounts/${SVM1}/vsadmin`);
    expect(undefinedKeys(one.json, definition('account'))).toEqual([]);
  });

  it('uses only defined keys and enum values for roles', async () => {
    const all = await raw(sim, 'GET', '/api/security/roles?fields=*');
    expect(undefinedKeys(all.json, definition('role_response'))).toEqual([]);
    const access = definition('role_privilege_level').enum ?? [];
    const scopes = definition('role').properties?.scope?.enum ?? [];
    for (const r of all.json.records) {
      expect(scopes).toContain(r.scope);
      for (const p of r.privileges) expect(access).toContain(p.access);
    }
  });

  it('uses only defined keys and enum values for SVMs', async () => {
    const all = await raw(sim, 'GET', '/api/svm/svms?fields=*');
    expect(undefinedKeys(all.json, definition('svm_response'))).toEqual([]);
    const svm = definition('svm');
    for (const r of all.json.records) {
      expect(svm.properties?.state?.enum).toContain(r.state);
      expect(svm.properties?.subtype?.enum).toContain(r.subtype);
    }
  });

  it('answers errors in the error_response shape', async () => {
    const notFound = await raw(sim, 'GET', `/api/security/roles/${ADMIN}/nope`);
    expect(undefinedKeys(notFound.json, definition('error_response'))).toEqual([]);
    const invalid = await raw(sim, 'GET', '/api/svm/svms?bogus=1');
    expect(undefinedKeys(invalid.json, definition('error_response'))).toEqual([]);
    expect(typeof invalid.json.error.code).toBe('string');
  });

  it('answers 202 and jobs in the job_link_response and job shapes', async () => {
    sim.faults.add({ method: 'POST', path: '/api/security/jit-privilege-users', type: 'job', polls: 0 });
    const accepted = await raw(sim, 'POST', '/api/security/jit-privilege-users', {
      body: { owner: { uuid: SVM1 }, account: { name: 'alice' }, application: 'ssh' },
    });
    expect(accepted.status).toBe(202);
    expect(undefinedKeys(accepted.json, definition('job_link_response'))).toEqual([]);
    const job = await raw(sim, 'GET', accepted.json.job._links.self.href);
    expect(undefinedKeys(job.json, definition('job'))).toEqual([]);
    expect(definition('job').properties?.state?.enum).toContain(job.json.state);
  });

  it('notes where the example cluster goes beyond the 9.8 enums (TOTP came in 9.13.1)', async () => {
    const methods = definition('account_application').properties?.second_authentication_method?.enum ?? [];
    const all = await raw(sim, 'GET', '/api/security/accounts?fields=applications');
    const used = new Set<string>(
      all.json.records.flatMap((r: { applications: { second_authentication_method?: string }[] }) =>
        r.applications.map((a) => a.second_authentication_method ?? 'none'),
      ),
    );
    expect([...used].filter((m) => !methods.includes(m))).toEqual(['totp']);
  });
});
