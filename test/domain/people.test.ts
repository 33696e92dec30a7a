import {
  AccountInactiveError,
  NotApproverError,
  RequesterNotAuthorizedError,
  SamePersonApprovalError,
  SelfApprovalError,
} from '../../lambdas/domain/errors';
import { identityKeys, knownSlackIds, normalizeEmail, samePerson } from '../../lambdas/domain/people';
import {
  type Actor,
  authorizeApproval,
  authorizeDecision,
  PolicySchema,
  policiesForRequester,
  reauthorizeRequester,
} from '../../lambdas/domain/policy';
import { pendingRequest } from '../support/requests';

const people = { bob: ['U0BOB', 'U0BOBADM'] };
const policy = PolicySchema.parse({
  name: 'svm1-operators',
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: ['vsadmin'],
  requesters: { users: ['U0ALICE', 'U0GUS'] },
  approvers: { users: ['U0BOB', 'U0BOBADM', 'U0CAROL', 'U0GUS'] },
  approvalsRequired: 2,
  defaultDuration: '1h',
  maxDuration: '8h',
  approvalTimeout: '4h',
});
const who = (userId: string, extra: Partial<Actor> & { ontapAccount?: string; email?: string } = {}): Actor => {
  const { ontapAccount, email, ...rest } = extra;
  const keys = identityKeys(
    { userId, status: 'active', ...(ontapAccount ? { ontapAccount } : {}), ...(email ? { email } : {}) },
    people,
  );
  return { userId, groups: new Set(), keys, ...rest };
};

describe('who is one person', () => {
  it('links identities by ONTAP account, by e-mail (case and +tag aside) and by grouping, and by nothing else', () => {
    const bob = who('U0BOB', { ontapAccount: 'bob', email: 'bob@example.com' }).keys ?? [];
    expect(samePerson(bob, who('U0X', { ontapAccount: 'BOB' }).keys ?? [])).toBe(true);
    expect(samePerson(bob, who('U0Y', { email: 'Bob+adm@Example.com' }).keys ?? [])).toBe(true);
    expect(samePerson(bob, who('U0BOBADM').keys ?? [])).toBe(true);
    expect(samePerson(bob, who('U0CAROL', { ontapAccount: 'carol', email: 'carol@example.com' }).keys ?? [])).toBe(
      false,
    );
    expect(normalizeEmail(' Bob+Test@Example.COM ')).toBe('bob@example.com');
  });

  it('knows the Slack ids the configuration says are one person', () => {
    expect(
      knownSlackIds({ map: { U0BOB: 'bob', U0BOB3: 'bob', U0CAROL: 'carol' }, people }, 'U0BOB', 'bob').sort(),
    ).toEqual(['U0BOB', 'U0BOB3', 'U0BOBADM']);
  });
});

describe('decisions count persons', () => {
  const request = pendingRequest({
    requester: { slackUserId: 'U0BOBADM', ontapAccount: 'bob-adm' },
    approvalsRequired: 2,
  });
  const requesterKeys = who('U0BOBADM', { ontapAccount: 'bob-adm' }).keys;

  it('refuses the requester under another Slack id, even with no ONTAP account', () => {
    expect(() => authorizeDecision(policy, request, who('U0BOB', { email: 'bob@example.com' }), requesterKeys)).toThrow(
      SelfApprovalError,
    );
    expect(() =>
      authorizeDecision(policy, request, who('U0CAROL', { ontapAccount: 'carol' }), requesterKeys),
    ).not.toThrow();
  });

  it('lets one person fill one seat', () => {
    const alice = pendingRequest({ approvalsRequired: 2 });
    const first = {
      ...alice,
      approvals: [{ by: 'U0BOB', at: alice.createdAt, person: [...(who('U0BOB').keys ?? [])] }],
    };
    expect(() => authorizeApproval(policy, first, who('U0BOBADM'))).toThrow(SamePersonApprovalError);
    expect(() => authorizeApproval(policy, first, who('U0CAROL'))).not.toThrow();
  });

  it('refuses deactivated approvers, and guests unless the policy allows them', () => {
    const alice = pendingRequest();
    expect(() => authorizeDecision(policy, alice, who('U0CAROL', { status: 'deactivated' }))).toThrow(
      AccountInactiveError,
    );
    expect(() => authorizeDecision(policy, alice, who('U0GUS', { status: 'guest' }))).toThrow(NotApproverError);
    expect(() =>
      authorizeDecision({ ...policy, guestsMayApprove: true }, alice, who('U0GUS', { status: 'guest' })),
    ).not.toThrow();
  });

  it('lets guests ask only where the policy allows them, and deactivated users nowhere', () => {
    expect(policiesForRequester([policy], who('U0GUS', { status: 'guest' }))).toEqual([]);
    expect(
      policiesForRequester([{ ...policy, guestsMayRequest: true }], who('U0GUS', { status: 'guest' })),
    ).toHaveLength(1);
    expect(policiesForRequester([policy], who('U0ALICE', { status: 'deactivated' }))).toEqual([]);
  });
});

describe('the requester, checked again', () => {
  const request = pendingRequest();
  it.each<[string, Parameters<typeof reauthorizeRequester>[2], string | undefined]>([
    ['still qualifies', { actor: who('U0ALICE'), ontapAccount: 'alice' }, undefined],
    [
      'deactivated',
      { actor: who('U0ALICE', { status: 'deactivated' }), ontapAccount: 'alice' },
      'no longer an active Slack user',
    ],
    ['now a guest', { actor: who('U0ALICE', { status: 'guest' }), ontapAccount: 'alice' }, 'now a Slack guest'],
    ['unmapped', { actor: who('U0ALICE') }, 'no longer maps to an ONTAP account'],
    [
      'mapped elsewhere',
      { actor: who('U0ALICE'), ontapAccount: 'alice2' },
      'now maps to ONTAP account "alice2", not "alice"',
    ],
  ])('%s', (_case, now, refusal) => {
    if (refusal === undefined) expect(() => reauthorizeRequester(policy, request, now)).not.toThrow();
    else expect(() => reauthorizeRequester(policy, request, now)).toThrow(RequesterNotAuthorizedError);
    if (refusal !== undefined) expect(() => reauthorizeRequester(policy, request, now)).toThrow(refusal);
  });

  it('removed from the requesters', () => {
    const removed = { ...policy, requesters: { users: ['U0GUS'], groups: [] } };
    expect(() => reauthorizeRequester(removed, request, { actor: who('U0ALICE'), ontapAccount: 'alice' })).toThrow(
      'no longer one of the requesters',
    );
  });
});
