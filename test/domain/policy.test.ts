import {
  NotAllowedError,
  NotApproverError,
  PolicyViolationError,
  SelfApprovalError,
} from '../../lambdas/domain/errors';
import {
  type Actor,
  authorizeCancel,
  authorizeDecision,
  authorizeRevoke,
  covers,
  groupsOf,
  type Policy,
  PolicySchema,
  policiesCovering,
  policiesForRequester,
  selectPolicy,
} from '../../lambdas/domain/policy';
import { rawPolicy } from '../support/configs';
import { pendingRequest } from '../support/requests';

const actor = (userId: string, ...groups: string[]): Actor => ({ userId, groups: new Set(groups) });

const operators = PolicySchema.parse({
  name: 'svm1-operators',
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: ['vsadmin', 'vsadmin-volume'],
  requesters: 'anyone',
  approvers: { users: ['U0BOB'], groups: ['S0STORAGE'] },
  defaultDuration: '1h',
  maxDuration: '8h',
  approvalTimeout: '4h',
});
const admins = PolicySchema.parse({
  name: 'cluster-admin',
  clusters: ['*'],
  svms: ['cluster1'],
  roles: ['admin'],
  requesters: { users: ['U0ALICE'] },
  approvers: { users: ['U0BOB', 'U0CAROL'] },
  approvalsRequired: 2,
  defaultDuration: '30m',
  maxDuration: '2h',
  approvalTimeout: '1h',
});
const policies: Policy[] = [operators, admins];

