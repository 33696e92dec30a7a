import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';

describe('ONTAP simulator: JIT entries made behind the product’s back, and jit_state', () => {
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

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const entry = { owner: { uuid: SVM1 }, account: { name: 'bob' }, application: 'ssh', role: { name: 'vsadmin' } };

  it('makes an entry with the checks the REST POST applies, listed by the collection GET like any other', async () => {
    const made = await admin('/__sim/jit-users', { ...entry, jit_validity: 'PT2H', comment: 'by hand' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ account: { name: 'bob' }, jit_state: 'idle', comment: 'by hand' });
    const listed = await raw(sim, 'GET', '/api/security/jit-privilege-users?fields=jit_state,comment&max_records=1');
    expect(listed.json).toMatchObject({ num_records: 1, records: [{ account: { name: 'bob' }, comment: 'by hand' }] });
    // The same refusals: a second entry for the key, an unknown account, a read-only field.
    expect((await admin('/__sim/jit-users', entry)).json).toMatchObject({ error: { code: '1' } });
    expect((await admin('/__sim/jit-users', { ...entry, account: { name: 'nobody' } })).json).toMatchObject({
      error: { code: '1261218' },
    });
    expect(
      (await admin('/__sim/jit-users', { ...entry, account: { name: 'carol' }, jit_state: 'active' })).status,
    ).toBe(400);
    // Not on the product's API user's calls: it is the cluster's own doing.
    expect(sim.calls().filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('reads preactive before the start, active while elevated, idle after a reset', async () => {
    await admin('/__sim/jit-users', { ...entry, jit_validity: 'PT2H', start_time: '2025-03-01T13:00:00+00:00' });
    const state = async () =>
      (await raw(sim, 'GET', `/api/security/jit-privilege-users/${SVM1}/bob/ssh?fields=jit_state`)).json.jit_state;
    expect(await state()).toBe('preactive');
    // Elevation is refused before the window opens.
    expect((await admin('/__sim/elevate', { owner_uuid: SVM1, account: 'bob' })).status).toBe(400);
    clock.advance(3_600_000);
    expect(await state()).toBe('idle');
    expect((await admin('/__sim/elevate', { owner_uuid: SVM1, account: 'bob' })).status).toBe(200);
    expect(await state()).toBe('active');
    expect((await admin('/__sim/session-reset', { owner_uuid: SVM1, account: 'bob' })).status).toBe(200);
    expect(await state()).toBe('idle');
  });
});
