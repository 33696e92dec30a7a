/** The archive's retention: whole days, longer than the table's retention, with a default that is. */
import { parseConfigText } from '../../lambdas/config/load';
import { EXAMPLE_CONFIG_TEXT, exampleConfigWith } from '../support/configs';

test('defaults to 1100 days, longer than the default retention of 400 days', () => {
  const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
  expect(config.archiveRetention).toBe(1100 * 86_400);
  expect(config.archiveRetention).toBeGreaterThan(config.retention);
});

test('takes whole days', () => {
  expect(parseConfigText(exampleConfigWith([[['archiveRetention'], '2555d']])).archiveRetention).toBe(2555 * 86_400);
  expect(() => parseConfigText(exampleConfigWith([[['archiveRetention'], '1000d12h']]))).toThrow(
    /archiveRetention.*whole days/,
  );
});

test('refuses an archive retention not longer than the retention, naming the field', () => {
  expect(() =>
    parseConfigText(
      exampleConfigWith([
        [['retention'], '400d'],
        [['archiveRetention'], '400d'],
      ]),
    ),
  ).toThrow(/archiveRetention.*longer than retention/);
  expect(() => parseConfigText(exampleConfigWith([[['archiveRetention'], '30d']]))).toThrow(/archiveRetention/);
});