describe('PolicySchema', () => {
  it('reads durations into seconds and fills defaults', () => {
    expect(operators).toMatchObject({
      defaultDuration: 3600,
      maxDuration: 28800,
      approvalTimeout: 14400,
      approvalsRequired: 1,
    });
    expect(operators.maxScheduleAhead).toBe(7 * 86400);
  });

  it.each([
    [{ defaultDuration: '9h' }, 'defaultDuration'],
    [{ approvers: { users: ['U0BOB'] }, approvalsRequired: 2 }, 'approvalsRequired'],
    [{ approvers: { users: [] } }, 'approvers'],
    [{ approvers: { users: ['bob'] } }, 'approvers.users.0'],
    [{ maxDuration: '0m' }, 'maxDuration'],
    [{ name: 'Has Spaces' }, 'name'],
    [{ roles: [] }, 'roles'],
    [{ surprise: true }, ''],
  ])('refuses %p at %p', (override, path) => {
    const result = PolicySchema.safeParse({ ...rawPolicy(), ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('coverage', () => {
  const anySvm: Policy = { ...operators, name: 'any-svm', clusters: ['*'], svms: ['*'] };

  it('a list covers what it names, and anything when it holds *', () => {
    expect(covers(['cluster1'], 'cluster1')).toBe(true);
    expect(covers(['cluster1'], 'cluster2')).toBe(false);
    expect(covers(['cluster1', '*'], 'cluster2')).toBe(true);
    expect(covers([], 'cluster1')).toBe(false);
  });

  it('the policies covering a target; "any SVM, typed" only under a policy that allows any SVM', () => {
    expect(policiesCovering([operators, anySvm], { cluster: 'cluster1', svm: 'svm1' })).toEqual([operators, anySvm]);
    expect(policiesCovering([operators, anySvm], { cluster: 'cluster9', svm: 'svm7' })).toEqual([anySvm]);
    expect(policiesCovering([operators, anySvm], { cluster: 'cluster1', svm: '*' })).toEqual([anySvm]);
    expect(policiesCovering([operators], { cluster: 'cluster1', svm: '*' })).toEqual([]);
  });
});

describe('selectPolicy', () => {
  it('picks the first policy that covers the cluster, SVM and role', () => {
    expect(selectPolicy(policies, actor('U0DAVE'), { cluster: 'cluster1', svm: 'svm1', role: 'vsadmin' }).name).toBe(
      'svm1-operators',
    );
    expect(selectPolicy(policies, actor('U0ALICE'), { cluster: 'cluster1', svm: 'cluster1', role: 'admin' }).name).toBe(
      'cluster-admin',
    );
  });

  it('names the field no policy covers', () => {
    const attempt = (who: Actor, cluster: string, svm: string, role: string): PolicyViolationError => {
      try {
        selectPolicy(policies, who, { cluster, svm, role });
      } catch (error) {
        if (error instanceof PolicyViolationError) return error;
      }
      throw new Error('expected a refusal');
    };
    expect(attempt(actor('U0DAVE'), 'cluster9', 'svm1', 'vsadmin').field).toBe('cluster');
    expect(attempt(actor('U0DAVE'), 'cluster1', 'svm7', 'vsadmin').field).toBe('svm');
    expect(attempt(actor('U0DAVE'), 'cluster1', 'cluster1', 'admin').field).toBe('svm');
    const role = attempt(actor('U0DAVE'), 'cluster1', 'svm1', 'admin');
    expect(role.field).toBe('role');
    expect(role.message).toMatch(/allowed: vsadmin, vsadmin-volume/);
  });

  it('refuses someone no policy lets ask', () => {
    expect(() =>
      selectPolicy([admins], actor('U0EVE'), { cluster: 'cluster1', svm: 'cluster1', role: 'admin' }),
    ).toThrow(/No policy lets you request/);
  });

  it('lists the policies a requester may use', () => {
    expect(policiesForRequester(policies, actor('U0DAVE')).map((p) => p.name)).toEqual(['svm1-operators']);
    expect(policiesForRequester(policies, actor('U0ALICE')).map((p) => p.name)).toEqual([
      'svm1-operators',
      'cluster-admin',
    ]);
    expect(groupsOf(policies)).toEqual(['S0STORAGE']);
  });
});

describe('who decides', () => {
  const request = pendingRequest();

  it('lets a listed approver or a member of an approver group decide', () => {
    expect(() => authorizeDecision(operators, request, actor('U0BOB'))).not.toThrow();
    expect(() => authorizeDecision(operators, request, actor('U0ZED', 'S0STORAGE'))).not.toThrow();
  });

  it('refuses self-approval even by an approver', () => {
    const own = pendingRequest({ requester: { slackUserId: 'U0BOB', ontapAccount: 'bob' } });
    expect(() => authorizeDecision(operators, own, actor('U0BOB'))).toThrow(SelfApprovalError);
  });

  it('refuses someone who is not an approver, or in another group', () => {
    expect(() => authorizeDecision(operators, request, actor('U0CAROL'))).toThrow(NotApproverError);
    expect(() => authorizeDecision(operators, request, actor('U0ZED', 'S0OTHER'))).toThrow(NotApproverError);
  });

  it('lets the requester or an approver revoke', () => {
    expect(() => authorizeRevoke(operators, request, actor('U0ALICE'))).not.toThrow();
    expect(() => authorizeRevoke(operators, request, actor('U0BOB'))).not.toThrow();
    expect(() => authorizeRevoke(operators, request, actor('U0ZED'))).toThrow(NotAllowedError);
  });

  it('lets the requester cancel until granted, and an approver only once approved, before it starts', () => {
    const pending = { ...request, status: 'PENDING' as const };
    const approved = { ...request, status: 'APPROVED' as const };
    expect(() => authorizeCancel(operators, pending, actor('U0ALICE'))).not.toThrow();
    expect(() => authorizeCancel(operators, approved, actor('U0ALICE'))).not.toThrow();
    expect(() => authorizeCancel(operators, pending, actor('U0BOB'))).toThrow('deny it instead');
    expect(() => authorizeCancel(operators, approved, actor('U0BOB'))).not.toThrow();
    expect(() => authorizeCancel(operators, approved, actor('U0ZED', 'S0STORAGE'))).not.toThrow();
    expect(() => authorizeCancel(operators, approved, actor('U0ZED'))).toThrow(NotAllowedError);
    expect(() => authorizeCancel(operators, { ...request, status: 'ACTIVE' as const }, actor('U0ZED'))).toThrow(
      NotAllowedError,
    );
  });
});
