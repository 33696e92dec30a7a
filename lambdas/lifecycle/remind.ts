/**
 * Reminders and escalation while a request waits for approval, under a policy that asks for them.
 * The approval wait is cut into steps: each ends at the next reminder, the escalation or the
 * deadline, whichever comes first; CheckApproval then reads the record, and a request still
 * pending before its deadline gets what is due (a thread reply mentioning the approvers, an
 * escalation) and a new wait with a fresh token. A request approved before the first reminder
 * takes the same path as without reminders: nothing is added to its lifecycle.
 *
 * Each reminder and the escalation are recorded once posted (`reminders`, `remindedAt`,
 * `escalatedAt`), so a retried step posts nothing twice; one Slack refused is due again at the
 * next step. Nothing is posted for a request decided meanwhile (the record is read first).
 */
import { parseInstant, toUtcSecond } from '../domain/durations';
import { type ReminderStep, reminderStep } from '../domain/nudges';
import type { Policy } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { approvalWaitSeconds } from '../domain/window';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import { escalationMessage, reminderMessage } from '../slack/blocks/reminder-messages';
import { announce } from './notify';
import type { Ports } from './ports';

/** What reminding takes: the record, Slack's messages and the clock. */
export type RemindPorts = Pick<Ports, 'store' | 'notifier' | 'clock'>;

/** When a pending request expires: its approval wait as worked out when it was made. */
export function approvalDeadline(request: AccessRequest, policy: Policy): string {
  const created = parseInstant(request.createdAt);
  const seconds = approvalWaitSeconds(request, created, policy.approvalTimeout, policy.minRemaining);
  return toUtcSecond(created.plus({ seconds: Math.max(0, seconds) }));
}

/**
 * The next approval wait of a pending request under a policy with reminders, in seconds, after
 * reminding or escalating if that is due; undefined when its deadline has come (it expires).
 */
export async function remindOrExpire(
  ports: RemindPorts,
  request: AccessRequest,
  policy: Policy,
  log: Logger,
): Promise<number | undefined> {
  const reminders = policy.reminders;
  if (!reminders) return undefined;
  const deadline = approvalDeadline(request, policy);
  const step = reminderStep(request, reminders, deadline, nowOf(ports.clock).toMillis());
  if (step.kind === 'expire') return undefined;
  if (step.remind !== undefined || step.escalate) await nudge(ports, request, policy, { step, deadline }, log);
  return step.seconds;
}

async function nudge(
  ports: RemindPorts,
  request: AccessRequest,
  policy: Policy,
  due: { readonly step: Extract<ReminderStep, { kind: 'wait' }>; readonly deadline: string },
  log: Logger,
): Promise<void> {
  const parent = request.slack.approval;
  if (!parent) return;
  const { step, deadline } = due;
  const at = toUtcSecond(nowOf(ports.clock));
  const reminded =
    step.remind !== undefined &&
    (await tryPost(log, 'reminder not posted', () =>
      ports.notifier.reply(parent, reminderMessage(request, policy, deadline, step.remind ?? 1)),
    ));
  const escalateTo = policy.reminders?.escalateTo;
  const escalated =
    step.escalate === true &&
    escalateTo !== undefined &&
    (await tryPost(log, 'escalation not posted', async () => {
      const link = await ports.notifier.permalink(parent);
      const message = escalationMessage(request, escalateTo, request.createdAt, link, deadline);
      return 'channel' in escalateTo
        ? ports.notifier.post(escalateTo.channel, message)
        : ports.notifier.reply(parent, message);
    }));
  if (!reminded && !escalated) return;
  const { ok, stored } = await ports.store.update(request.id, ['PENDING'], (s) => ({
    ...s,
    request: {
      ...s.request,
      ...(reminded ? { reminders: step.remind, remindedAt: at } : {}),
      ...(escalated ? { escalatedAt: at } : {}),
    },
  }));
  log.info('approvers nudged', { reminder: reminded ? step.remind : undefined, escalated });
  // The requester's card says when the approvers were last reminded.
  if (ok && reminded) await announce(ports, stored.request, { requester: true }, log);
}

async function tryPost(log: Logger, what: string, post: () => Promise<unknown>): Promise<boolean> {
  try {
    await post();
    return true;
  } catch (error) {
    log.warn(what, describeError(error));
    return false;
  }
}
