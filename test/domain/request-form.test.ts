import { DateTime } from 'luxon';
import { loadConfig } from '../../lambdas/config/load';
import {
  checkDraft,
  type Draft,
  hasControlCharacters,
  policyFor,
  requesterPolicies,
  roleChoices,
  targetChoices,
} from '../../lambdas/domain/request-form';

const config = loadConfig();
const now = DateTime.fromISO('2026-11-22T10:00:00Z', { zone: 'utc' });
const alice = { userId: 'U0ALICE', groups: new Set<string>() };
const erin = { userId: 'U0ERIN', groups: new Set(['S0STORAGE']) };
const good: Draft = {
  cluster: 'cluster1',
  svm: 'svm1',
  role: 'vsadmin',
  duration: '2h',
  start: { mode: 'now' },
  justification: 'Fix the snapmirror schedule',
};
const check = (draft: Partial<Draft>, actor = alice) => checkDraft({ ...good, ...draft }, { config, actor, now });

describe('what the form offers', () => {
  it('targets and roles follow the requester’s policies', () => {
    expect(targetChoices(config, requesterPolicies(config, alice))).toEqual([
      { cluster: 'cluster1', svm: 'svm1' },
      { cluster: 'cluster1', svm: 'cluster1' },
    ]);
    expect(targetChoices(config, requesterPolicies(config, erin))).toEqual([{ cluster: 'cluster1', svm: 'svm1' }]);
    expect(roleChoices(config.policies, { cluster: 'cluster1', svm: 'cluster1' })).toEqual(['admin']);
    expect(policyFor(config.policies, { cluster: 'cluster1', svm: 'svm1' }, 'vsadmin')?.name).toBe('svm1-operators');
    expect(policyFor(config.policies, { cluster: 'cluster1', svm: 'svm9' }, 'vsadmin')).toBeUndefined();
  });
});

describe('checkDraft', () => {
  it('accepts a good draft and says which policy governs it', () => {
    const result = check({});
    expect(result).toEqual({
      ok: true,
      value: {
        cluster: 'cluster1',
        svm: 'svm1',
        role: 'vsadmin',
        policy: expect.objectContaining({ name: 'svm1-operators' }),
        durationSeconds: 7200,
        justification: 'Fix the snapmirror schedule',
      },
    });
  });

  it('fills in the cluster when the requester may ask on one only', () => {
    expect(check({ cluster: undefined })).toMatchObject({ ok: true, value: { cluster: 'cluster1' } });
  });

  it('reports each problem against its field, all at once', () => {
    const result = check({ svm: 'svm1', role: 'admin', duration: 'forever', justification: 'x', ticket: 'has space' });
    expect(result).toEqual({
      ok: false,
      errors: {
        role: 'Role "admin" cannot be requested on "svm1" (allowed: vsadmin, vsadmin-volume, vsadmin-protocol, snapmirror-operator).',
        duration: '"forever" is not a duration; write it like "2h", "90m", "1h30m", "1d" or "PT2H".',
        justification: 'Say why you need this access (at least 10 characters).',
        ticket: expect.stringContaining('A ticket reference'),
      },
    });
  });

  it('refuses odd characters in names before any policy is consulted', () => {
    expect(check({ svm: 'svm1;rm' })).toEqual({
      ok: false,
      errors: { target: 'An SVM name is letters, digits, ".", "_" and "-" only.' },
    });
    expect(check({ role: '../admin' })).toEqual({
      ok: false,
      errors: { role: 'A role name is letters, digits, ".", "_" and "-" only.' },
    });
    expect(check({ svm: 'svm 1', svmTyped: true })).toEqual({
      ok: false,
      errors: { svmName: 'An SVM name is letters, digits, ".", "_" and "-" only.' },
    });
  });

  it('refuses durations over the policy maximum, and zero', () => {
    expect(check({ duration: '8h1m' })).toEqual({
      ok: false,
      errors: { duration: '8 hours 1 minute is longer than the policy allows (at most 8 hours).' },
    });
    expect(check({ duration: '0m' })).toMatchObject({
      ok: false,
      errors: { duration: expect.stringContaining('not a positive duration') },
    });
  });

  it('tells control characters apart from tab and newline, for the form and the reason modals alike', () => {
    expect(hasControlCharacters('bell \u0007')).toBe(true);
    expect(hasControlCharacters('escape \u001b[31m')).toBe(true);
    expect(hasControlCharacters('delete \u007f')).toBe(true);
    expect(hasControlCharacters('tab\tand\nnewline')).toBe(false);
    expect(hasControlCharacters('plain words, accents: déjà vu')).toBe(false);
  });

  it('refuses justifications that are too long or carry control characters', () => {
    expect(check({ justification: 'x'.repeat(501) })).toMatchObject({
      ok: false,
      errors: { justification: expect.stringContaining('500 characters') },
    });
    expect(check({ justification: 'bell \u0007 in here' })).toMatchObject({
      ok: false,
      errors: { justification: expect.stringContaining('control') },
    });
    expect(check({ justification: '  two\nlines are fine  ' })).toMatchObject({
      ok: true,
      value: { justification: 'two\nlines are fine' },
    });
  });

  it('reads a scheduled start in the given zone, within the policy’s limit', () => {
    const start = (date: string, time: string) =>
      check({ start: { mode: 'scheduled', date, time, zone: 'Asia/Tokyo' } });
    expect(start('2026-11-23', '09:00')).toMatchObject({ ok: true, value: { requestedStart: '2026-11-23T00:00:00Z' } });
    expect(start('2026-11-22', '18:00')).toMatchObject({
      ok: false,
      errors: { startTime: 'The start time is in the past.' },
    });
    expect(start('2026-12-01', '09:00')).toMatchObject({
      ok: false,
      errors: { startTime: 'The start time is more than 7 days ahead.' },
    });
  });

  it('tells someone with no policy so', () => {
    const none = { ...config, policies: config.policies.filter((p) => p.requesters !== 'anyone') };
    expect(
      checkDraft({ ...good, cluster: undefined }, { config: none, actor: { userId: 'U0BOB', groups: new Set() }, now }),
    ).toEqual({
      ok: false,
      errors: { target: 'No policy lets you request elevated access.' },
    });
  });
});
