/** Making user text safe to show in Block Kit. */

/**
 * Escapes text for Slack mrkdwn (`&`, `<`, `>`), so user text cannot mention `@channel`, a user
 * or a group, or forge a link: `<!channel>` becomes the visible text `&lt;!channel&gt;`.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shortens text to `max` characters with an ellipsis, for fields Slack limits in length. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escaped, then quoted line by line (`> `), for multi-line user text such as a justification. */
export function quoteMrkdwn(text: string): string {
  return escapeMrkdwn(text)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** Slack's date formatting: the reader sees the instant in their own time zone; `fallback` is shown where it cannot. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return escapeMrkdwn(iso);
  const fallback = iso.replace('T', ' ').replace(/(:\d{2})(\.\d+)?Z$/, '$1 UTC');
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}
