/**
 * The extension use cases over fakes: the requester's ask (extend.ts) and the workflow's applying
 * it (apply-extension.ts, through Revoke): one outcome each, nothing half-made.
 */

import { statusAttention } from '../../lambdas/domain/attention';
import type { AccessRequest } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { settleExtension } from '../../lambdas/lifecycle/apply-extension';
import { awaitEnd } from '../../lambdas/lifecycle/await-end';
import { GrantNotOverError } from '../../lambdas/lifecycle/errors';
import { requestExtension } from '../../lambdas/lifecycle/extend';
import { entryComment } from '../../lambdas/lifecycle/grant';
import { repairItem } from '../../lambdas/lifecycle/repair';
import { ENDS_CHANGED, revokeAccess } from '../../lambdas/lifecycle/revoke';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { milestoneDm } from '../../lambdas/slack/blocks/milestone-messages';
import { policyWith } from '../support/configs';
import { type FakeNotifier, type fakePorts, liveGrant } from '../support/fakes';
import { at } from '../support/requests';

type Live = Extract<AccessRequest, { status: 'ACTIVE' }>;

const config = policyWith('svm1-operators', { extension: { by: '2h', times: 1, approval: 'none' } });

/** A live grant (minute 2 to 62) whose requester asked for `seconds` more, approved (none needed). */
function withApprovedAsk(seconds = 1800) {
  const f = liveGrant();
  const asked = transition(f.request, {
    type: 'EXTEND_REQUESTED',
    by: 'U0ALICE',
    at: at(10),
    seconds,
    reason: 'late',
    approvalsRequired: 0,
  }).next as Live;
  f.store.put(asked);
  f.clock.set(at(11));
  // No elevated session on (the fake's entries are `active` unless told).
  const comment = entryComment(f.request);
  f.ontap.putEntry({ ownerUuid: f.key.svmUuid, account: f.key.account, comment, jitState: 'idle' });
  return { ...f, asked };
}

const ingress = (f: ReturnType<typeof fakePorts>) => ({
  config,
  store: f.ports.store,
  workflow: f.ports.workflow,
  notifier: f.notifier as unknown as FakeNotifier & { notice: FakeNotifier['post']; update: () => Promise<void> },
  directory: f.directory,
  clock: f.clock,
});

describe('requestExtension', () => {
  it('records one ask, approved at once when none is needed, and wakes the end wait after the answer', async () => {
    const f = liveGrant();
    f.clock.set(at(10));
    const ports = { ...ingress(f), notifier: { ...f.notifier, notice: f.notifier.post.bind(f.notifier) } };
    f.workflow.waiting.add('end-token');
    await f.store.update(f.request.id, ['ACTIVE'], (s) => ({ ...s, tokens: { ...s.tokens, end: 'end-token' } }));
    const input = { requestId: f.request.id, userId: 'U0ALICE', seconds: 3600, reason: 'late' };
    const result = await requestExtension(ports as never, input, f.logger as never);
    if (!result.ok) throw new Error(result.answer.plain);
    // Nothing is signalled before the answer.
    expect(f.workflow.signals).toEqual([]);
    await result.follow();
    expect(f.workflow.signals).toEqual([expect.objectContaining({ kind: 'endsChanged', taken: true })]);
    const again = await requestExtension(ports as never, input, f.logger as never);
    expect(again.ok).toBe(true);
    const other = await requestExtension(ports as never, { ...input, seconds: 1800 }, f.logger as never);
    expect(other.ok).toBe(false);
    const stored = (await f.store.get(f.request.id)) as Live;
    expect(stored.extension).toMatchObject({ seconds: 3600, approvedAt: at(10), end: at(122) });
  });

  it('refuses anyone but the requester, and more than the policy allows, changing nothing', async () => {
    const f = liveGrant();
    f.clock.set(at(10));
    const ports = ingress(f);
    const bob = await requestExtension(
      ports as never,
      { requestId: f.request.id, userId: 'U0BOB', seconds: 900, reason: 'x' },
      f.logger as never,
    );
    expect(bob.ok || bob.answer.plain).toContain('Only the requester');
    const much = await requestExtension(
      ports as never,
      { requestId: f.request.id, userId: 'U0ALICE', seconds: 3 * 3600, reason: 'x' },
      f.logger as never,
    );
    expect(much.ok || much.answer.plain).toContain('At most 2 hours');
    expect(((await f.store.get(f.request.id)) as Live).extension).toBeUndefined();
  });
});

