import fc from 'fast-check';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from '../../../lambdas/slack/blocks/escape';

describe('escapeMrkdwn', () => {
  it('neutralises mentions, broadcasts and links', () => {
    expect(escapeMrkdwn('<!channel> <@U0BOB> <https://evil|ok> a & b')).toBe(
      '&lt;!channel&gt; &lt;@U0BOB&gt; &lt;https://evil|ok&gt; a &amp; b',
    );
  });

  it('leaves no angle bracket, and reads back to the same text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(text);
      }),
    );
  });
});

describe('quoteMrkdwn, truncate, slackDate', () => {
  it('quotes every line of escaped text', () => {
    expect(quoteMrkdwn('one <b>\ntwo')).toBe('>one &lt;b&gt;\n>two');
  });

  it('truncates with an ellipsis only when needed', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
  });

  it('formats an instant for each reader’s time zone, with a UTC fallback', () => {
    expect(slackDate('2026-11-22T10:00:00Z')).toBe(
      '<!date^1795341600^{date_short_pretty} {time}|2026-11-22 10:00:00 UTC>',
    );
    expect(slackDate('not <a> date')).toBe('not &lt;a&gt; date');
  });
});
