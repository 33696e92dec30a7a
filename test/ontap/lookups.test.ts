import { OntapInvalidInputError, OntapResponseFormatError } from '../../lambdas/ontap/errors';
import { getAccount, getRole } from '../../lambdas/ontap/lookups';
import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { sessionFor, type TestSession } from './sim-client';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';

/** A collection answer listing `record` twice, as no ONTAP should. */
const twice = (record: Record<string, unknown>): string =>
  JSON.stringify({ records: [record, record], num_records: 2 });

describe('lookups by name on an SVM, against the simulator', () => {
  let sim: OntapSimulator;
  let test: TestSession;

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock: new FakeClock('2025-03-01T12:00:00Z') });
    test = sessionFor(sim);
  });
  afterAll(async () => {
    test.session.close();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  it.each([
    ['account', () => getAccount(test.session, 'svm1', 'alice'), '/api/security/accounts'],
    ['role', () => getRole(test.session, 'svm1', 'snapmirror-operator'), '/api/security/roles'],
  ])('refuses an answer that lists one %s twice, naming what ONTAP said', async (kind, lookup, path) => {
    const name = kind === 'account' ? 'alice' : 'snapmirror-operator';
    sim.faults.add({ path, type: 'raw', status: 200, body: twice({ name, owner: { uuid: SVM1, name: 'svm1' } }) });
    const error = await lookup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OntapResponseFormatError);
    expect(error).toMatchObject({
      message: `ONTAP listed 2 ${kind}s named "${name}" on svm1`,
      method: 'GET',
      path,
    });
  });

  it.each([
    ['name of an account', () => getAccount(test.session, 'svm1', 'ali*'), 'account name'],
    ['name of a role', () => getRole(test.session, 'svm1', 'snap*'), 'role name'],
    ['SVM name of an account', () => getAccount(test.session, 'svm*', 'alice'), 'SVM name'],
    ['SVM name of a role', () => getRole(test.session, 'svm|x', 'snapmirror-operator'), 'SVM name'],
  ])('refuses a wildcard in the %s before asking ONTAP', async (_what, lookup, target) => {
    await expect(lookup()).rejects.toMatchObject({ constructor: OntapInvalidInputError, target });
    expect(sim.calls()).toEqual([]);
  });

  it('answers null for a name another SVM owns', async () => {
    await expect(getRole(test.session, 'svm2', 'snapmirror-operator')).resolves.toBeNull();
    await expect(getAccount(test.session, 'svm2', 'frank-mfa')).resolves.toBeNull();
  });
});
