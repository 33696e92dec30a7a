import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  checkDurationLimits,
  computeWindow,
  formatDuration,
  parseDuration,
  parseIsoDuration,
  parseScheduledStart,
  toIsoDuration,
} from '../../lambdas/domain/durations';
import { InvalidDurationError, LimitExceededError } from '../../lambdas/domain/errors';

describe('parseDuration', () => {
  it.each([
    ['PT2H', 7200],
    ['PT30M', 1800],
    ['PT2H10M20S', 7820],
    ['P1D', 86400],
    ['P90D', 7776000],
    ['P1W', 604800],
    ['pt45m', 2700],
    ['90m', 5400],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    ['2 hours', 7200],
    ['45 min', 2700],
    ['30s', 30],
    [' 2h ', 7200],
  ])('reads %p as %p seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['0m', /positive/],
    ['PT0S', /positive/],
    ['-2h', /negative/],
    ['-PT2H', /negative/],
    ['PT-2H', /negative/],
    ['PT0.5S', /fraction of a second/],
    ['PT1.5S', /fraction of a second/],
    ['PT1.5H', /fraction of a unit/],
    ['P1M', /months or years/],
    ['P1Y', /months or years/],
    ['two hours', /not a duration/],
    ['2x', /not a duration/],
    ['1.5h', /not a duration/],
    ['h', /not a duration/],
    ['PTXH', /ISO-8601/],
    ['9'.repeat(50), /too long/],
  ])('refuses %p', (input, message) => {
    expect(() => parseDuration(input)).toThrow(InvalidDurationError);
    expect(() => parseDuration(input)).toThrow(message);
  });

  it('refuses what is not text', () => {
    expect(() => parseDuration(7200 as unknown as string)).toThrow(InvalidDurationError);
  });
});

describe('parseIsoDuration (what ONTAP answers carry)', () => {
  it('round-trips whole seconds through toIsoDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86400 }), (s) =>
        expect(parseIsoDuration(toIsoDuration(s))).toBe(s),
      ),
    );
    expect(toIsoDuration(90_061)).toBe('P1DT1H1M1S');
  });

  it('reads PT0S as zero instead of refusing it', () => {
    expect(parseIsoDuration('PT0S')).toBe(0);
    expect(parseIsoDuration('P1W')).toBe(604_800);
  });

  it.each(['P1M', 'P1Y', 'PT1.5H', 'P', 'PT', '2h', '-PT1H', 'PT1H '.repeat(2)])('answers null for %p', (text) => {
    expect(parseIsoDuration(text)).toBeNull();
  });
});

describe('rendering durations', () => {
  it.each([
    [7200, 'PT2H', '2 hours'],
    [5400, 'PT1H30M', '1 hour 30 minutes'],
    [7820, 'PT2H10M20S', '2 hours 10 minutes 20 seconds'],
    [86400, 'P1D', '1 day'],
    [7776000, 'P90D', '90 days'],
    [93600, 'P1DT2H', '1 day 2 hours'],
    [1, 'PT1S', '1 second'],
  ])('%p seconds is %p and reads "%s"', (seconds, iso, human) => {
    expect(toIsoDuration(seconds)).toBe(iso);
    expect(formatDuration(seconds)).toBe(human);
    expect(parseDuration(iso)).toBe(seconds);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses %p seconds', (seconds) => {
    expect(() => toIsoDuration(seconds)).toThrow(InvalidDurationError);
    expect(() => formatDuration(seconds)).toThrow(InvalidDurationError);
  });
});

describe('checkDurationLimits', () => {
  it('accepts a duration within both limits, including exactly at the limit', () => {
    expect(() => checkDurationLimits(3600, { policyMax: 3600, clusterMax: 7200 })).not.toThrow();
  });

  it('names the policy when over its maximum', () => {
    expect(() => checkDurationLimits(7200, { policyMax: 3600 })).toThrow(LimitExceededError);
    expect(() => checkDurationLimits(7200, { policyMax: 3600 })).toThrow(/policy allows \(at most 1 hour\)/);
  });

  it('names the cluster maximum when over it', () => {
    expect(() => checkDurationLimits(7200, { policyMax: 86400, clusterMax: 3600 })).toThrow(
      /max_jit_validity_period PT1H/,
    );
  });

  it('refuses zero and negative', () => {
    expect(() => checkDurationLimits(0, { policyMax: 3600 })).toThrow(InvalidDurationError);
    expect(() => checkDurationLimits(-1, { policyMax: 3600 })).toThrow(InvalidDurationError);
  });
});

describe('computeWindow', () => {
  it('truncates the start to the second and adds the duration in UTC', () => {
    const start = DateTime.fromISO('2026-11-22T05:15:31.789-05:00', { setZone: true });
    expect(computeWindow(start, 7200)).toEqual({ start: '2026-11-22T10:15:31Z', end: '2026-11-22T12:15:31Z' });
  });

  it('crosses a daylight-saving change by elapsed time, not wall clock', () => {
    const start = DateTime.fromISO('2026-11-01T01:30:00', { zone: 'America/New_York' });
    const window = computeWindow(start, 3600);
    expect(Date.parse(window.end) - Date.parse(window.start)).toBe(3_600_000);
  });
});

describe('parseScheduledStart', () => {
  const now = DateTime.fromISO('2026-11-22T10:00:00Z', { zone: 'utc' });
  const limits = { maxAheadSeconds: 7 * 86400 };

  it("reads a date and time in the user's zone", () => {
    const start = parseScheduledStart({ date: '2026-11-23', time: '09:30', zone: 'Europe/Paris' }, now, limits);
    expect(start.toISO()).toBe('2026-11-23T08:30:00.000Z');
  });

  it('reads an ISO timestamp with an offset', () => {
    expect(parseScheduledStart({ iso: '2026-11-22T12:00:00.250+01:00' }, now, limits).toISO()).toBe(
      '2026-11-22T11:00:00.000Z',
    );
  });

  it('refuses a start in the past, too far ahead, or unreadable', () => {
    expect(() => parseScheduledStart({ iso: '2026-11-22T09:00:00Z' }, now, limits)).toThrow(/in the past/);
    expect(() => parseScheduledStart({ iso: '2026-12-22T09:00:00Z' }, now, limits)).toThrow(/ahead/);
    expect(() => parseScheduledStart({ date: '2026-02-30', time: '10:00', zone: 'UTC' }, now, limits)).toThrow(
      /cannot be read/,
    );
    expect(() => parseScheduledStart({ date: '2026-11-23', time: '10:00', zone: 'Mars/Olympus' }, now, limits)).toThrow(
      InvalidDurationError,
    );
  });

  it('tolerates a start a moment in the past (the time it took to fill the form)', () => {
    expect(() => parseScheduledStart({ iso: '2026-11-22T09:58:00Z' }, now, limits)).not.toThrow();
  });
});
