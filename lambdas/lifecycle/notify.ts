/**
 * Telling people about a request's change: the approval message and the requester's DM updated in
 * place, and each milestone told with a new message that Slack notifies (a DM to the requester, a
 * thread reply mentioning the approvers). Where a message is new, where it went is kept with the
 * request so later changes update it instead of posting another.
 *
 * Milestones are told at least once and, as far as the record can make it, once: what is owed
 * follows from the record (domain/milestones.ts), each message is posted only while the record says
 * it is owed, and `told` is written right after it went. A task retried or a reconciler pass finds
 * it told and posts nothing. A post Slack refused stays owed; the reconciler tells it after a grace.
 * A crash between the post and the write is the one window left: the message is then told twice
 * (a retry or the reconciler posts it again), never not at all.
 */
import { toUtcSecond } from '../domain/durations';
import { type OwedNotice, owedNotices } from '../domain/milestones';
import { type AccessRequest, type MessageRef, STATUSES } from '../domain/request';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import type { ThreadDetails } from '../slack/blocks/request-messages';
import type { Ports } from './ports';

/** What telling people takes: Slack's messages, and the store that keeps where they went. */
export type NotifyPorts = Pick<Ports, 'notifier' | 'store' | 'clock'>;

/** Which messages to bring up to date. */
export interface Announcement {
  readonly approval?: boolean;
  readonly requester?: boolean;
  /** Details of the event for the approvers' thread reply (its milestone says whether there is one). */
  readonly thread?: ThreadDetails;
}

/**
 * Brings the chosen messages up to date, then tells the milestones the record owes. Best effort: the
 * change has already happened (and is in DynamoDB), so a Slack failure is logged and never undoes
 * or fails it; a lost card update is flagged, a lost milestone stays owed, for the reconciler.
 */
export async function announce(
  ports: NotifyPorts,
  request: AccessRequest,
  what: Announcement,
  log: Logger,
): Promise<AccessRequest> {
  let current = request;
  let missed = false;
  if (what.approval && current.slack.approval) {
    missed =
      (await bestEffort(log, 'approval message not updated', () => ports.notifier.approval(current))) === undefined;
  }
  let fresh = false;
  if (what.requester) {
    const ref = await bestEffort(log, 'requester not told', () => ports.notifier.requester(current));
    fresh = ref !== undefined && !current.slack.requester;
    if (ref && !current.slack.requester) current = await keepRef(ports, current, 'requester', ref);
    missed ||= ref === undefined;
  }
  // Nobody may be left believing an older state: the reconciler brings the messages up to date.
  if (missed) await bestEffort(log, 'message repair not flagged', () => ports.store.flagNotify(request.id));
  const told = await bestEffort(log, 'milestones not told', () =>
    tellOwed(ports, current, log, { details: what.thread ?? {}, freshCard: fresh }),
  );
  return told?.request ?? current;
}

/**
 * Tells the milestones the record owes now, each with a new message, and records them as told.
 * A requester card posted just now is itself a new message: it tells the requester's milestone.
 * Returns the request as recorded and how many messages could not be posted (they stay owed).
 */
export async function tellOwed(
  ports: NotifyPorts,
  request: AccessRequest,
  log: Logger,
  how: { readonly details?: ThreadDetails; readonly freshCard?: boolean } = {},
): Promise<{ request: AccessRequest; missed: number }> {
  const owed = owedNotices(request, toUtcSecond(nowOf(ports.clock)));
  if (owed.length === 0) return { request, missed: 0 };
  const told: string[] = [];
  for (const notice of owed) {
    const sent = await bestEffort(log, `${notice.milestone} not told`, () =>
      tellOne(ports, request, notice, { details: how.details ?? {}, freshCard: how.freshCard === true }),
    );
    if (sent) told.push(notice.key);
  }
  const missed = owed.length - told.length;
  if (missed > 0) log.warn('milestone messages owed; the reconciler tells them', { owed: owed.map((n) => n.key) });
  if (told.length === 0) return { request, missed };
  // Written whatever the status has become meanwhile: what was told stays told.
  const { stored } = await ports.store.update(request.id, STATUSES, (s) => ({
    ...s,
    request: { ...s.request, told: [...new Set([...(s.request.told ?? []), ...told])] },
  }));
  log.info('milestones told', { told });
  return { request: stored.request, missed };
}

async function tellOne(
  ports: NotifyPorts,
  request: AccessRequest,
  notice: OwedNotice,
  how: { readonly details: ThreadDetails; readonly freshCard: boolean },
): Promise<boolean> {
  if (notice.late) return true;
  if (notice.audience === 'approvers') {
    await ports.notifier.thread(request, how.details, notice.milestone);
    return true;
  }
  if (how.freshCard && notice.milestone !== 'ends-soon') return true;
  await ports.notifier.milestone(request, notice.milestone);
  return true;
}

/**
 * Brings the approval message and the requester's DM up to date after an earlier update was lost;
 * clears the store's flag only when both went through.
 */
export async function repairMessages(ports: NotifyPorts, request: AccessRequest, log: Logger): Promise<boolean> {
  if (request.slack.approval) await ports.notifier.approval(request);
  const ref = await ports.notifier.requester(request);
  if (!request.slack.requester) await keepRef(ports, request, 'requester', ref);
  log.info('messages brought up to date', { status: request.status });
  await ports.store.update(request.id, STATUSES, (s) => ({ ...s, notifyRepair: false }));
  return true;
}

/** Posts (or updates) the approval message and keeps where it went; throws when Slack refuses, since nobody could approve. */
export async function postApprovalMessage(
  ports: Pick<Ports, 'notifier' | 'store'>,
  request: AccessRequest,
): Promise<AccessRequest> {
  const ref = await ports.notifier.approval(request);
  return request.slack.approval ? request : keepRef(ports, request, 'approval', ref);
}

async function keepRef(
  ports: Pick<Ports, 'store'>,
  request: AccessRequest,
  kind: 'approval' | 'requester',
  ref: MessageRef,
): Promise<AccessRequest> {
  // Message references are the store's own facts: kept whatever the status has become meanwhile.
  const { stored } = await ports.store.update(request.id, STATUSES, (s) => ({
    ...s,
    request: { ...s.request, slack: { ...s.request.slack, [kind]: ref } },
  }));
  return stored.request;
}

async function bestEffort<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    log.warn(what, describeError(error));
    return undefined;
  }
}
