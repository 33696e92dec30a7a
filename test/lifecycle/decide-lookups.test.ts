/**
 * A decision's Slack lookups and its read, over fakes: started at once when the click names whose
 * request it is, after the read otherwise, and always decided on the stored request. The whole path
 * through the signed ingress is in test/slack/decision-click-lookups.test.ts; these are the edges.
 */
import type { AccessRequest } from '../../lambdas/domain/request';
import { approveRequest, cancelRequest } from '../../lambdas/lifecycle/decide';
import { type DecisionInput, mayCancel, mayDeny } from '../../lambdas/lifecycle/decide-checks';
import { SlackLookupError } from '../../lambdas/slack/errors';
import { RequestNotFoundError } from '../../lambdas/store/errors';
import { fakeDecisions } from '../support/fake-slack';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

/** A request in the fakes, and the order in which the read and the lookups were asked for and answered. */
function setUp(request: AccessRequest = pendingRequest()) {
  const f = fakePorts({ now: at(1) });
  f.store.put(request, { tokens: { approval: 'tok-approval' } });
  f.workflow.waiting.add('tok-approval');
  const { ports, log } = fakeDecisions(f);
  const order: string[] = [];
  const getStored = f.store.getStored.bind(f.store);
  f.store.getStored = async (id) => {
    order.push('read asked');
    const stored = await getStored(id);
    // The read answers only once everything already asked for has been asked.
    await new Promise((resolve) => setImmediate(resolve));
    order.push('read answered');
    return stored;
  };
  const actor = f.directory.actor.bind(f.directory);
  f.directory.actor = async (...args) => {
    order.push(`approver ${args[0]}`);
    return actor(...args);
  };
  const requesterNow = f.directory.requesterNow.bind(f.directory);
  f.directory.requesterNow = async (...args) => {
    order.push(`requester ${args[0]}`);
    return requesterNow(...args);
  };
  const claim = { requester: request.requester.slackUserId, policy: request.policy };
  return { ...f, ports, log, order, request, claim };
}

describe('a decision whose click names the requester and the policy', () => {
  it('asks Slack about both people before the read answers, and approves on the stored request', async () => {
    const t = setUp();
    const input = { requestId: t.request.id, userId: 'U0BOB', claim: t.claim };
    await expect(approveRequest(t.ports, input, t.log)).resolves.toMatchObject({ ok: true });
    expect(t.order.indexOf('approver U0BOB')).toBeLessThan(t.order.indexOf('read answered'));
    expect(t.order.indexOf('requester U0ALICE')).toBeLessThan(t.order.indexOf('read answered'));
    expect(t.order.filter((o) => o !== 'read asked' && o !== 'read answered')).toHaveLength(2);
  });

  it('of a request that does not exist: says so, whatever became of the lookups already out', async () => {
    const t = setUp();
    t.directory.faults.add('lookup', { error: new SlackLookupError('users.info'), always: true });
    const input = { requestId: '20261122-NOSUCH0001', userId: 'U0BOB', claim: t.claim };
    await expect(approveRequest(t.ports, input, t.log)).rejects.toThrow(RequestNotFoundError);
    // A lookup's failure after the read has failed is nobody's: nothing is left unhandled.
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('naming a policy no longer configured: looks people up after the read, under the stored policy', async () => {
    const t = setUp();
    const input = { requestId: t.request.id, userId: 'U0BOB', claim: { ...t.claim, policy: 'retired-policy' } };
    await expect(approveRequest(t.ports, input, t.log)).resolves.toMatchObject({ ok: true });
    expect(t.order.slice(0, 2)).toEqual(['read asked', 'read answered']);
  });

  it('naming another requester: the stored one is looked up after the read, and decides', async () => {
    const t = setUp();
    const input = { requestId: t.request.id, userId: 'U0BOB', claim: { ...t.claim, requester: 'U0DAVE' } };
    t.directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    const result = await approveRequest(t.ports, input, t.log);
    // Alice is gone: the approval closes the request instead, however qualified Dave is.
    expect(result).toMatchObject({ ok: false });
    expect(t.order).toEqual(expect.arrayContaining(['requester U0DAVE', 'read answered', 'requester U0ALICE']));
    expect(t.order.indexOf('requester U0ALICE')).toBeGreaterThan(t.order.indexOf('read answered'));
    expect((await t.store.get(t.request.id)).status).toBe('FAILED');
  });

  it("an approver's cancel of an approved request looks the approver up while the request is read", async () => {
    const t = setUp(requestIn('APPROVED'));
    const input = { requestId: t.request.id, userId: 'U0BOB', claim: t.claim, reason: 'not needed' };
    await expect(cancelRequest(t.ports, input, t.log)).resolves.toMatchObject({ ok: true });
    expect(t.order.indexOf('approver U0BOB')).toBeLessThan(t.order.indexOf('read answered'));
    expect(t.order).not.toContain('requester U0ALICE');
  });

  it("the requester's own cancel asks Slack nothing", async () => {
    const t = setUp();
    const input = { requestId: t.request.id, userId: 'U0ALICE', claim: t.claim };
    await expect(cancelRequest(t.ports, input, t.log)).resolves.toMatchObject({ ok: true });
    expect(t.order).toEqual(['read asked', 'read answered']);
  });

  it('mayDeny and mayCancel check with the same early lookups, recording nothing', async () => {
    const t = setUp();
    const input: DecisionInput = { requestId: t.request.id, userId: 'U0BOB', claim: t.claim };
    await expect(mayDeny(t.ports, input)).resolves.toMatchObject({ needsReason: true });
    expect(t.order.slice(0, 3)).toEqual(['approver U0BOB', 'requester U0ALICE', 'read asked']);
    // Bob may not cancel a pending request: refused, with the lookup made while it was read.
    t.order.length = 0;
    await expect(mayCancel(t.ports, input)).rejects.toThrow();
    expect(t.order.slice(0, 2)).toEqual(['approver U0BOB', 'read asked']);
    expect((await t.store.get(t.request.id)).status).toBe('PENDING');
  });
});
