import { durationToSeconds, formatOntapTime, parseOntapTime, startTimeToMillis } from '../../lambdas/ontap/timestamps';

describe('durations and times', () => {
  it('takes durations as ISO-8601 text or whole seconds, positive only', () => {
    expect(durationToSeconds('PT4H', 'jitValidity')).toBe(14_400);
    expect(durationToSeconds(1800, 'sessionValidity')).toBe(1800);
    expect(() => durationToSeconds('PT0S', 'jitValidity')).toThrow(/positive/);
    expect(() => durationToSeconds('P1M', 'jitValidity')).toThrow(/jitValidity/);
    expect(() => durationToSeconds(1.5, 'jitValidity')).toThrow(/jitValidity/);
  });

  it('reads ONTAP times in both documented forms and writes NetApp’s client form', () => {
    expect(parseOntapTime('2024-11-08 05:15:31 -0500')).toBe(Date.parse('2024-11-08T10:15:31Z'));
    expect(parseOntapTime('2024-11-08T11:15:31+00:00')).toBe(Date.parse('2024-11-08T11:15:31Z'));
    expect(parseOntapTime('2024-11-08T11:15:31.250-02:30')).toBe(Date.parse('2024-11-08T13:45:31.250Z'));
    expect(parseOntapTime('yesterday')).toBeNull();
    expect(formatOntapTime(Date.parse('2024-11-08T11:15:31Z'))).toBe('2024-11-08T11:15:31+00:00');
    expect(() => startTimeToMillis('2024-11-08T11:15:31.5Z', 'startTime')).toThrow(/whole seconds/);
  });
});
