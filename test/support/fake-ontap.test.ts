/**
 * The scripted cluster the use-case unit tests run on answers the JIT entry calls as the real client
 * does against the ONTAP simulator: an entry made twice is made once, a different one under the same
 * key is refused, a revoke spares an entry whose comment names another grant, and a missing entry is
 * "already gone".
 */
import type { OntapClient } from '../../lambdas/ontap';
import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor } from '../ontap/sim-client';
import { FakeOntap } from './fake-ontap';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';

type EntryCalls = Pick<OntapClient, 'ensureJitUser' | 'removeJitUser' | 'getJitUser' | 'deleteJitUser'>;

/** What a cluster did with the script, in terms both share. */
async function script(ontap: EntryCalls): Promise<unknown[]> {
  const out: unknown[] = [];
  const settle = async (work: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await work();
    } catch (error) {
      return { threw: (error as Error).name };
    }
  };
  const entry = {
    ownerUuid: SVM1,
    account: 'alice',
    role: 'vsadmin',
    jitValidity: 3600,
    sessionValidity: 1800,
    startTime: '2025-03-01T12:00:00Z',
    comment: 'ontap-jit-approvals request JIT-1 for U0ALICE',
  };
  out.push(await settle(async () => (await ontap.ensureJitUser(entry)).created));
  out.push(await settle(async () => (await ontap.ensureJitUser(entry)).created));
  out.push(await settle(() => ontap.ensureJitUser({ ...entry, role: 'vsadmin-volume' })));
  out.push(await settle(() => ontap.ensureJitUser({ ...entry, comment: 'ontap-jit-approvals request JIT-2' })));
  out.push((await ontap.getJitUser(SVM1, 'alice'))?.comment);
  out.push(await settle(() => ontap.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: 'another grant' })));
  out.push((await ontap.getJitUser(SVM1, 'alice'))?.comment);
  out.push(await ontap.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: entry.comment }));
  out.push(await ontap.removeJitUser(SVM1, 'alice', 'ssh', { onlyIfComment: entry.comment }));
  out.push(await ontap.getJitUser(SVM1, 'alice'));
  return out;
}

describe('FakeOntap', () => {
  let sim: OntapSimulator;
  let client: OntapClient;
  const clock = new FakeClock('2025-03-01T11:00:00Z');

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock });
    client = clientFor(sim).client;
  });
  afterAll(async () => {
    client.close();
    await sim.close();
  });

  it('answers the JIT entry calls the use cases make as the real client does against the simulator', async () => {
    const real = await script(client);
    const fake = await script(new FakeOntap());
    expect(fake).toEqual(real);
    expect(real).toContainEqual({ threw: 'OntapJitEntryMismatchError' });
    expect(real).toContainEqual({ alreadyGone: true });
  });
});
