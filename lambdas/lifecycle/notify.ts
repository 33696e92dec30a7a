/**
 * Telling people about a request's change: the approval message and the requester's DM updated in
 * place, an event threaded under the approval message. Where a message is new, where it went is
 * kept with the request so later changes update it instead of posting another.
 */
import { type AccessRequest, type MessageRef, STATUSES } from '../domain/request';
import { describeError, type Logger } from '../runtime/logger';
import type { Runtime } from '../runtime/runtime';
import type { ThreadDetails } from '../slack/blocks/request-messages';

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
  rt: Runtime,
  request: AccessRequest,
  what: Announcement,
  log: Logger,
): Promise<AccessRequest> {
  let current = request;
  let missed = false;
  if (what.approval && current.slack.approval) {
    missed = (await bestEffort(log, 'approval message not updated', () => rt.notifier.approval(current))) === undefined;
  }
  if (what.requester) {
    const ref = await bestEffort(log, 'requester not told', () => rt.notifier.requester(current));
    if (ref && !current.slack.requester) current = await keepRef(rt, current, 'requester', ref);
    missed ||= ref === undefined;
  }
  // Nobody may be left believing an older state: the reconciler brings the messages up to date.
  if (missed) await bestEffort(log, 'message repair not flagged', () => rt.store.flagNotify(request.id));
  if (what.thread) {
    const details = what.thread;
    await bestEffort(log, 'event not threaded', () => rt.notifier.thread(current, details));
  }
  return current;
}

/**
 * Brings the approval message and the requester's DM up to date after an earlier update was lost;
 * clears the store's flag only when both went through.
 */
export async function repairMessages(rt: Runtime, request: AccessRequest, log: Logger): Promise<boolean> {
  if (request.slack.approval) await rt.notifier.approval(request);
  const ref = await rt.notifier.requester(request);
  if (!request.slack.requester) await keepRef(rt, request, 'requester', ref);
  log.info('messages brought up to date', { status: request.status });
  await rt.store.update(request.id, STATUSES, (s) => ({ ...s, notifyRepair: false }));
  return true;
}

/** Posts (or updates) the approval message and keeps where it went; throws when Slack refuses, since nobody could approve. */
export async function postApprovalMessage(rt: Runtime, request: AccessRequest): Promise<AccessRequest> {
  const ref = await rt.notifier.approval(request);
  return request.slack.approval ? request : keepRef(rt, request, 'approval', ref);
}

async function keepRef(
  rt: Runtime,
  request: AccessRequest,
  kind: 'approval' | 'requester',
  ref: MessageRef,
): Promise<AccessRequest> {
  // Message references are the store's own facts: kept whatever the status has become meanwhile.
  const { stored } = await rt.store.update(request.id, STATUSES, (s) => ({
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
