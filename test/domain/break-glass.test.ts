import { DateTime } from 'luxon';
import { parseConfig } from '../../lambdas/config/load';
import { attentionOf } from '../../lambdas/domain/attention';
import {
  authorizeBreakGlass,
  BREAK_GLASS_ESCALATED,
  breakGlassProblem,
  mayBreakGlass,
  mentionMarkup,
  reauthorizeBreakGlass,
  reviewDueAt,
  reviewEscalationDue,
} from '../../lambdas/domain/break-glass';
import {
  IllegalTransitionError,
  LimitExceededError,
  NotAllowedError,
  RequesterNotAuthorizedError,
} from '../../lambdas/domain/errors';
import { owedNotices } from '../../lambdas/domain/milestones';
import type { Actor, Policy } from '../../lambdas/domain/policy';
import { type AccessRequest, RequestSchema } from '../../lambdas/domain/request';
import { checkDraft } from '../../lambdas/domain/request-form';
import { transition } from '../../lambdas/domain/transitions';
import { APPROVAL_CHANNEL, rawPolicy } from '../support/configs';
import { at, pendingRequest } from '../support/requests';

const RULES = { who: { users: ['U0ALICE'], groups: ['S0ONCALL'] }, maxDuration: '2h', reviewWithin: '4h' };
const configOf = (breakGlass: unknown, more: Record<string, unknown> = {}) =>
  parseConfig({
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map: { U0ALICE: 'alice' } } },
    policies: [{ ...rawPolicy(), ...more, ...(breakGlass !== undefined ? { breakGlass } : {}) }],
  });
const policyOf = (breakGlass: unknown = RULES, more: Record<string, unknown> = {}): Policy =>
  configOf(breakGlass, more).policies[0] as Policy;
const configError = (breakGlass: unknown, more: Record<string, unknown> = {}): string => {
  try {
    configOf(breakGlass, more);
    return '';
  } catch (error) {
    return String(error);
  }
};
const actor = (userId: string, extra: Partial<Actor> = {}): Actor => ({ userId, groups: new Set(), ...extra });

/** Alice's pending break-glass request under the policy, for an hour. */
const asked = (): AccessRequest =>
  pendingRequest({ durationSeconds: 3600, breakGlass: { reason: 'INC-7: exports down', mention: '@here' } });
const selfGrant = (r: AccessRequest, by = 'U0ALICE') =>
  transition(r, { type: 'BREAK_GLASS', by, at: at(1), reviewDueAt: at(241), reason: 'INC-7' }).next;

