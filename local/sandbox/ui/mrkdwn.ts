/**
 * Slack's `mrkdwn` read the way the Slack client reads it, into a small tree of nodes that the
 * renderer shows as text and elements. Control sequences are recognised only in their raw form
 * (`<@U123>`, `<!channel>`, `<https://…|label>`); `&lt;`, `&gt;` and `&amp;` are decoded after
 * that, once, so escaped text such as `&lt;!channel&gt;` shows as the characters `<!channel>` and
 * never becomes a ping or a link. Links only keep http(s) and mailto targets.
 */
import { replaceEmoji } from './emoji';
import { isSafeUrl } from './vnode';

/** A piece of formatted text. */
export type MrkdwnNode =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'bold' | 'italic' | 'strike' | 'quote'; readonly children: readonly MrkdwnNode[] }
  | { readonly type: 'code' | 'pre'; readonly text: string }
  | { readonly type: 'link'; readonly url: string; readonly text: string }
  | { readonly type: 'user' | 'channel' | 'usergroup'; readonly id: string; readonly label: string }
  | { readonly type: 'broadcast'; readonly label: string }
  | { readonly type: 'break' };

/** Names for ids mentioned in text; unknown ids fall back to the label in the text, then the id. */
export interface NameResolver {
  user?(id: string): string | undefined;
  channel?(id: string): string | undefined;
  usergroup?(id: string): string | undefined;
  /** The reader's IANA time zone for `<!date^…>`. @default the browser's */
  zone?: string;
  /** "Now" in epoch ms, for `{date_pretty}`'s today/yesterday/tomorrow. @default Date.now() */
  now?(): number;
}

/** Decodes the three entities Slack escapes (`&amp;`, `&lt;`, `&gt;`), in one pass. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** Escapes text for use inside mrkdwn, as Slack asks apps to. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Parses mrkdwn into nodes: code blocks, quotes, line breaks, inline formatting, mentions and links. */
export function parseMrkdwn(source: string, names: NameResolver = {}): MrkdwnNode[] {
  const out: MrkdwnNode[] = [];
  const fence = /```([\s\S]*?)```/g;
  let last = 0;
  // A code block is a block of its own: the line breaks next to its fences are not shown.
  for (let match = fence.exec(source); match; match = fence.exec(source)) {
    out.push(...parseLines(source.slice(last, match.index).replace(/\n$/, ''), names));
    out.push({ type: 'pre', text: decodeEntities(trimNewlines(match[1] ?? '')) });
    last = match.index + match[0].length;
  }
  out.push(...parseLines(last > 0 ? source.slice(last).replace(/^\n/, '') : source, names));
  return out;
}

function trimNewlines(text: string): string {
  return text.replace(/^\n/, '').replace(/\n$/, '');
}

// Consecutive `>` lines form one quote; other lines are joined by breaks.
function parseLines(text: string, names: NameResolver): MrkdwnNode[] {
  if (text === '') return [];
  const out: MrkdwnNode[] = [];
  const lines = text.split('\n');
  let quote: MrkdwnNode[] | undefined;
  lines.forEach((line, index) => {
    const quoted = /^(?:>|&gt;) ?(.*)$/.exec(line);
    if (quoted) {
      if (quote) quote.push({ type: 'break' });
      else {
        quote = [];
        out.push({ type: 'quote', children: quote });
      }
      quote.push(...parseInline(quoted[1] ?? '', names));
      return;
    }
    if (quote) quote = undefined;
    else if (index > 0) out.push({ type: 'break' });
    out.push(...parseInline(line, names));
  });
  return out;
}

const MARKS: Readonly<Record<string, 'bold' | 'italic' | 'strike'>> = { '*': 'bold', _: 'italic', '~': 'strike' };

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

function parseInline(text: string, names: NameResolver): MrkdwnNode[] {
  const out: MrkdwnNode[] = [];
  let buffer = '';
  const flush = (): void => {
    if (buffer) out.push({ type: 'text', text: replaceEmoji(decodeEntities(buffer)) });
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: 'code', text: decodeEntities(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    } else if (c === '<') {
      const end = text.indexOf('>', i + 1);
      if (end > i + 1) {
        flush();
        out.push(angle(text.slice(i + 1, end), names));
        i = end + 1;
        continue;
      }
    } else if (MARKS[c] && !isWordChar(text[i - 1]) && !isSpace(text[i + 1]) && text[i + 1] !== c) {
      const end = closingMark(text, i, c);
      const mark = MARKS[c];
      if (end > 0 && mark) {
        flush();
        out.push({ type: mark, children: parseInline(text.slice(i + 1, end), names) });
        i = end + 1;
        continue;
      }
    }
    buffer += c;
    i += 1;
  }
  flush();
  return out;
}