describe('settleExtension (in Revoke)', () => {
  it('replaces the entry for exactly [original start, new end] and records the old and the new', async () => {
    const f = withApprovedAsk();
    const woken = revokeAccess(f.ports, { requestId: f.request.id, wait: { reason: ENDS_CHANGED } }, f.logger);
    await expect(woken).rejects.toThrow(GrantNotOverError);
    expect(f.ontap.count('removeJitUser')).toBe(1);
    expect(f.ontap.calls.find((c) => c.call === 'ensureJitUser')?.args[0]).toMatchObject({
      startTime: at(2),
      jitValidity: 90 * 60,
    });
    const now = (await f.store.get(f.request.id)) as Live;
    expect(now.window).toEqual({ start: at(2), end: at(92) });
    expect(f.store.heldLocks()).toEqual([expect.objectContaining({ requestId: f.request.id, until: at(92) })]);
  });

  it('an elevated session too close to the end is not waited for: replaced anyway, requester told', async () => {
    const f = withApprovedAsk();
    f.ontap.putEntry({ ownerUuid: f.key.svmUuid, account: f.key.account, comment: entryComment(f.request) });
    // Less than a minute before the end: no time to wait for the session.
    f.clock.set(at(61));
    expect(await settleExtension(f.ports, f.asked, f.logger)).toBe('wait');
    expect(f.ontap.count('getJitUser')).toBe(1);
    expect(((await f.store.get(f.request.id)) as Live).extensions?.[0]?.replaced).toBe('active');
    expect(f.notifier.sent.find((n) => n.kind === 'post')?.text).toContain('is extended');
  });

  it('over the cluster maximum: dropped, nothing touched, the wait goes on', async () => {
    const f = withApprovedAsk();
    f.ontap.maxJitValiditySeconds = 3600;
    expect(await settleExtension(f.ports, f.asked, f.logger)).toBe('wait');
    expect(f.ontap.count('removeJitUser')).toBe(0);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    const now = (await f.store.get(f.request.id)) as Live;
    expect(now).toMatchObject({ window: f.asked.window });
    expect(now.extension).toBeUndefined();
    expect(f.notifier.sent.find((n) => n.kind === 'post')?.text).toContain('not applied');
  });

  it('the new entry failing after the old was deleted ends the grant, recorded and told', async () => {
    const f = withApprovedAsk();
    f.ontap.fail('ensureJitUser', { error: new OntapTransientError('down', 'timeout', { method: 'POST', path: '/' }) });
    const out = await revokeAccess(f.ports, { requestId: f.request.id, wait: { reason: ENDS_CHANGED } }, f.logger);
    expect(out.status).toBe('EXPIRED');
    expect(f.ontap.entries.size).toBe(0);
    const audit = (await f.store.getStored(f.request.id)).history.map((e) => e.type);
    expect(audit.slice(-2)).toEqual(['EXTEND_DROPPED', 'REVOKED']);
    expect(f.notifier.sent.some((n) => n.kind === 'post' && n.text?.includes('ended early'))).toBe(true);
    expect(f.store.heldLocks()).toEqual([]);
  });

  it('the end reached first: dropped with nothing changed, and the grant ends as it was', async () => {
    const f = withApprovedAsk();
    f.clock.set(at(62));
    const out = await revokeAccess(
      f.ports,
      { requestId: f.request.id, wait: { Error: 'States.Timeout', Cause: 'timed out' } },
      f.logger,
    );
    expect(out.status).toBe('EXPIRED');
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(await f.store.get(f.request.id)).toMatchObject({ window: f.asked.window });
  });

  it('a revoke asked for first wins: the extension is dropped and the grant revoked', async () => {
    const f = withApprovedAsk();
    const revoking = transition(f.asked, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(11) }).next;
    f.store.put(revoking);
    const out = await revokeAccess(f.ports, { requestId: f.request.id, wait: { reason: 'REVOKE_NOW' } }, f.logger);
    expect(out.status).toBe('REVOKED');
    expect(f.ontap.count('ensureJitUser')).toBe(0);
  });

  it('an approved extension found when the end wait begins wakes it at once (its signal was lost)', async () => {
    const f = withApprovedAsk();
    f.workflow.waiting.add('fresh');
    expect(await awaitEnd(f.ports, { requestId: f.request.id, taskToken: 'fresh' }, f.logger)).toEqual({
      waiting: false,
    });
    expect(f.workflow.signals).toEqual([expect.objectContaining({ kind: 'endsChanged', target: 'fresh' })]);
  });
});

describe('a lost wake-up', () => {
  it('is sent again by the reconciler from the record, and past the end the grant ends with it dropped', async () => {
    const f = withApprovedAsk();
    expect(statusAttention(f.asked)?.why).toBe('signal-extension');
    await f.store.update(f.request.id, ['ACTIVE'], (s) => ({ ...s, tokens: { ...s.tokens, end: 'end-token' } }));
    f.workflow.waiting.add('end-token');
    const events: string[] = [];
    const repair = async () =>
      repairItem(f.ports, { kind: 'request', stored: await f.store.getStored(f.request.id) }, f.logger, (e) => {
        events.push(e);
      });
    f.clock.set(at(12));
    expect(await repair()).toEqual({ done: false, waiting: true });
    expect(events).toEqual(['signal-resent']);
    expect(f.workflow.signals).toEqual([expect.objectContaining({ kind: 'endsChanged', target: 'end-token' })]);
    // No workflow took it and the end came: the grant ends as it was, the extension dropped.
    f.clock.set(at(63));
    expect(await repair()).toEqual({ done: true });
    expect(await f.store.get(f.request.id)).toMatchObject({ status: 'EXPIRED', window: f.asked.window });
    expect(f.ontap.count('ensureJitUser')).toBe(0);
  });
});

describe('the Extend button', () => {
  it('is on the "ends soon" DM only where the policy offers it', () => {
    const r = liveGrant().request;
    expect(JSON.stringify(milestoneDm(r, 'ends-soon', { extendable: true }).blocks)).toContain('"jit_extend"');
    expect(JSON.stringify(milestoneDm(r, 'ends-soon').blocks)).not.toContain('jit_extend');
    expect(JSON.stringify(milestoneDm(r, 'granted', { extendable: true }).blocks)).not.toContain('jit_extend');
  });
});
