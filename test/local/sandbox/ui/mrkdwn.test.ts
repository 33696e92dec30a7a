import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeEntities,
  escapeMrkdwn,
  type MrkdwnNode,
  mrkdwnToText,
  parseMrkdwn,
} from '../../../../local/sandbox/ui/mrkdwn';

const names = {
  user: (id: string) => ({ U0BOB: 'bob' })[id],
  channel: (id: string) => ({ C0APPROVALS: 'jit-approvals' })[id],
  zone: 'UTC',
};
const parse = (text: string): MrkdwnNode[] => parseMrkdwn(text, names);

describe('mrkdwn: escaping and decoding', () => {
  it('shows an escaped justification as the characters typed, not a ping or a link', () => {
    const typed = '<!channel> <http://evil|click> & more';
    expect(escapeMrkdwn(typed)).toBe('&lt;!channel&gt; &lt;http://evil|click&gt; &amp; more');
    expect(parse(escapeMrkdwn(typed))).toEqual([{ type: 'text', text: typed }]);
  });

  it('decodes each entity once: &amp;lt; is the text "&lt;"', () => {
    expect(parse('a &amp;lt; b &gt; c &amp; d')).toEqual([{ type: 'text', text: 'a &lt; b > c & d' }]);
    expect(decodeEntities('&amp;amp;')).toBe('&amp;');
    expect(parse('&lt;@U0BOB&gt;')).toEqual([{ type: 'text', text: '<@U0BOB>' }]);
    expect(parse('`&lt;b&gt;`')).toEqual([{ type: 'code', text: '<b>' }]);
  });

  it('reads raw control sequences as Slack does: mentions by name, broadcasts, links', () => {
    expect(
      parse(
        '<@U0BOB> <@U0NOBODY|nobody> <@U0GHOST> <#C0APPROVALS> <!here> <!subteam^S0STORAGE|@storage> <!date^1700000000^{date}|Nov 14>',
      ),
    ).toEqual([
      { type: 'user', id: 'U0BOB', label: '@bob' },
      { type: 'text', text: ' ' },
      { type: 'user', id: 'U0NOBODY', label: '@nobody' },
      { type: 'text', text: ' ' },
      { type: 'user', id: 'U0GHOST', label: '@U0GHOST' },
      { type: 'text', text: ' ' },
      { type: 'channel', id: 'C0APPROVALS', label: '#jit-approvals' },
      { type: 'text', text: ' ' },
      { type: 'broadcast', label: '@here' },
      { type: 'text', text: ' ' },
      { type: 'usergroup', id: 'S0STORAGE', label: '@storage' },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'November 14th, 2023' },
    ]);
    expect(parse('<https://example.com/a?b=1&amp;c=2|the docs> <mailto:ops@example.com>')).toEqual([
      { type: 'link', url: 'https://example.com/a?b=1&c=2', text: 'the docs' },
      { type: 'text', text: ' ' },
      { type: 'link', url: 'mailto:ops@example.com', text: 'mailto:ops@example.com' },
    ]);
  });

  it('never makes a link of a script or data URL', () => {
    expect(parse('<javascript:alert(1)|click me>')).toEqual([{ type: 'text', text: 'click me' }]);
    expect(parse('<data:text/html,x>')).toEqual([{ type: 'text', text: 'data:text/html,x' }]);
  });
});

describe('mrkdwn: formatting', () => {
  it('reads bold, italic, strike and code, nested, only at word boundaries', () => {
    expect(parse('*Approved* by _bob_ ~late~ `svm1`')).toEqual([
      { type: 'bold', children: [{ type: 'text', text: 'Approved' }] },
      { type: 'text', text: ' by ' },
      { type: 'italic', children: [{ type: 'text', text: 'bob' }] },
      { type: 'text', text: ' ' },
      { type: 'strike', children: [{ type: 'text', text: 'late' }] },
      { type: 'text', text: ' ' },
      { type: 'code', text: 'svm1' },
    ]);
    expect(parse('*bold _and italic_*')).toEqual([
      {
        type: 'bold',
        children: [
          { type: 'text', text: 'bold ' },
          { type: 'italic', children: [{ type: 'text', text: 'and italic' }] },
        ],
      },
    ]);
    expect(parse('snake_case_name and 2*3*4 and * not bold *')).toEqual([
      { type: 'text', text: 'snake_case_name and 2*3*4 and * not bold *' },
    ]);
    expect(parse('`*not bold*`')).toEqual([{ type: 'code', text: '*not bold*' }]);
  });

  it('reads code blocks, quotes and line breaks', () => {
    expect(parse('before\n```\n*raw* &lt;x&gt;\n```\n> quoted *line*\n&gt; second\nafter')).toEqual([
      { type: 'text', text: 'before' },
      { type: 'pre', text: '*raw* <x>' },
      {
        type: 'quote',
        children: [
          { type: 'text', text: 'quoted ' },
          { type: 'bold', children: [{ type: 'text', text: 'line' }] },
          { type: 'break' },
          { type: 'text', text: 'second' },
        ],
      },
      { type: 'text', text: 'after' },
    ]);
  });

  it('shows emoji shortcodes it knows and keeps the others', () => {
    expect(mrkdwnToText(parse(':white_check_mark: done :not_an_emoji:'))).toBe('✅ done :not_an_emoji:');
    expect(mrkdwnToText(parse('*Approved* by <@U0BOB>'))).toBe('Approved by @bob');
  });

  it('shows every emoji shortcode the product writes to Slack', () => {
    const dir = join(__dirname, '../../../../lambdas/slack/blocks');
    const used = new Set(
      readdirSync(dir)
        .filter((file) => file.endsWith('.ts'))
        .flatMap((file) => readFileSync(join(dir, file), 'utf8').match(/:[a-z_]+:/g) ?? []),
    );
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((code) => mrkdwnToText(parse(code)) === code)).toEqual([]);
  });
});

describe('mrkdwn: dates', () => {
  // 2026-11-22T21:32:00Z; the reader's "now" is 2026-11-22T12:00:00Z.
  const reader = (zone: string) => ({ zone, now: () => Date.parse('2026-11-22T12:00:00Z') });
  const token = '<!date^1795383120^{date_short_pretty} {time}|2026-11-22 21:32:00 UTC>';

  it("shows a <!date^…> token in the reader's own time zone, as Slack does, not its fallback", () => {
    expect(mrkdwnToText(parseMrkdwn(`from ${token}`, reader('Europe/Paris')))).toBe('from Today 10:32 PM');
    expect(parseMrkdwn(token, reader('Asia/Tokyo'))).toEqual([{ type: 'text', text: 'Tomorrow 6:32 AM' }]);
    expect(parseMrkdwn(token, reader('America/Los_Angeles'))).toEqual([{ type: 'text', text: 'Today 1:32 PM' }]);
  });

  it('fills every date token, and falls back where the date cannot be read', () => {
    const all =
      '<!date^1795383120^{date_num} {date_slash} {date} {date_short} {date_long} {date_pretty} {time_secs} {unknown}|x>';
    expect(mrkdwnToText(parseMrkdwn(all, reader('UTC')))).toBe(
      '2026-11-22 11/22/2026 November 22nd, 2026 Nov 22, 2026 Sunday, November 22nd, 2026 Today 9:32:00 PM {unknown}',
    );
    expect(parseMrkdwn('<!date^soon^{date}|whenever>', reader('UTC'))).toEqual([{ type: 'text', text: 'whenever' }]);
    expect(parseMrkdwn('<!date^1795383120^{date}|fallback>', reader('Not/AZone'))).toEqual([
      { type: 'text', text: 'fallback' },
    ]);
  });
});