// The closing mark: not after a space, not before a letter or digit, outside code and <…> sequences.
function closingMark(text: string, open: number, mark: string): number {
  for (let j = open + 2; j < text.length; j += 1) {
    const c = text.charAt(j);
    if (c === '`' || c === '<') {
      const end = text.indexOf(c === '`' ? '`' : '>', j + 1);
      if (end > 0) j = end;
      continue;
    }
    if (c === mark && !isSpace(text[j - 1]) && !isWordChar(text[j + 1])) return j;
  }
  return -1;
}

function angle(inner: string, names: NameResolver): MrkdwnNode {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : undefined;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return { type: 'user', id, label: `@${names.user?.(id) ?? label ?? id}` };
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return { type: 'channel', id, label: `#${names.channel?.(id) ?? label ?? id}` };
  }
  if (target.startsWith('!')) {
    const [command = '', id = ''] = target.slice(1).split('^');
    if (command === 'here' || command === 'channel' || command === 'everyone')
      return { type: 'broadcast', label: `@${command}` };
    if (command === 'subteam') return { type: 'usergroup', id, label: label ?? `@${names.usergroup?.(id) ?? id}` };
    if (command === 'date') {
      const [, unix = '', format = ''] = target.slice(1).split('^');
      const shown = formatSlackDate(Number(unix), decodeEntities(format), names);
      if (shown !== undefined) return { type: 'text', text: shown };
    }
    // Other commands, and a date Slack cannot read: Slack shows the fallback text.
    return { type: 'text', text: label ?? '' };
  }
  const url = decodeEntities(target);
  if (!isSafeUrl(url)) return { type: 'text', text: label ?? url };
  return { type: 'link', url, text: label ?? url };
}

/** The plain text a reader sees (mentions as @name, links as their label). */
export function mrkdwnToText(nodes: readonly MrkdwnNode[]): string {
  return (
    nodes
      // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every node type; TypeScript checks it.
      .map((node) => {
        switch (node.type) {
          case 'text':
          case 'code':
          case 'pre':
          case 'link':
            return node.text;
          case 'bold':
          case 'italic':
          case 'strike':
          case 'quote':
            return mrkdwnToText(node.children);
          case 'user':
          case 'channel':
          case 'usergroup':
          case 'broadcast':
            return node.label;
          case 'break':
            return '\n';
        }
      })
      .join('')
  );
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS: Record<string, string> = {
  Mon: 'Monday',
  Tue: 'Tuesday',
  Wed: 'Wednesday',
  Thu: 'Thursday',
  Fri: 'Friday',
  Sat: 'Saturday',
  Sun: 'Sunday',
};
const DAY_MS = 86_400_000;

/**
 * What Slack shows for `<!date^seconds^format|fallback>`: the instant in the reader's time zone,
 * with `{date_num}`, `{date_slash}`, `{date}`, `{date_short}`, `{date_long}`, their `_pretty` forms
 * (Today, Yesterday, Tomorrow), `{time}` and `{time_secs}` filled in. Undefined when unreadable.
 */
export function formatSlackDate(
  seconds: number,
  format: string,
  reader: Pick<NameResolver, 'zone' | 'now'> = {},
): string | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  let parts: (ms: number) => Record<string, string>;
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      ...(reader.zone ? { timeZone: reader.zone } : {}),
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
      hour12: true,
    });
    parts = (ms) => Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  } catch {
    return undefined;
  }
  const at = parts(seconds * 1000);
  const day = (p: Record<string, string>): string => `${p.year}-${p.month}-${p.day}`;
  const nowMs = reader.now ? reader.now() : Date.now();
  const relative = new Map([
    [day(parts(nowMs)), 'Today'],
    [day(parts(nowMs - DAY_MS)), 'Yesterday'],
    [day(parts(nowMs + DAY_MS)), 'Tomorrow'],
  ]);
  const month = MONTHS[Number(at.month) - 1] ?? '';
  const d = Number(at.day);
  const teen = d >= 11 && d <= 13;
  const nth = teen ? 'th' : (['th', 'st', 'nd', 'rd'][d % 10] ?? 'th');
  const pad = (n: string | undefined): string => (n ?? '').padStart(2, '0');
  const plain: Record<string, string> = {
    date_num: `${at.year}-${pad(at.month)}-${pad(at.day)}`,
    date_slash: `${pad(at.month)}/${pad(at.day)}/${at.year}`,
    date: `${month} ${d}${nth}, ${at.year}`,
    date_short: `${month.slice(0, 3)} ${d}, ${at.year}`,
    date_long: `${WEEKDAYS[at.weekday ?? ''] ?? ''}, ${month} ${d}${nth}, ${at.year}`,
    time: `${at.hour}:${at.minute} ${at.dayPeriod}`,
    time_secs: `${at.hour}:${at.minute}:${at.second} ${at.dayPeriod}`,
  };
  const pretty = relative.get(day(at));
  for (const kind of ['date', 'date_short', 'date_long']) plain[`${kind}_pretty`] = pretty ?? plain[kind] ?? '';
  return format.replace(/\{([a-z_]+)\}/g, (token, name: string) => plain[name] ?? token);
}
