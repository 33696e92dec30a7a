import { DateTime } from 'luxon';
import { approvalWaitSeconds, grantWindow, minimumRemaining, requestedWindow } from '../../lambdas/domain/window';

const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const HOUR = 3600;
const MIN15 = 15 * 60;
const scheduled = { requestedStart: '2026-11-22T21:32:00Z', durationSeconds: 2 * HOUR };

describe('the window a request is granted', () => {
  it('is the duration from the grant for an immediate request', () => {
    expect(grantWindow({ durationSeconds: HOUR }, utc('2026-11-22T10:00:00.700Z'), MIN15)).toEqual({
      ok: true,
      window: { start: '2026-11-22T10:00:00Z', end: '2026-11-22T11:00:00Z' },
      seconds: HOUR,
    });
  });

  it('is exactly the requested window when approved before its start, however late the grant runs', () => {
    const request = { ...scheduled, decidedAt: '2026-11-22T20:00:00Z' };
    expect(grantWindow(request, utc('2026-11-22T21:32:04Z'), MIN15)).toEqual({
      ok: true,
      window: { start: '2026-11-22T21:32:00Z', end: '2026-11-22T23:32:00Z' },
      seconds: 2 * HOUR,
    });
  });

  it('keeps the requested end when approved after the start: what is left, from the approval', () => {
    const request = { ...scheduled, decidedAt: '2026-11-22T22:32:00Z' };
    expect(grantWindow(request, utc('2026-11-22T22:32:01Z'), MIN15)).toEqual({
      ok: true,
      window: { start: '2026-11-22T22:32:00Z', end: '2026-11-22T23:32:00Z' },
      seconds: HOUR,
    });
  });

  it('grants nothing when less than the minimum is left, nor after the end (the issue: approved at 00:32)', () => {
    const approvedAt = (iso: string) => ({ ...scheduled, decidedAt: iso });
    expect(grantWindow(approvedAt('2026-11-22T23:20:00Z'), utc('2026-11-22T23:20:00Z'), MIN15)).toEqual({
      ok: false,
      left: 720,
    });
    expect(grantWindow(approvedAt('2026-11-23T00:32:00Z'), utc('2026-11-23T00:33:00Z'), MIN15)).toEqual({
      ok: false,
      left: 0,
    });
    // Checked against now too: a grant that runs long after the approval gets no sliver either.
    expect(grantWindow(approvedAt('2026-11-22T22:00:00Z'), utc('2026-11-22T23:25:00Z'), MIN15)).toMatchObject({
      ok: false,
    });
  });

  it('never asks for more of a minimum than the whole window', () => {
    const short = { requestedStart: '2026-11-22T21:32:00Z', durationSeconds: 600, decidedAt: '2026-11-22T21:00:00Z' };
    expect(minimumRemaining(short, MIN15)).toBe(600);
    expect(grantWindow(short, utc('2026-11-22T21:32:00Z'), MIN15)).toMatchObject({ ok: true, seconds: 600 });
  });
});

describe('the approval wait', () => {
  it('is the policy timeout for an immediate request', () => {
    expect(approvalWaitSeconds({ durationSeconds: HOUR }, utc('2026-11-22T10:00:00Z'), 4 * HOUR, MIN15)).toBe(4 * HOUR);
  });

  it('ends when less than the minimum of a scheduled window would be left, never after its end', () => {
    expect(requestedWindow(scheduled)).toEqual({ start: '2026-11-22T21:32:00Z', end: '2026-11-22T23:32:00Z' });
    expect(approvalWaitSeconds(scheduled, utc('2026-11-22T21:00:00Z'), 4 * HOUR, MIN15)).toBe(2 * HOUR + 17 * 60);
    expect(approvalWaitSeconds(scheduled, utc('2026-11-22T12:00:00Z'), 4 * HOUR, MIN15)).toBe(4 * HOUR);
    expect(approvalWaitSeconds(scheduled, utc('2026-11-22T23:20:00Z'), 4 * HOUR, MIN15)).toBeLessThan(1);
  });
});
