/**
 * Telling people about a request's change: the approval message and the requester's DM updated in
 * place, an event threaded under the approval message. Where a message is new, where it went is
 * kept with the request so later changes update it instead of posting another.
 */
import { type AccessRequest, type MessageRef, STATUSES } from '../domain/request';
import { describeError, type Logger } from '../runtime/logger';
import type { ThreadDetails } from '../slack/blocks/request-messages';
import type { Ports } from './ports';

/** What telling people takes: Slack's messages, and the store that keeps where they went. */
export type NotifyPorts = Pick<Ports, 'notifier' | 'store'>;

/** Which messages to bring up to date. */
export interface Announcement {
  readonly approval?: boolean;
  readonly requester?: boolean;
  /** Thread the latest event under the approval message (with these details). */
  readonly thread?: ThreadDetails;
}

/**
 * Brings the chosen messages up to date. Best effort: the change has already happened (and is in
 * DynamoDB), so a Slack failure is logged and never undoes or fails it.
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
  if (what.requester) {
    const ref = await bestEffort(log, 'requester not told', () => ports.notifier.requester(current));
    if (ref && !current.slack.requester) current = await keepRef(ports, current, 'requester', ref);
    missed ||= ref === undefined;
  }
  // Nobody may be left believing an older state: the reconciler brings the messages up to date.
  if (missed) await bestEffort(log, 'message repair not flagged', () => ports.store.flagNotify(request.id));
  if (what.thread) {
    const details = what.thread;
    await bestEffort(log, 'event not threaded', () => ports.notifier.thread(current, details));
  }
  return current;
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
export async function postApprovalMessage(ports: NotifyPorts, request: AccessRequest): Promise<AccessRequest> {
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
