import fc from 'fast-check';
import { durationSeconds, formatDuration, parseOntapTime } from '../../../local/ontap-sim/durations';
import { matchesFilter, parseQuery, project, valuesAt } from '../../../local/ontap-sim/query';

describe('simulator query language', () => {
  it('matches exact, wildcard, not, or and comparisons', () => {
    expect(matchesFilter(['alice'], 'alice')).toBe(true);
    expect(matchesFilter(['alice'], 'Alice')).toBe(false);
    expect(matchesFilter(['alice'], 'al*')).toBe(true);
    expect(matchesFilter(['alice'], '*ic*')).toBe(true);
    expect(matchesFilter(['a.b'], 'a?b')).toBe(false);
    expect(matchesFilter(['alice'], '!bob')).toBe(true);
    expect(matchesFilter(['alice'], 'bob|alice')).toBe(true);
    expect(matchesFilter([10], '>9')).toBe(true);
    expect(matchesFilter([10], '<=9')).toBe(false);
    expect(matchesFilter([], 'x')).toBe(false);
    expect(matchesFilter([], '!x')).toBe(true);
  });

  it('treats regex characters in values literally', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*|!<>]/.test(s) && s !== ''),
        (s) => {
          expect(matchesFilter([s], s)).toBe(true);
          expect(matchesFilter([`${s}x`], s)).toBe(false);
        },
      ),
    );
  });

  it('reads values through arrays and projects dotted fields', () => {
    const rec = {
      name: 'a',
      applications: [
        { application: 'ssh', x: 1 },
        { application: 'http', x: 2 },
      ],
      _links: { self: { href: '/x' } },
    };
    expect(valuesAt(rec, 'applications.application')).toEqual(['ssh', 'http']);
    expect(project(rec, ['name'], ['applications.application'])).toEqual({
      name: 'a',
      applications: [{ application: 'ssh' }, { application: 'http' }],
      _links: { self: { href: '/x' } },
    });
  });

  it('decodes query strings without turning encoded separators into structure', () => {
    expect(parseQuery('name=a%26b%3Dc&fields=x%2Cy&q=a+b')).toEqual([
      ['name', 'a&b=c'],
      ['fields', 'x,y'],
      ['q', 'a b'],
    ]);
    expect(() => parseQuery('name=%E0%A4%A')).toThrow(/percent-encoding/);
  });
});

describe('simulator durations and times', () => {
  it('round-trips ISO-8601 durations through seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86400 }), (s) => {
        expect(durationSeconds(formatDuration(s))).toBe(s);
      }),
    );
    expect(durationSeconds('PT2H10M20S')).toBe(7820);
    expect(durationSeconds('P90D')).toBe(7_776_000);
    expect(durationSeconds('P1W')).toBe(604_800);
    for (const bad of ['P', 'PT', 'P1M', 'P1Y', 'PT1.5H', '1H', 'pt1h']) expect(durationSeconds(bad)).toBeNull();
  });

  it('reads both documented time forms and flags sub-second precision', () => {
    expect(parseOntapTime('2024-11-08 05:15:31 -0500')).toEqual({ ok: true, ms: Date.parse('2024-11-08T10:15:31Z') });
    expect(parseOntapTime('2024-11-08T11:15:31+00:00')).toEqual({ ok: true, ms: Date.parse('2024-11-08T11:15:31Z') });
    expect(parseOntapTime('2024-11-08T11:15:31Z')).toEqual({ ok: true, ms: Date.parse('2024-11-08T11:15:31Z') });
    expect(parseOntapTime('2024-11-08T11:15:31.1Z')).toEqual({ ok: false, reason: 'subsecond' });
    expect(parseOntapTime('2024-11-08')).toEqual({ ok: false, reason: 'format' });
  });
});
