import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const USERS = '/api/security/jit-privilege-users';
const grant = { owner: { uuid: SVM1 }, account: { name: 'alice' }, application: 'ssh', role: { name: 'vsadmin' } };

describe('ONTAP simulator: fault injection', () => {
  let sim: OntapSimulator;

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false, clock: new FakeClock('2025-03-01T12:00:00Z') });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('fails the next N matching calls with the given status, then answers normally', async () => {
    sim.faults.add({ method: 'POST', path: USERS, type: 'status', status: 503, times: 2 });
    expect((await raw(sim, 'GET', USERS)).status).toBe(200);
    const first = await raw(sim, 'POST', USERS, { body: grant });
    expect(first.status).toBe(503);
    expect(first.json.error.message).toBe('Injected failure.');
    expect((await raw(sim, 'POST', USERS, { body: grant })).status).toBe(503);
    expect((await raw(sim, 'POST', USERS, { body: grant })).status).toBe(201);
    expect(sim.jitEntries()).toHaveLength(1);
    expect(sim.calls().map((c) => c.fault ?? null)).toEqual([null, 'status', 'status', null]);
  });

  it('sends Retry-After with a 429 and custom ONTAP error bodies', async () => {
    sim.faults.add({ path: '/api/svm/*', type: 'status', status: 429, retryAfterSeconds: 3 });
    const res = await raw(sim, 'GET', '/api/svm/svms');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    sim.faults.add({
      path: USERS,
      type: 'status',
      status: 409,
      code: '8',
      message: 'The configuration is temporarily locked.',
    });
    expect((await raw(sim, 'POST', USERS, { body: grant })).json.error).toEqual({
      code: '8',
      message: 'The configuration is temporarily locked.',
    });
  });

  it('answers raw bodies, e.g. malformed JSON', async () => {
    sim.faults.add({ path: '/api/svm/svms', type: 'raw', status: 200, body: '{"records": [' });
    const res = await raw(sim, 'GET', '/api/svm/svms');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"records": [');
  });

  it('resets the connection before or after doing the work', async () => {
    sim.faults.add({ method: 'POST', path: USERS, type: 'reset' });
    await expect(raw(sim, 'POST', USERS, { body: grant })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sim.jitEntries()).toHaveLength(0);
    sim.faults.add({ method: 'POST', path: USERS, type: 'reset', after: true });
    await expect(raw(sim, 'POST', USERS, { body: grant })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sim.jitEntries()).toHaveLength(1);
  });

  it('hangs a call until the caller gives up', async () => {
    sim.faults.add({ path: '/api/svm/svms', type: 'hang' });
    await expect(raw(sim, 'GET', '/api/svm/svms', { timeoutMs: 100 })).rejects.toThrow(/timed out/);
    const call = sim.calls().at(-1);
    expect(call?.fault).toBe('hang');
    expect(call?.status).toBeUndefined();
  });

  it('adds latency and then answers normally', async () => {
    sim.faults.add({ path: '/api/svm/svms', type: 'latency', ms: 20 });
    expect((await raw(sim, 'GET', '/api/svm/svms')).status).toBe(200);
  });

  it('answers 202 with a job that runs for a few polls and succeeds, having done the work', async () => {
    sim.faults.add({ method: 'POST', path: USERS, type: 'job', polls: 2 });
    const res = await raw(sim, 'POST', USERS, { body: grant });
    expect(res.status).toBe(202);
    const href: string = res.json.job._links.self.href;
    expect(href).toBe(`/api/cluster/jobs/${res.json.job.uuid}`);
    expect(sim.jitEntries()).toHaveLength(1);
    const states: string[] = [];
    for (let i = 0; i < 3; i++) states.push((await raw(sim, 'GET', href)).json.state);
    expect(states).toEqual(['running', 'running', 'success']);
    const done = await raw(sim, 'GET', href);
    expect(done.json).toMatchObject({
      state: 'success',
      code: 0,
      description: 'POST /api/security/jit-privilege-users',
    });
    expect(done.json.end_time).toBe('2025-03-01T12:00:00+00:00');
  });

  it('fails a job with the ONTAP error the work raised, or with a forced failure', async () => {
    await raw(sim, 'POST', USERS, { body: grant });
    sim.faults.add({ method: 'POST', path: USERS, type: 'job', polls: 0 });
    const dup = await raw(sim, 'POST', USERS, { body: grant });
    expect((await raw(sim, 'GET', dup.json.job._links.self.href)).json).toMatchObject({
      state: 'failure',
      code: 1,
      message: 'duplicate entry',
    });
    sim.faults.add({
      method: 'DELETE',
      path: `${USERS}/*`,
      type: 'job',
      polls: 0,
      outcome: 'failure',
      code: 5636129,
      message: 'nope',
    });
    const del = await raw(sim, 'DELETE', `${USERS}/${SVM1}/alice/ssh`);
    expect((await raw(sim, 'GET', del.json.job._links.self.href)).json).toMatchObject({
      state: 'failure',
      code: 5636129,
      message: 'nope',
    });
    expect(sim.jitEntries()).toHaveLength(1);
    expect((await raw(sim, 'GET', '/api/cluster/jobs/does-not-exist')).json.error.code).toBe('4');
  });

  it('refuses malformed fault specs', () => {
    expect(() => sim.faults.add({ path: '/x', type: 'status', status: 200 })).toThrow();
    expect(sim.faults.list()).toHaveLength(0);
  });
});
