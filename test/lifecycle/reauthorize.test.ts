import { reauthorize } from '../../lambdas/lifecycle/reauthorize';
import { SlackCallError, SlackLookupError, SlackTransientError } from '../../lambdas/slack/errors';
import { fakePorts } from '../support/fakes';
import { at, requestIn } from '../support/requests';

function approved() {
  const f = fakePorts();
  const request = requestIn('APPROVED');
  f.store.put(request);
  return { ...f, request };
}

describe('reauthorize', () => {
  it('passes a requester who still qualifies, asking Slack afresh and writing nothing', async () => {
    const { ports, store, directory, notifier, logger, request } = approved();
    await expect(reauthorize(ports, request, logger)).resolves.toEqual({ ok: true });
    await expect(reauthorize(ports, request, logger)).resolves.toEqual({ ok: true });
    expect(directory.lookups).toBe(2);
    expect(store.writes).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it.each([
    ['left Slack', { ontapAccount: 'alice', status: 'deactivated' as const }, 'no longer an active Slack user'],
    ['maps to another ONTAP account', { ontapAccount: 'alice2' }, 'now maps to ONTAP account "alice2"'],
    ['maps to no ONTAP account', {}, 'no longer maps to an ONTAP account'],
  ])('closes the request of a requester who %s, with the reason, and tells both sides', async (_what, now, reason) => {
    const { ports, store, directory, notifier, logger, request } = approved();
    directory.people.set('U0ALICE', now);
    const result = await reauthorize(ports, request, logger);
    expect(result.ok).toBe(false);
    const closed = await store.get(request.id);
    expect(closed).toMatchObject({ status: 'FAILED', stage: 'authorization', reason: expect.stringContaining(reason) });
    expect(notifier.shown('approval')).toEqual([]);
    expect(notifier.shown('requester')).toEqual(['FAILED']);
    expect((await store.get(request.id)).told).toContain('failed');
  });

  it('closes the request when its policy is gone', async () => {
    const f = fakePorts();
    const request = requestIn('APPROVED');
    f.store.put({ ...request, policy: 'gone' });
    const result = await reauthorize(f.ports, { ...request, policy: 'gone' }, f.logger);
    expect(result.ok).toBe(false);
    expect(await f.store.get(request.id)).toMatchObject({ reason: 'Policy "gone" is no longer configured.' });
  });

  it('leaves a cancel that landed first standing, and grants nothing either', async () => {
    const { ports, store, directory, notifier, logger, request } = approved();
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    store.interleave(() => store.force(request.id, { type: 'CANCEL', by: 'U0BOB', at: at(2), reason: 'not needed' }));
    const result = await reauthorize(ports, request, logger);
    expect(result).toMatchObject({ ok: false, request: { status: 'CANCELLED' } });
    expect(notifier.sent).toEqual([]);
  });

  it('never decides on a guess: a Slack outage is retried, a refusal is an error, and nothing is written', async () => {
    const { ports, store, directory, logger, request } = approved();
    const outage = Object.assign(new Error('socket hang up'), { code: 'slack_webapi_request_error' });
    directory.faults.add('lookup', { error: new SlackLookupError('users.info', { cause: outage }) });
    await expect(reauthorize(ports, request, logger)).rejects.toThrow(SlackTransientError);
    const refused = Object.assign(new Error('missing_scope'), {
      code: 'slack_webapi_platform_error',
      data: { error: 'missing_scope' },
    });
    directory.faults.add('lookup', { error: new SlackLookupError('users.info', { cause: refused }) });
    await expect(reauthorize(ports, request, logger)).rejects.toThrow(SlackCallError);
    expect(store.writes).toBe(0);
  });

  it('does not hold up closing the request when Slack cannot be told: the messages are flagged for repair', async () => {
    const { ports, store, directory, notifier, logger, request } = approved();
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    notifier.faults.add('requester', { error: new Error('slack down') });
    expect((await reauthorize(ports, request, logger)).ok).toBe(false);
    const stored = await store.getStored(request.id);
    expect(stored.request.status).toBe('FAILED');
    expect(stored.notifyRepair).toBe(true);
  });
});
