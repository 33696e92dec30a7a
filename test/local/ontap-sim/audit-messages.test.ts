/**
 * The simulator's administrative audit log: what a simulated SSH user's commands leave in it, the
 * query syntax a client uses to read one account's commands over a window, and the answer's shape
 * held to NetApp's OpenAPI definitions (`security_audit_log`, `security_audit_log_response`).
 */
import { FakeClock, type OntapSimulator, startOntapSimulator } from '../../../local/ontap-sim';
import { raw } from './raw-request';
import { definition, undefinedKeys } from './swagger';

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const LOG = '/api/security/audit/messages';

describe('GET /api/security/audit/messages', () => {
  let sim: OntapSimulator;
  const clock = new FakeClock('2026-03-01T12:00:00Z');
  const run = (command: string, extra: Record<string, unknown> = {}) =>
    raw(sim, 'POST', '/__sim/run-command', { body: { owner: 'svm1', account: 'alice', command, ...extra } });

  beforeAll(async () => {
    sim = await startOntapSimulator({ https: false, clock });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    sim.reset();
    clock.set('2026-03-01T12:00:00Z');
    const entry = { owner: { uuid: SVM1 }, account: { name: 'alice' }, application: 'ssh', jit_validity: 'PT2H' };
    expect((await raw(sim, 'POST', '/api/security/jit-privilege-users', { body: entry })).status).toBe(201);
  });

  it('logs elevate, the commands the elevated role allows, and reset; a changing command fails unelevated', async () => {
    expect((await run('volume delete -vserver svm1 -volume v1')).json.record).toMatchObject({ state: 'error' });
    expect((await run('security jit-privilege elevate')).json.record).toMatchObject({ state: 'success' });
    expect(sim.jitEntries()[0]?.jit_state).toBe('active');
    clock.advance(60_000);
    expect((await run('volume offline -vserver svm1 -volume v1')).json.record.state).toBe('success');
    expect((await run('volume show')).json.record).toBeNull();
    await run('security jit-privilege reset');
    expect(sim.jitEntries()[0]?.jit_state).toBe('idle');
    const all = await raw(sim, 'GET', `${LOG}?fields=*&user=alice`);
    expect(all.json.records.map((r: { input: string; state: string }) => [r.input, r.state])).toEqual([
      ['volume delete -vserver svm1 -volume v1', 'error'],
      ['security jit-privilege elevate', 'success'],
      ['volume offline -vserver svm1 -volume v1', 'success'],
      ['security jit-privilege reset', 'success'],
    ]);
    expect(new Set(all.json.records.map((r: { session_id: string }) => r.session_id)).size).toBe(1);
    // With CLI GET logging on, read-only commands are logged too.
    await raw(sim, 'POST', '/__sim/audit', { body: { cli_get: true } });
    expect((await run('volume show', { new_session: true })).json.record.input).toBe('volume show');
  });

  it('filters by user, application and a timestamp range in each of ONTAP’s forms', async () => {
    await run('security jit-privilege elevate');
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      await run(`volume modify -volume v${i} -size 1g`);
    }
    const base = `${LOG}?user=alice&application=ssh&fields=input`;
    const count = async (filter: string) => (await raw(sim, 'GET', `${base}&${filter}`)).json.num_records;
    expect(await count(`timestamp=${encodeURIComponent('>=2026-03-01T12:02:00Z')}`)).toBe(4);
    expect(await count(`timestamp=${encodeURIComponent('<=2026-03-01T13:02:00+01:00')}`)).toBe(3);
    expect(await count(`timestamp=${encodeURIComponent('2026-03-01T12:01:00Z..2026-03-01T12:03:00Z')}`)).toBe(3);
    expect(
      await count(`timestamp=${encodeURIComponent('>=2026-03-01T12:02:00Z')}&timestamp=<2026-03-01T12:04:00Z`),
    ).toBe(2);
    expect((await raw(sim, 'GET', `${base}&user=bob`)).json.num_records).toBe(0);
    expect((await raw(sim, 'GET', `${LOG}?timestamp=yesterday`)).json.error).toMatchObject({ code: '2' });
  });

  it('pages with max_records and _links.next, keeping the time filter', async () => {
    await run('security jit-privilege elevate');
    for (let i = 0; i < 7; i++) await run(`volume modify -volume v${i} -size 1g`);
    clock.advance(3_600_000);
    await run('volume modify -volume late -size 1g');
    const seen: string[] = [];
    let next: string | undefined = `${LOG}?user=alice&fields=input&max_records=3&timestamp=${encodeURIComponent(
      '<2026-03-01T12:30:00Z',
    )}`;
    while (next) {
      const page = await raw(sim, 'GET', next);
      expect(page.status).toBe(200);
      seen.push(...page.json.records.map((r: { input: string }) => r.input));
      next = page.json._links.next?.href;
    }
    expect(seen).toHaveLength(8);
    expect(seen).not.toContain('volume modify -volume late -size 1g');
  });

  it('answers with keys and enum values NetApp’s OpenAPI file defines', async () => {
    await run('security jit-privilege elevate');
    await run('snapmirror delete -destination-path svm1:v1', { state: 'error', message: 'no such relationship' });
    const all = await raw(sim, 'GET', `${LOG}?fields=*`);
    expect(undefinedKeys(all.json, definition('security_audit_log_response'))).toEqual([]);
    const log = definition('security_audit_log');
    for (const r of all.json.records) {
      expect(log.properties?.application?.enum).toContain(r.application);
      expect(log.properties?.state?.enum).toContain(r.state);
      expect(log.properties?.scope?.enum).toContain(r.scope);
    }
    const keysOnly = await raw(sim, 'GET', LOG);
    expect(Object.keys(keysOnly.json.records[0]).sort()).toEqual(['index', 'node', 'timestamp']);
    expect((await raw(sim, 'GET', `${LOG}?fields=nope`)).json.error).toMatchObject({ code: '2' });
  });

  it('can be made unreadable (403, code 6) apart from the JIT endpoints, and readable again', async () => {
    await raw(sim, 'POST', '/__sim/audit', { body: { readable: false } });
    const refused = await raw(sim, 'GET', LOG);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('6');
    expect(undefinedKeys(refused.json, definition('error_response'))).toEqual([]);
    expect((await raw(sim, 'GET', '/api/security/jit-privilege-users')).status).toBe(200);
    await raw(sim, 'POST', '/__sim/audit', { body: { readable: true } });
    expect((await raw(sim, 'GET', LOG)).status).toBe(200);
  });

  it('refuses a command for an account the SVM does not have, and a malformed body', async () => {
    expect(
      (await raw(sim, 'POST', '/__sim/run-command', { body: { owner: 'svm1', account: 'nobody', command: 'x' } }))
        .status,
    ).toBe(404);
    expect((await raw(sim, 'POST', '/__sim/run-command', { body: { owner: 'svm1' } })).status).toBe(400);
    expect((await raw(sim, 'GET', LOG)).json.num_records).toBe(0);
  });
});
