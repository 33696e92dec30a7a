/**
 * The replies under the approval message about what the account did while it held the grant: the
 * activity digest (counts, elevate and reset, changes with destructive ones flagged, failures, each
 * list capped with "and N more"), the note that the cluster's audit log could not be read yet, and
 * the note that reading it was given up. Pure functions; every piece of cluster text is escaped.
 */
import type { KnownBlock } from '@slack/web-api';
import { type ActivityDigest, capped, type DigestLine, kindOf, summaryOf } from '../../domain/digest';
import type { AccessRequest } from '../../domain/request';
import type { SlackMessage } from './approval-message';
import { escapeMrkdwn, slackDate, truncate } from './escape';

/** Characters of a command shown; the audit trail keeps it whole. */
const COMMAND_CHARS = 110;
/** Slack's limit on a section's text, less a margin for the "and N more" line. */
const SECTION_CHARS = 2900;

const code = (text: string): string => `\`${escapeMrkdwn(truncate(text.replace(/`/g, "'"), COMMAND_CHARS))}\``;
const time = (iso: string): string => slackDate(iso);

const who = (r: AccessRequest): string =>
  `\`${escapeMrkdwn(r.requester.ontapAccount)}\` on *${escapeMrkdwn(r.svm.name)}* (cluster *${escapeMrkdwn(r.cluster)}*)`;

function lineOf(l: DigestLine): string {
  const flag = l.destructive !== undefined ? ` :warning: *destructive* (${escapeMrkdwn(l.destructive)})` : '';
  const failed = l.state === 'error' ? ' :x: failed' : '';
  const why = l.state === 'error' && l.message ? `: ${escapeMrkdwn(truncate(l.message, 120))}` : '';
  return `• ${time(l.at)} ${code(l.input)}${flag}${failed}${why}`;
}

/** One capped list as a section: its title, its lines within Slack's limit, and "and N more". */
function listSection(title: string, lines: readonly DigestLine[]): KnownBlock | undefined {
  if (lines.length === 0) return undefined;
  const { shown, more } = capped(lines);
  const out: string[] = [];
  let size = title.length;
  let dropped = more;
  for (const l of shown) {
    const text = lineOf(l);
    if (size + text.length + 1 > SECTION_CHARS) {
      dropped += 1;
      continue;
    }
    out.push(text);
    size += text.length + 1;
  }
  if (dropped > 0) out.push(`_…and ${dropped} more (the whole list is kept in the request's audit trail)_`);
  return { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${out.join('\n')}` } };
}

/** The digest reply in the approval message's thread. */
export function digestMessage(r: AccessRequest, d: ActivityDigest, window: { from: string; to: string }): SlackMessage {
  const elevates = d.elevations.filter((l) => kindOf(l.input) === 'elevate').length;
  const counts =
    `*${d.commands}* command${d.commands === 1 ? '' : 's'} in *${d.sessions}* SSH session${d.sessions === 1 ? '' : 's'}` +
    ` · ${elevates} elevate · ${d.elevations.length - elevates} reset · ${d.changes.length} changing` +
    ` · *${d.destructive} destructive* · ${d.failures.length} failed`;
  const head = `:clipboard: Activity of ${who(r)} from ${time(window.from)} to ${time(window.to)}\n${counts}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: head } }];
  const sections = [
    listSection('*Elevate and reset*', d.elevations),
    listSection('*Commands that changed something*', d.changes),
    listSection('*Failures*', d.failures),
  ];
  for (const s of sections) if (s) blocks.push(s);
  const notes = [
    d.truncated ? 'The audit log held more commands than a digest reads; see the cluster’s log.' : undefined,
    'From the cluster’s audit log. Read-only commands appear only when the cluster logs CLI GET commands.',
  ].filter((n): n is string => n !== undefined);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${notes.join(' ')} Request \`${r.id}\`` }] });
  return { text: truncate(`Activity digest: ${summaryOf(d)}`, 300), blocks };
}

/** The note that the audit log could not be read yet: the digest follows when it can be. */
export function digestUnreadableMessage(r: AccessRequest, reason: string): SlackMessage {
  const text =
    `:hourglass: The cluster’s audit log could not be read for the activity of ${who(r)} ` +
    `(${escapeMrkdwn(truncate(reason, 300))}). The digest follows here when it can be read.`;
  return { text: 'The activity digest is delayed: the audit log could not be read', blocks: section(text) };
}

/** The note that the digest was given up. */
export function digestAbandonedMessage(r: AccessRequest, hours: number): SlackMessage {
  const text =
    `:warning: No activity digest for ${who(r)}: the cluster’s audit log could not be read for ${hours} hours ` +
    'after the grant ended. Read it on the cluster (`security audit log show`).';
  return { text: 'No activity digest: the audit log could not be read', blocks: section(text) };
}

function section(text: string): KnownBlock[] {
  return [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }];
}
