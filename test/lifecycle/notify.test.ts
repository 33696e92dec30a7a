import { owedNotices } from '../../lambdas/domain/milestones';
import type { AccessRequest } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { announce, postApprovalMessage, repairMessages } from '../../lambdas/lifecycle/notify';
import { fakePorts, levelOf } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

const APPROVAL = { channel: 'C0APPROVALS', ts: '1600000000.000100' };

/** A grant just recorded, with an approval message and a requester card, nothing told yet. */
function grantedNow(): AccessRequest {
  const active = transition(requestIn('APPROVED'), {
    type: 'GRANTED',
    at: at(2),
    window: { start: at(2), end: at(62) },
  });
  return { ...active.next, slack: { approval: APPROVAL, requester: { channel: 'DU0ALICE', ts: '1600000000.000200' } } };
}

function stored(request: AccessRequest = pendingRequest()) {
  const f = fakePorts();
  f.store.put(request);
  return { ...f, request };
}

describe('announce', () => {
  it('updates the approval message in place, posts the DM once and keeps where it went', async () => {
    const base = requestIn('APPROVED');
    const { ports, store, notifier, logger, request } = stored({ ...base, slack: { approval: APPROVAL } });
    const told = await announce(ports, request, { approval: true, requester: true, thread: {} }, logger);
    // Approved to start now: the grant tells that milestone, once the access is there.
    expect(notifier.sent.map((n) => n.kind)).toEqual(['approval', 'requester']);
    expect(told.slack.requester).toBeDefined();
    expect((await store.get(request.id)).slack).toEqual({ approval: APPROVAL, requester: told.slack.requester });
    expect((await store.getStored(request.id)).notifyRepair).toBeUndefined();
  });

  it('does not post an approval message that was never posted (only the approval wait does)', async () => {
    const { ports, notifier, logger, request } = stored();
    await announce(ports, request, { approval: true }, logger);
    expect(notifier.sent).toEqual([]);
  });

  it('keeps the DM reference even when the request moved on meanwhile', async () => {
    const { ports, store, logger, request } = stored();
    store.interleave(() => store.force(request.id, { type: 'CANCEL', by: 'U0ALICE', at: at(1) }));
    await announce(ports, request, { requester: true }, logger);
    const now = await store.get(request.id);
    expect(now.status).toBe('CANCELLED');
    expect(now.slack.requester).toBeDefined();
  });

  it.each(['approval', 'requester'] as const)(
    'never fails on a lost %s update, and flags the request so the reconciler repairs it',
    async (kind) => {
      const base = requestIn('APPROVED');
      const { ports, store, notifier, logger, request } = stored({ ...base, slack: { approval: APPROVAL } });
      notifier.faults.add(kind, { error: new Error('slack down') });
      await expect(announce(ports, request, { approval: true, requester: true }, logger)).resolves.toBeDefined();
      expect((await store.getStored(request.id)).notifyRepair).toBe(true);
      expect(logger.lines.some((l) => levelOf(l) === 'warn')).toBe(true);
    },
  );

  it('leaves a lost thread reply owed, not flagged: the cards themselves are up to date', async () => {
    const { ports, store, notifier, logger, request } = stored(grantedNow());
    notifier.faults.add('thread', { error: new Error('slack down') });
    await announce(ports, request, { approval: true, requester: true }, logger);
    const after = await store.getStored(request.id);
    expect(after.notifyRepair).toBeUndefined();
    expect(after.request.told).toEqual(['granted']);
    expect(owedNotices(after.request, at(3)).map((n) => n.key)).toEqual(['thread:granted']);
  });

  it('still tells the rest when the store cannot flag the repair', async () => {
    const f = fakePorts();
    // Not in the store at all: the flag write fails, and the announcement goes on.
    f.notifier.faults.add('requester', { error: new Error('slack down') });
    const live = grantedNow();
    await expect(announce(f.ports, live, { requester: true, thread: {} }, f.logger)).resolves.toBe(live);
    expect(f.notifier.milestones()).toEqual(['granted']);
    expect(f.notifier.shown('thread')).toEqual(['ACTIVE']);
  });
});

describe('repairMessages', () => {
  it('brings both messages up to date and clears the flag', async () => {
    const base = requestIn('DENIED');
    const { ports, store, notifier, logger, request } = stored({ ...base, slack: { approval: APPROVAL } });
    await store.flagNotify(request.id);
    await expect(repairMessages(ports, request, logger)).resolves.toBe(true);
    expect(notifier.shown('approval')).toEqual(['DENIED']);
    expect(notifier.shown('requester')).toEqual(['DENIED']);
    const after = await store.getStored(request.id);
    expect(after.notifyRepair).toBe(false);
    expect(after.request.slack.requester).toBeDefined();
  });

  it('keeps the flag when Slack fails again, so the next pass tries again', async () => {
    const { ports, store, notifier, logger, request } = stored();
    await store.flagNotify(request.id);
    notifier.faults.add('requester', { error: new Error('slack down') });
    await expect(repairMessages(ports, request, logger)).rejects.toThrow('slack down');
    expect((await store.getStored(request.id)).notifyRepair).toBe(true);
  });
});

describe('postApprovalMessage', () => {
  it('keeps where the message went, and throws when Slack refuses (nobody could approve)', async () => {
    const { ports, store, notifier, request } = stored();
    const posted = await postApprovalMessage(ports, request);
    expect(posted.slack.approval).toEqual((await store.get(request.id)).slack.approval);
    notifier.faults.add('approval', { error: new Error('channel_not_found') });
    await expect(postApprovalMessage(ports, posted)).rejects.toThrow('channel_not_found');
  });
});
