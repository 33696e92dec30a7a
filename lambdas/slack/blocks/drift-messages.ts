/**
 * The approval channel's report of a drift: a JIT entry the records do not account for (what, where,
 * since when, and what the configuration does with it), or a JIT setting changed past what the
 * policies grant. Pure; every value read from the cluster is escaped.
 */
import { formatDuration } from '../../domain/durations';
import type { DriftRecord } from '../../store/drift-records';
import type { SlackMessage } from './approval-message';
import { escapeMrkdwn, slackDate, truncate } from './escape';

/** What a report says the product does about the drift. */
export type DriftAction = 'report' | 'remove';

const code = (text: string): string => `\`${escapeMrkdwn(truncate(text, 200))}\``;

/** The report of one drift, posted once to the approval channel. */
export function driftReport(record: DriftRecord, action: DriftAction): SlackMessage {
  const where = `*${escapeMrkdwn(record.cluster)} / ${escapeMrkdwn(record.ownerName ?? record.ownerUuid)}*`;
  const since = record.since ? `, seen since ${slackDate(record.since)}` : '';
  const lines: string[] = [];
  if (record.kind === 'settings') {
    const allowed = formatDuration(Math.max(1, record.allowedSeconds ?? 1));
    lines.push(
      `:warning: *JIT settings drift* on ${where}${since}: \`max_jit_validity_period\` changed ` +
        `${record.baseline ? `from ${code(record.baseline)} ` : ''}to ${code(record.max ?? '?')}, ` +
        `longer than any window the policies grant on this cluster (${allowed}).`,
      'Entries made outside the product may now last that long. Set it back on the cluster if that was not meant.',
    );
  } else {
    const who = record.account ? code(record.account) : 'an account';
    const role = record.role ? ` as ${code(record.role)}` : '';
    const why =
      record.kind === 'finished'
        ? `left on the cluster by request ${code(record.requestId ?? '?')}, which is finished`
        : record.requestId
          ? `naming request ${code(record.requestId)}, which it does not belong to`
          : 'not made by this product';
    lines.push(`:rotating_light: *JIT entry drift* on ${where}${since}: ${who} may elevate${role}, ${why}.`);
    const window = record.start && record.end ? `Window ${slackDate(record.start)} to ${slackDate(record.end)}` : '';
    const state = record.jitState ? `ONTAP state \`${escapeMrkdwn(record.jitState)}\`` : '';
    const facts = [window, state, record.comment ? `comment ${code(record.comment)}` : ''].filter(Boolean);
    if (facts.length > 0) lines.push(`${facts.join(' · ')}.`);
    lines.push(
      action === 'remove'
        ? 'This cluster is set to `drift: remove`: the product removes the entry after this report, and says so here.'
        : 'This cluster is set to `drift: report`: the entry is left in place; ' +
            'remove it on the cluster if nobody approved it.',
    );
  }
  const text = lines.join('\n');
  return { text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The reply under a drift's report once its entry is removed from the cluster. */
export function driftRemovedReply(at: string): SlackMessage {
  const text = `:wastebasket: Removed from the cluster ${slackDate(at)}.`;
  return { text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
