import { parseConfig } from '../../lambdas/config/load';
import { IllegalTransitionError, LimitExceededError, NotAllowedError } from '../../lambdas/domain/errors';
import {
  authorizeExtension,
  extensionApprovalPolicy,
  extensionChoices,
  extensionSeats,
  offersExtension,
} from '../../lambdas/domain/extension';
import type { Policy } from '../../lambdas/domain/policy';
import { type AccessRequest, RequestSchema } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { APPROVAL_CHANNEL, rawPolicy } from '../support/configs';
import { at, requestIn } from '../support/requests';

const policyOf = (extension: unknown, more: Record<string, unknown> = {}): Policy => {
  const config = parseConfig({
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map: { U0ALICE: 'alice' } } },
    policies: [{ ...rawPolicy(), ...more, ...(extension !== undefined ? { extension } : {}) }],
  });
  return config.policies[0] as Policy;
};
const configError = (extension: unknown, more: Record<string, unknown> = {}): string => {
  try {
    policyOf(extension, more);
    return '';
  } catch (error) {
    return String(error);
  }
};

type Live = Extract<AccessRequest, { status: 'ACTIVE' }>;
/** A one-hour grant of alice's (requests.ts: granted at minute 2 to 62). */
const live = (): Live => requestIn('ACTIVE') as Live;
const ask = (r: AccessRequest, seconds: number, seats = 1, when = at(10)) =>
  transition(r, {
    type: 'EXTEND_REQUESTED',
    by: 'U0ALICE',
    at: when,
    seconds,
    reason: 'late',
    approvalsRequired: seats,
  }).next as Live;

describe('the extension block of a policy', () => {
  it('reads durations and defaults; absent means no Extend', () => {
    const p = policyOf({ by: 'PT1H', times: 2, approval: 'required' });
    expect(p.extension).toEqual({ by: 3600, times: 2, approval: 'required' });
    expect(extensionSeats(p)).toBe(1);
    expect(extensionSeats(policyOf({ by: '1h', times: 1, approval: 'none' }))).toBe(0);
    expect(policyOf(undefined).extension).toBeUndefined();
    expect(offersExtension(policyOf(undefined), live())).toBe(false);
  });

  it('is refused with the field named when it cannot work', () => {
    expect(configError({ by: '8h', times: 1, approval: 'none' })).toContain('extension.by');
    expect(configError({ by: '1h', times: 0, approval: 'none' })).toContain('extension.times');
    expect(configError({ by: '1h', times: 1, approval: 'maybe' })).toContain('extension.approval');
    expect(configError({ by: '1h', times: 1, approval: 'none', approvers: { users: ['U0CAROL'] } })).toContain(
      'extension.approvers',
    );
    expect(configError({ by: '1h', times: 1, approval: 'required', approvalsRequired: 2 })).toContain(
      'extension.approvalsRequired',
    );
    expect(configError({ by: '1h', times: 1, approval: 'none', extra: true })).toContain('extension');
  });

  it("is decided by the extension's own approvers when it names them", () => {
    const p = policyOf({ by: '1h', times: 1, approval: 'required', approvers: { users: ['U0CAROL'] } });
    expect(extensionApprovalPolicy(p).approvers.users).toEqual(['U0CAROL']);
    expect(extensionApprovalPolicy(policyOf({ by: '1h', times: 1, approval: 'required' })).approvers.users).toEqual([
      'U0BOB',
    ]);
  });
});

describe('what may be asked', () => {
  const p = policyOf({ by: '2h', times: 2, approval: 'none' }, { maxDuration: '2h30m' });

  it('offers choices within `by` and the maximum over the whole window', () => {
    // One hour granted, 2h30m at most: 1h30m more at most.
    expect(extensionChoices(p, live())).toEqual([900, 1800, 3600, 5400]);
    expect(() => authorizeExtension(p, live(), { by: 'U0ALICE', seconds: 5400 })).not.toThrow();
    expect(() => authorizeExtension(p, live(), { by: 'U0ALICE', seconds: 5401 })).toThrow(LimitExceededError);
  });

  it('only the requester, and never more than `times`', () => {
    expect(() => authorizeExtension(p, live(), { by: 'U0BOB', seconds: 900 })).toThrow(NotAllowedError);
    const used = { ...live(), extensions: [1, 2].map(() => ({ ...applied })) };
    expect(() => authorizeExtension(p, used, { by: 'U0ALICE', seconds: 900 })).toThrow(/already extended 2 times/);
    expect(offersExtension(p, used)).toBe(false);
  });
});

const applied = {
  by: 'U0ALICE',
  at: at(5),
  seconds: 900,
  from: at(62),
  to: at(77),
  approvedBy: [],
  replaced: 'idle',
};

describe('extension events', () => {
  it('one waiting at a time, none on a grant being revoked or ended', () => {
    const waiting = ask(live(), 1800);
    expect(waiting.extension).toMatchObject({ seconds: 1800, from: at(62), end: at(92), approvals: [] });
    expect(() => ask(waiting, 900)).toThrow(IllegalTransitionError);
    const revoking = transition(live(), { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(5) }).next;
    expect(() => ask(revoking, 900)).toThrow(/being revoked/);
    expect(() => ask(live(), 900, 1, at(62))).toThrow(/already ended/);
  });

  it('N of M approvals, each once; approved, EXTENDED moves the window and tells "ends soon" again', () => {
    let r = ask({ ...live(), told: ['granted', 'ends-soon'], endsSoonAt: at(50) } as Live, 1800, 2);
    r = transition(r, { type: 'EXTEND_APPROVE', by: 'U0BOB', at: at(11) }).next as Live;
    expect(() => transition(r, { type: 'EXTEND_APPROVE', by: 'U0BOB', at: at(12) })).toThrow(/already approved/);
    expect(() =>
      transition(r, { type: 'EXTENDED', at: at(12), replaced: 'idle', old: r.window, new: r.window }),
    ).toThrow(IllegalTransitionError);
    r = transition(r, { type: 'EXTEND_APPROVE', by: 'U0CAROL', at: at(12) }).next as Live;
    expect(r.extension?.approvedAt).toBe(at(12));
    const window = { start: r.window.start, end: at(92) };
    const done = transition(r, { type: 'EXTENDED', at: at(13), replaced: 'active', old: r.window, new: window })
      .next as Live;
    expect(done.window).toEqual(window);
    expect(done.extension).toBeUndefined();
    expect(done.endsSoonAt).toBeUndefined();
    expect(done.told).toEqual(['granted']);
    expect(done.extensions).toEqual([
      expect.objectContaining({ from: at(62), to: at(92), approvedBy: ['U0BOB', 'U0CAROL'] }),
    ]);
    expect(RequestSchema.parse(done)).toEqual(done);
  });

  it('denied or dropped, nothing but the waiting extension changes', () => {
    const waiting = ask(live(), 1800);
    for (const event of [
      { type: 'EXTEND_DENY' as const, by: 'U0BOB', at: at(11), reason: 'no' },
      { type: 'EXTEND_DROPPED' as const, at: at(11), reason: 'ended first' },
    ]) {
      const next = transition(waiting, event).next as Live;
      expect(next.extension).toBeUndefined();
      expect(next.window).toEqual(live().window);
      expect(next.extensions).toBeUndefined();
    }
    // Nothing waiting: nothing to deny.
    expect(() => transition(live(), { type: 'EXTEND_DENY', by: 'U0BOB', at: at(11), reason: 'no' })).toThrow(
      /No extension/,
    );
  });
});