describe('the break-glass configuration', () => {
  it('reads the rules, with @here as the default mention', () => {
    expect(policyOf().breakGlass).toEqual({
      who: { users: ['U0ALICE'], groups: ['S0ONCALL'] },
      maxDuration: 7200,
      mention: '@here',
      reviewWithin: 14_400,
    });
    expect(policyOf({ ...RULES, mention: '<!subteam^S0ONCALL>' }).breakGlass?.mention).toBe('<!subteam^S0ONCALL>');
  });

  it('refuses rules that make no sense, naming the field', () => {
    expect(configError({ ...RULES, maxDuration: '9h' })).toMatch(/breakGlass\.maxDuration.*longer than the policy's/);
    expect(configError({ ...RULES, mention: 'everyone' })).toMatch(/breakGlass\.mention/);
    expect(configError({ ...RULES, who: { users: [] } })).toMatch(/breakGlass\.who/);
    expect(configError({ ...RULES, reviewWithin: undefined })).toMatch(/breakGlass\.reviewWithin/);
    expect(configError({ ...RULES, escalateTo: { channel: 'nope' } })).toMatch(/breakGlass\.escalateTo/);
    expect(configError({ ...RULES, surprise: true })).toMatch(/surprise/);
  });

  it('writes the mention as Slack markup', () => {
    expect(mentionMarkup('@here')).toBe('<!here>');
    expect(mentionMarkup('@channel')).toBe('<!channel>');
    expect(mentionMarkup('<!subteam^S0ONCALL>')).toBe('<!subteam^S0ONCALL>');
  });
});

describe('who may use break-glass, and for how long', () => {
  const policy = policyOf();

  it('only the people named, active, not guests', () => {
    expect(mayBreakGlass(policy, actor('U0ALICE'))).toBe(true);
    expect(mayBreakGlass(policy, actor('U0ERIN', { groups: new Set(['S0ONCALL']) }))).toBe(true);
    expect(mayBreakGlass(policy, actor('U0BOB'))).toBe(false);
    expect(mayBreakGlass(policy, actor('U0ALICE', { status: 'guest' }))).toBe(false);
    expect(mayBreakGlass(policy, actor('U0ALICE', { status: 'deactivated' }))).toBe(false);
    expect(mayBreakGlass(configOf(undefined).policies[0] as Policy, actor('U0ALICE'))).toBe(false);
  });

  it('refuses over the maximum, a scheduled start, and anyone not named', () => {
    expect(() => authorizeBreakGlass(policy, actor('U0ALICE'), { durationSeconds: 7200 })).not.toThrow();
    expect(() => authorizeBreakGlass(policy, actor('U0ALICE'), { durationSeconds: 7201 })).toThrow(LimitExceededError);
    expect(() => authorizeBreakGlass(policy, actor('U0BOB'), { durationSeconds: 600 })).toThrow(NotAllowedError);
    const later = { durationSeconds: 600, requestedStart: at(60) };
    expect(() => authorizeBreakGlass(policy, actor('U0ALICE'), later)).toThrow('Break-glass starts now');
    expect(breakGlassProblem(policy, { durationSeconds: 9000 })).toMatch(/at most 2 hours/);
    expect(breakGlassProblem(configOf(undefined).policies[0] as Policy, { durationSeconds: 600 })).toMatch(
      /no longer allows/,
    );
    expect(breakGlassProblem(policy, { durationSeconds: 600 })).toBeUndefined();
  });

  it('checks the requester again: no longer named, no break-glass', () => {
    const now = { actor: actor('U0ALICE'), ontapAccount: 'alice' };
    expect(() => reauthorizeBreakGlass(policy, asked(), now)).not.toThrow();
    const dropped = policyOf({ ...RULES, who: { users: ['U0CAROL'] } });
    expect(() => reauthorizeBreakGlass(dropped, asked(), now)).toThrow(RequesterNotAuthorizedError);
    // Not a break-glass request: nothing to check.
    expect(() => reauthorizeBreakGlass(dropped, pendingRequest(), now)).not.toThrow();
  });

  it('the request form: break-glass needs a reason, a start now, the person named and the maximum', () => {
    const config = configOf(RULES);
    const draft = {
      cluster: 'cluster1',
      svm: 'svm1',
      role: 'vsadmin',
      duration: '1h',
      start: { mode: 'now' as const },
      justification: 'Restore the exports now',
      breakGlass: { reason: 'INC-7: the exports are down' },
    };
    const now = DateTime.fromISO(at(0), { zone: 'utc' });
    const ok = checkDraft(draft, { config, actor: actor('U0ALICE'), now });
    expect(ok).toMatchObject({ ok: true, value: { breakGlass: { reason: 'INC-7: the exports are down' } } });
    const errors = (d: object, who = 'U0ALICE') => {
      const result = checkDraft({ ...draft, ...d }, { config, actor: actor(who), now });
      return result.ok ? {} : result.errors;
    };
    expect(errors({ breakGlass: { reason: 'x' } })).toEqual({ breakGlassReason: expect.stringMatching(/emergency/) });
    expect(errors({ duration: '3h' })).toEqual({ duration: expect.stringMatching(/at most 2 hours/) });
    expect(errors({}, 'U0BOB')).toEqual({ approvalMode: expect.stringMatching(/not one of the people/) });
    expect(errors({ start: { mode: 'scheduled', date: '2026-11-23', time: '10:00', zone: 'UTC' } })).toMatchObject({
      startMode: expect.stringMatching(/starts now/),
    });
    // Without the choice, the same draft is an ordinary request.
    const { breakGlass: _none, ...plain } = draft;
    expect(checkDraft(plain, { config, actor: actor('U0BOB'), now })).toMatchObject({ ok: true });
  });
});

describe('the self-grant and the review, as lifecycle events', () => {
  it('the requester grants their own pending break-glass: APPROVED with no approval, review due', () => {
    const granted = selfGrant(asked());
    expect(granted).toMatchObject({ status: 'APPROVED', approvals: [], decidedAt: at(1) });
    expect(granted.breakGlass).toEqual({
      reason: 'INC-7: exports down',
      mention: '@here',
      usedAt: at(1),
      reviewDueAt: at(241),
    });
    expect(RequestSchema.parse(granted)).toEqual(granted);
  });

  it('refuses a self-grant by anyone else, of an ordinary request, or twice', () => {
    expect(() => selfGrant(asked(), 'U0BOB')).toThrow(NotAllowedError);
    expect(() => selfGrant(pendingRequest())).toThrow(IllegalTransitionError);
    expect(() => selfGrant(selfGrant(asked()))).toThrow(IllegalTransitionError);
  });

  it('records one review, keeping the status; a flag needs a note; a second review is refused', () => {
    const live = transition(selfGrant(asked()), {
      type: 'GRANTED',
      at: at(2),
      window: { start: at(2), end: at(62) },
    }).next;
    const review = (r: AccessRequest, outcome: 'acknowledged' | 'flagged', note?: string, by = 'U0BOB') =>
      transition(r, { type: 'BREAK_GLASS_REVIEWED', by, at: at(30), outcome, ...(note ? { note } : {}) }).next;
    expect(() => review(live, 'flagged')).toThrow(NotAllowedError);
    const flagged = review(live, 'flagged', 'no incident open');
    expect(flagged).toMatchObject({ status: 'ACTIVE', window: { start: at(2), end: at(62) } });
    expect(flagged.breakGlass?.review).toEqual({
      outcome: 'flagged',
      by: 'U0BOB',
      at: at(30),
      note: 'no incident open',
    });
    expect(() => review(flagged, 'acknowledged', undefined, 'U0CAROL')).toThrow(
      'already reviewed: flagged by <@U0BOB>',
    );
    // After the grant ended, still reviewable; an ordinary request never is.
    const ended = transition(live, { type: 'REVOKED', at: at(62), alreadyGone: false }).next;
    expect(review(ended, 'acknowledged')).toMatchObject({ status: 'EXPIRED', breakGlass: { review: { by: 'U0BOB' } } });
    const ordinary = transition(pendingRequest(), { type: 'DENY', by: 'U0BOB', at: at(1), reason: 'no' }).next;
    expect(() => review(ordinary, 'acknowledged')).toThrow(IllegalTransitionError);
  });
});

describe('the escalation of a missed review', () => {
  it('is due at the review time, once, and not after a review', () => {
    const policy = policyOf();
    expect(reviewDueAt(policy, at(1))).toBe(at(241));
    const granted = selfGrant(asked());
    expect(reviewEscalationDue(granted)).toBe(at(241));
    expect(attentionOf(granted)).toMatchObject({ due: expect.any(String) });
    const told = { ...granted, told: [...(granted.told ?? []), BREAK_GLASS_ESCALATED] };
    expect(reviewEscalationDue(told)).toBeUndefined();
    const reviewed = transition(granted, {
      type: 'BREAK_GLASS_REVIEWED',
      by: 'U0BOB',
      at: at(5),
      outcome: 'acknowledged',
    }).next;
    expect(reviewEscalationDue(reviewed)).toBeUndefined();
    // A live grant ended long before: the needs-attention index still files it until reviewed or escalated.
    const live = transition(granted, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } }).next;
    const ended = transition(live, { type: 'REVOKED', at: at(62), alreadyGone: false }).next;
    const allTold = { ...ended, told: owedNotices(ended, ended.updatedAt).map((n) => n.key) };
    // Its activity digest is owed first, 90 s after the end; once recorded, the review still files it.
    expect(attentionOf(allTold)?.why).toBe('digest');
    const digested = { ...allTold, digest: { state: 'recorded' as const, since: at(63), failures: 0, seq: 4 } };
    expect(attentionOf(digested)).toEqual({ why: 'break-glass-review', due: at(241) });
    expect(reviewEscalationDue(pendingRequest())).toBeUndefined();
  });
});
