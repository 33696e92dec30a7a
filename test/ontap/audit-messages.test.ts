/**
 * The client of the administrative audit log against the simulator: one account's SSH commands over
 * a window, every page read, the fields asked for, a cap on what is read, and answers that do not
 * match the schema or a log that cannot be read turned into the client's typed errors.
 */
import { OntapPermissionError, OntapResponseFormatError } from '../../lambdas/ontap';
import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor } from './sim-client';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';

describe('OntapClient.auditMessages', () => {
  let sim: OntapSimulator;
  const clock = new FakeClock('2026-03-01T12:00:00Z');

  async function run(account: string, command: string): Promise<void> {
    const res = await fetch(`${sim.url}/__sim/run-command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ owner: 'svm1', account, command }),
    });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false, clock });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    sim.reset();
    clock.set('2026-03-01T12:00:00Z');
    for (const account of ['alice', 'bob'])
      sim.state.createJitUser({ owner: { uuid: SVM1 }, account: { name: account }, application: 'ssh' });
  });

  it('reads one account’s commands in the window, every page, oldest first, with the fields asked for', async () => {
    await run('alice', 'volume modify -volume early -size 1g');
    clock.advance(60_000);
    await run('alice', 'security jit-privilege elevate');
    await run('bob', 'security jit-privilege elevate');
    for (let i = 0; i < 7; i++) await run('alice', `volume modify -volume v${i} -size 1g`);
    clock.advance(3_600_000);
    await run('alice', 'volume delete -volume late');
    const { client } = clientFor(sim);
    const read = await client.auditMessages({
      account: 'alice',
      from: '2026-03-01T12:01:00Z',
      to: '2026-03-01T12:30:00Z',
      pageSize: 3,
    });
    expect(read.truncated).toBe(false);
    expect(read.messages.map((m) => m.input)).toEqual([
      'security jit-privilege elevate',
      ...Array.from({ length: 7 }, (_, i) => `volume modify -volume v${i} -size 1g`),
    ]);
    expect(read.messages[0]).toMatchObject({
      at: '2026-03-01T12:01:00Z',
      user: 'alice',
      state: 'success',
      svm: 'svm1',
    });
    expect(read.messages[0]?.sessionId).toEqual(expect.any(String));
    const gets = sim.calls().filter((c) => c.path === '/api/security/audit/messages');
    expect(gets).toHaveLength(3);
    expect(gets[0]?.query).toMatchObject({
      user: 'alice',
      application: 'ssh',
      timestamp: '2026-03-01T12:01:00+00:00..2026-03-01T12:30:00+00:00',
      max_records: '3',
    });
    expect(String(gets[0]?.query?.fields).split(',')).toEqual(
      expect.arrayContaining(['timestamp', 'input', 'state', 'session_id', 'command_id', 'user']),
    );
  });

  it('stops at its limit and says the log held more', async () => {
    for (let i = 0; i < 12; i++) await run('alice', `volume modify -volume v${i} -size 1g`);
    const { client } = clientFor(sim);
    const q = { account: 'alice', from: '2026-03-01T11:00:00Z', to: '2026-03-01T13:00:00Z', pageSize: 4, limit: 8 };
    const read = await client.auditMessages(q);
    expect(read.messages).toHaveLength(8);
    expect(read.truncated).toBe(true);
  });

  it('throws OntapPermissionError when the account may not read the log, and refuses malformed records', async () => {
    const { client } = clientFor(sim);
    const q = { account: 'alice', from: '2026-03-01T11:00:00Z', to: '2026-03-01T13:00:00Z' };
    sim.faults.add({ path: '/api/security/audit/messages', type: 'status', status: 403, code: '6' });
    await expect(client.auditMessages(q)).rejects.toBeInstanceOf(OntapPermissionError);
    sim.faults.add({
      path: '/api/security/audit/messages',
      type: 'raw',
      status: 200,
      body: JSON.stringify({ records: [{ timestamp: 'yesterday', input: 'x' }], num_records: 1 }),
    });
    await expect(client.auditMessages(q)).rejects.toBeInstanceOf(OntapResponseFormatError);
  });

  it('refuses an account name ONTAP would read as a query before calling', async () => {
    const { client } = clientFor(sim);
    await expect(
      client.auditMessages({ account: 'a*', from: '2026-03-01T11:00:00Z', to: '2026-03-01T13:00:00Z' }),
    ).rejects.toThrow(/query operator/);
    expect(sim.calls()).toHaveLength(0);
  });
});
