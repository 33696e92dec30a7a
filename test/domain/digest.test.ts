/** The activity digest's rules: what counts, what is destructive, the cap, and when the reconciler owes one. */
import { statusAttention } from '../../lambdas/domain/attention';
import {
  buildDigest,
  capped,
  DIGEST_GRACE_SECONDS,
  destructiveReason,
  digestDue,
  digestWindowOf,
  kindOf,
  type LoggedCommand,
  storedCommands,
  summaryOf,
} from '../../lambdas/domain/digest';
import type { AccessRequest } from '../../lambdas/domain/request';
import { pendingRequest } from '../support/requests';

const cmd = (input: string, extra: Partial<LoggedCommand> = {}): LoggedCommand => ({
  at: '2026-03-01T12:00:00Z',
  input,
  state: 'success',
  sessionId: '1',
  message: null,
  ...extra,
});

describe('the destructive list', () => {
  it.each([
    ['volume delete -vserver svm1 -volume v1', 'delete'],
    ['volume offline -volume v1', 'offline'],
    ['aggr destroy -aggregate a1', 'destroy'],
    ['volume snapshot delete -volume v1 -snapshot s1', 'delete'],
    ['snapmirror modify -destination-path svm1:v1 -schedule none', 'modify of snapmirror'],
    ['snapmirror break -destination-path svm1:v1', 'break of snapmirror'],
    ['volume snapshot policy modify -policy default -enabled false', 'modify of volume snapshot policy'],
    ['snapshot policy modify-schedule -policy p -schedule hourly -count 0', 'modify-schedule of snapshot policy'],
    ['vserver export-policy rule modify -vserver svm1 -policyname p -ruleindex 1', 'modify of vserver export-policy'],
    ['security login modify -user-or-group-name bob -role admin', 'modify of security'],
    ['vserver audit disable -vserver svm1', 'disable of vserver audit'],
    ['VOLUME DELETE -volume v1', 'delete'],
  ])('flags %s (%s)', (input, why) => {
    expect(destructiveReason(input)).toBe(why);
  });

  it.each([
    'volume modify -volume v1 -size 2g',
    'volume create -volume v2 -aggregate a1',
    'snapmirror create -destination-path svm1:v1',
    'volume show -fields delete',
    'network interface modify -lif l1 -status-admin up',
  ])('does not flag %s', (input) => {
    expect(destructiveReason(input)).toBeUndefined();
  });

  it('tells elevate, reset, read-only and session commands from changes', () => {
    expect(kindOf('security jit-privilege elevate')).toBe('elevate');
    expect(kindOf('security  jit-privilege   reset')).toBe('reset');
    expect(kindOf('volume show -vserver svm1')).toBe('read');
    expect(kindOf('volume show-space')).toBe('read');
    expect(kindOf('set -privilege advanced')).toBe('session');
    expect(kindOf('volume modify -volume v1')).toBe('change');
  });
});

describe('buildDigest', () => {
  it('counts commands apart from elevate and reset, in distinct SSH sessions, and lists failures', () => {
    const d = buildDigest([
      cmd('security jit-privilege elevate', { sessionId: 'a' }),
      cmd('volume modify -volume v1 -size 2g', { sessionId: 'a' }),
      cmd('volume show', { sessionId: 'a' }),
      cmd('set -privilege advanced', { sessionId: 'b' }),
      cmd('volume delete -volume v2', { sessionId: 'b', state: 'error', message: 'not authorized' }),
      cmd('security jit-privilege reset', { sessionId: 'b' }),
    ]);
    expect(d).toMatchObject({ commands: 3, sessions: 2, destructive: 1, truncated: false });
    expect(d.elevations.map((l) => l.input)).toEqual([
      'security jit-privilege elevate',
      'security jit-privilege reset',
    ]);
    expect(d.changes.map((l) => [l.input, l.destructive])).toEqual([
      ['volume modify -volume v1 -size 2g', undefined],
      ['volume delete -volume v2', 'delete'],
    ]);
    expect(d.failures).toEqual([
      expect.objectContaining({ input: 'volume delete -volume v2', message: 'not authorized' }),
    ]);
    expect(summaryOf(d)).toBe(
      '3 commands in 2 SSH sessions; 1 elevate, 1 reset; 2 changes (1 destructive); 1 failure. ' +
        'Destructive: volume delete -volume v2',
    );
  });

  it('says nothing was logged for an idle grant', () => {
    expect(summaryOf(buildDigest([]))).toBe(
      '0 commands in 0 SSH sessions; 0 elevates, 0 resets; 0 changes (0 destructive); 0 failures',
    );
  });

  it('keeps every command with its flag for the audit trail', () => {
    const kept = storedCommands([cmd('volume show'), cmd('volume offline -volume v1')]);
    expect(kept).toEqual([{ ...cmd('volume show') }, { ...cmd('volume offline -volume v1'), destructive: 'offline' }]);
  });
});

describe('the cap', () => {
  it('shows destructive lines first so none is hidden, then the rest in time order, and counts what is left', () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({
      at: `2026-03-01T12:${String(i).padStart(2, '0')}:00Z`,
      input: `c${i}`,
      state: 'success',
      ...(i >= 27 ? { destructive: 'delete' } : {}),
    }));
    const { shown, more } = capped(lines, 5);
    expect(more).toBe(25);
    expect(shown.map((l) => l.input)).toEqual(['c0', 'c1', 'c27', 'c28', 'c29']);
    expect(capped(lines.slice(0, 3), 5)).toEqual({ shown: lines.slice(0, 3), more: 0 });
  });
});

describe('when a digest is owed', () => {
  const ended = (overrides: Record<string, unknown> = {}): AccessRequest =>
    ({
      ...pendingRequest(),
      status: 'REVOKED',
      decidedAt: '2026-03-01T11:00:00Z',
      grantedAt: '2026-03-01T11:00:00Z',
      window: { start: '2026-03-01T11:00:00Z', end: '2026-03-01T15:00:00Z' },
      revokedBy: 'U0ALICE',
      endedAt: '2026-03-01T12:00:00Z',
      told: [],
      ...overrides,
    }) as AccessRequest;

  it('is due a grace after the end, for the window actually held, until recorded or given up', () => {
    const r = ended();
    expect(digestWindowOf(r)).toEqual({ from: '2026-03-01T11:00:00Z', to: '2026-03-01T12:00:00Z' });
    const due = new Date(Date.parse('2026-03-01T12:00:00Z') + DIGEST_GRACE_SECONDS * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    expect(digestDue(r)).toBe(due);
    expect(statusAttention(r)).toEqual({ why: 'digest', due });
    const since = '2026-03-01T12:00:00Z';
    expect(digestDue(ended({ digest: { state: 'unreadable', since, failures: 2 } }))).toBe(due);
    expect(digestDue(ended({ digest: { state: 'unposted', since, failures: 0 } }))).toBe(due);
    for (const state of ['recorded', 'abandoned'])
      expect(statusAttention(ended({ digest: { state, since, failures: 0 } }))).toBeUndefined();
  });

  it('is not owed for a request that never held a grant, or one kept before milestones were', () => {
    expect(digestDue(ended({ told: undefined }))).toBeUndefined();
    const timedOut = {
      ...pendingRequest(),
      status: 'EXPIRED',
      expiry: 'approval-timeout',
      endedAt: '2026-03-01T12:00:00Z',
    };
    expect(digestDue(timedOut as AccessRequest)).toBeUndefined();
    expect(digestDue(pendingRequest())).toBeUndefined();
  });
});
