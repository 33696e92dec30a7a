/** What `/jit` answers (ephemerally): help, the requester's list, a submitted request, form errors. Pure. */
import type { KnownBlock } from '@slack/web-api';
import { formatDuration } from '../../domain/durations';
import { type AccessRequest, isTerminal, type Status } from '../../domain/request';
import { type FieldErrors, FORM_FIELDS, type FormField } from '../../domain/request-form';
import { COMMAND, FORM_OPENER } from '../ids';
import { type SlackMessage, windowPhrase } from './approval-message';
import { escapeMrkdwn, slackDate, truncate } from './escape';
import { requestAgainButton } from './home';

/** How many ended requests `/jit list` offers to ask again for (the newest). */
const AGAIN_OFFERED = 5;

const STATUS_EMOJI: Record<Status, string> = {
  PENDING: ':hourglass_flowing_sand:',
  APPROVED: ':white_check_mark:',
  ACTIVE: ':unlock:',
  REVOKE_FAILED: ':warning:',
  DENIED: ':no_entry:',
  CANCELLED: ':heavy_multiplication_x:',
  EXPIRED: ':alarm_clock:',
  REVOKED: ':lock:',
  FAILED: ':x:',
};

/** `/jit help`. */
export function helpReply(approvalChannel: string): SlackMessage {
  const text = [
    '*Temporary ONTAP privileges, approved in Slack*',
    `• \`${COMMAND}\`: open the request form.`,
    `• \`${COMMAND} <cluster>/<svm> <role> <duration> <justification…>\`: ask in one line, starting as soon as approved, ` +
      `e.g. \`${COMMAND} cluster1/svm1 vsadmin 2h fix the snapmirror schedule\`. ` +
      'Leave out `<cluster>/` when you may ask on one cluster only. The duration is one word: `90m`, `2h`, `1h30m`, `PT2H`.',
    `• \`${COMMAND} list\`: your requests, newest first.`,
    `• \`${COMMAND} audit since 30d\` (with \`cluster=… svm=… person=@… status=…\` if you like): for approvers, ` +
      'the audit trail of the policies you approve for, as a CSV file in your DM.',
    `• \`${COMMAND} help\`: this help.`,
    `Approvers decide in <#${approvalChannel}>. The access ends by itself when its time is up.`,
  ].join('\n');
  return noticeReply(text);
}

function listLine(request: AccessRequest): string {
  const progress = request.status === 'PENDING' ? ` (${request.approvals.length} of ${request.approvalsRequired})` : '';
  return (
    `${STATUS_EMOJI[request.status]} \`${request.id}\` *${request.status}*${progress}: ` +
    `${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.cluster)}/${escapeMrkdwn(request.svm.name)} ` +
    `${windowPhrase(request).replace(/\*/g, '')}, asked ${slackDate(request.createdAt)}`
  );
}

/** `/jit list`: the requester's requests, newest first, with their status, and "Request again" for the last ended. */
export function listReply(requests: readonly AccessRequest[]): SlackMessage {
  if (requests.length === 0) {
    const text = `You have no requests yet. Type \`${COMMAND}\` to ask for access.`;
    return noticeReply(text);
  }
  const lines = requests.map(listLine);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*Your requests, newest first*` } }];
  // One section per ten lines keeps each under Slack's 3000-character limit.
  for (let i = 0; i < lines.length; i += 10) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.slice(i, i + 10).join('\n') } });
  }
  const ended = requests.filter(isTerminal).slice(0, AGAIN_OFFERED);
  if (ended.length > 0) {
    // Action ids must differ within one block: a suffix per button, which the listener's pattern allows.
    const elements = ended.map((r, i) => ({
      ...requestAgainButton(r),
      action_id: `${FORM_OPENER.requestAgain}@${i}`,
      text: { type: 'plain_text' as const, text: truncate(`Again: ${r.role} on ${r.cluster}/${r.svm.name}`, 75) },
    }));
    blocks.push({ type: 'actions', block_id: 'jit_list_again', elements });
  }
  return { text: `Your requests: ${requests.map((r) => `${r.id} ${r.status}`).join(', ')}`, blocks };
}

/** A request made with the one-line shortcut. */
export function submittedReply(request: AccessRequest, approvalChannel: string, duplicate: boolean): SlackMessage {
  const text =
    `${duplicate ? 'Already submitted' : 'Submitted'}: request \`${request.id}\` for ` +
    `*${escapeMrkdwn(request.role)}* on *${escapeMrkdwn(request.cluster)}/${escapeMrkdwn(request.svm.name)}* ` +
    `for *${formatDuration(request.durationSeconds)}* as \`${escapeMrkdwn(request.requester.ontapAccount)}\`. ` +
    `Approvers decide in <#${approvalChannel}>; I will tell you how it goes.`;
  return noticeReply(text);
}

const FIELD_LABEL: Record<FormField, string> = {
  target: 'cluster/SVM',
  svmName: 'SVM',
  role: 'role',
  duration: 'duration',
  startMode: 'start',
  startDate: 'start day',
  startTime: 'start time',
  justification: 'justification',
  ticket: 'ticket',
  approvalMode: 'break-glass',
  breakGlassReason: 'break-glass reason',
};

/** Problems with a one-line request, one per field, and a pointer to the help. */
export function formErrorsReply(errors: FieldErrors): SlackMessage {
  const lines = FORM_FIELDS.filter((field) => errors[field] !== undefined).map(
    (field) => `• *${FIELD_LABEL[field]}*: ${escapeMrkdwn(errors[field] ?? '')}`,
  );
  const text = `Nothing was submitted:\n${lines.join('\n')}\nSee \`${COMMAND} help\`.`;
  return noticeReply(text);
}

/** A single-line answer, already safe mrkdwn. */
export function noticeReply(mrkdwn: string): SlackMessage {
  return { text: mrkdwn, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }] };
}

/** Usage hint for text the command does not understand. */
export function usageReply(): SlackMessage {
  return noticeReply(
    `That is not a request I understand. Type \`${COMMAND}\` for the form, or ` +
      `\`${COMMAND} <cluster>/<svm> <role> <duration> <justification…>\`; \`${COMMAND} help\` explains.`,
  );
}
