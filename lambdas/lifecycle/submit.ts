/**
 * Submit: a checked draft becomes a recorded request and a running workflow. The request id is
 * derived from the Slack delivery (the modal's view id, the command's trigger id), so a retried
 * delivery finds the request it already made instead of making a second one.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import { toUtcSecond } from '../domain/durations';
import { OpenRequestLimitError } from '../domain/errors';
import { knownSlackIds } from '../domain/people';
import { type AccessRequest, newRequest } from '../domain/request';
import type { CheckedRequest } from '../domain/request-form';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import type { Requester } from '../slack/directory';
import { WorkflowCallError } from '../stepfunctions/errors';
import { DuplicateRequestError, WriteUnconfirmedError } from '../store/errors';
import { SubmissionSpentError, SubmissionUnconfirmedError } from './errors';
import type { IngressPorts } from './ports';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The request id for a Slack delivery: `JIT-` and 12 base-32 characters of a hash of the delivery key. */
export function requestIdFor(deliveryKey: string): string {
  const digest = createHash('sha256').update(deliveryKey).digest();
  let out = '';
  for (let i = 0; i < 12; i++) out += CROCKFORD[(digest[i] ?? 0) % 32];
  return `JIT-${out}`;
}

/** What submitting came to. */
export interface Submitted {
  readonly request: AccessRequest;
  /** True when this delivery had already been recorded (a retry): nothing new was made. */
  readonly duplicate: boolean;
}

/** What submit works with. */
export type SubmitPorts = Pick<IngressPorts, 'store' | 'workflow' | 'config' | 'clock'>;

/** One submission: the Slack delivery it came in, who asks, and the draft the form rules accepted. */
export interface SubmitInput {
  /** Names the delivery (team, surface, view or trigger id); the request id derives from it. */
  readonly deliveryKey: string;
  readonly requester: Requester;
  readonly checked: CheckedRequest;
  /**
   * Whether the person can send this same delivery again (a modal stays open with the error). When
   * not (a one-line `/jit`), a request whose workflow could not be started is closed, not left waiting.
   */
  readonly resubmittable: boolean;
  /** The person's open requests, read while who they are was being looked up (`readOpenRequests`). */
  readonly open?: OpenRequests;
}

/**
 * Records the request (PENDING) and starts its workflow, named after the request: the two calls Slack's
 * answer waits for, made at once. The start does not need the write's answer: its name and input follow
 * from the request id, so starting twice is one execution. The workflow's first step (validate) reads the
 * request again a while when the write lands after it, and ends quietly when the write failed: the person
 * is told the submission failed, and nothing was asked of anyone. Nobody is told "submitted" before the
 * write succeeded. A write whose answer was lost is read back by the store and known as made or not; when
 * even that read fails, the person is told it could not be confirmed (SubmissionUnconfirmedError).
 *
 * The REQUESTED audit item and the execution ARN are written by validate, off the answer's path. A delivery
 * seen before returns the recorded request; its start finds the running execution (or starts it, when the
 * first try's start failed). A start that failed while the write succeeded leaves a modal's request waiting
 * for the form to be sent again (the reconciler closes it after a grace), and closes a one-line request.
 * Refuses (OpenRequestLimitError) a person who already has the policy's `maxOpenRequests` open, before
 * anything is written or started.
 */
export async function submitRequest(ports: SubmitPorts, input: SubmitInput, log: Logger): Promise<Submitted> {
  const id = requestIdFor(input.deliveryKey);
  const at = toUtcSecond(nowOf(ports.clock));
  await checkOpenLimit(ports, { id, requester: input.requester, policy: input.checked.policy }, input.open);
  const [written, started] = await Promise.allSettled([record(ports, id, input, at), ports.workflow.start(id)]);
  if (written.status === 'rejected') {
    const startedToo = started.status === 'fulfilled';
    // The store read the write back and could not tell: never "nothing was changed".
    if (written.reason instanceof WriteUnconfirmedError) {
      log.error({ msg: 'request write unconfirmed', requestId: id, error: String(written.reason.cause) });
      throw new SubmissionUnconfirmedError({ resubmittable: input.resubmittable, started: startedToo });
    }
    // A start that went through runs a workflow that finds no request: it waits a while, then ends quietly.
    if (startedToo) log.warn({ msg: 'request not recorded', requestId: id });
    throw written.reason;
  }
  const submitted = written.value;
  await settleStart(ports, { id, at, input, submitted, started }, log);
  log.info({ msg: 'request submitted', requestId: id, duplicate: submitted.duplicate });
  return submitted;
}

/**
 * What the start came to, for a request now recorded. A retried delivery whose workflow has recorded its
 * execution, or whose request is closed, needed no start. Otherwise: a failed start is thrown (closing a
 * one-line request first); a new request whose execution name was already taken by an execution that has
 * ended (AWS and the local runner alike answer a running one's name as a start) can never run: it is
 * closed, and the person told to ask again.
 */
async function settleStart(
  ports: SubmitPorts,
  s: {
    readonly id: string;
    readonly at: string;
    readonly input: SubmitInput;
    readonly submitted: Submitted;
    readonly started: PromiseSettledResult<{ readonly alreadyStarted: boolean }>;
  },
  log: Logger,
): Promise<void> {
  const { request, duplicate } = s.submitted;
  if (duplicate && !(request.status === 'PENDING' && request.executionArn === undefined)) return;
  if (s.started.status === 'rejected') {
    const error: unknown = s.started.reason;
    if (!s.input.resubmittable && error instanceof WorkflowCallError) await abandon(ports, s.id, s.at, log);
    throw error;
  }
  if (!duplicate && s.started.value.alreadyStarted) {
    log.warn({ msg: 'request recorded after its workflow ended without it', requestId: s.id });
    await abandon(ports, s.id, s.at, log);
    throw new SubmissionSpentError();
  }
}

/** A person's open requests, by Slack id, each read at most once per submission. */
export interface OpenRequests {
  of(slackUserId: string): Promise<AccessRequest[]>;
}

/**
 * Starts reading the open requests of `slackUserId` (and of the Slack ids the configuration alone says are
 * the same person), so the read runs beside the Slack lookup of who they are: the count only needs their
 * ids. Read, not decided: the limit is still checked (`checkOpenLimit`) after the lookup and the form, and a
 * submission refused earlier wastes one read and changes nothing.
 */
export function readOpenRequests(ports: Pick<IngressPorts, 'store' | 'config'>, slackUserId: string): OpenRequests {
  const reads = new Map<string, Promise<AccessRequest[]>>();
  const of = (userId: string): Promise<AccessRequest[]> => {
    let read = reads.get(userId);
    if (read === undefined) {
      // Awaited by the check, if the submission gets that far; nobody else waits for it.
      read = awaitedLater(ports.store.listOpenByRequester(userId));
      reads.set(userId, read);
    }
    return read;
  };
  const accounts = ports.config.slack.accounts;
  const mapped = accounts.map[slackUserId];
  for (const id of mapped === undefined ? [slackUserId] : knownSlackIds(accounts, slackUserId, mapped)) of(id);
  return { of };
}

/**
 * Refuses (OpenRequestLimitError) a new request from a person who already has the policy's
 * `maxOpenRequests` open under it, counted over every Slack id the configuration knows is them.
 * The request being submitted (a retried delivery) does not count against itself. `open` holds the
 * reads already started (`readOpenRequests`); the ids it lacks are read now.
 */
export async function checkOpenLimit(
  ports: Pick<IngressPorts, 'store' | 'config'>,
  input: { readonly id: string; readonly requester: Requester; readonly policy: CheckedRequest['policy'] },
  open: OpenRequests = readOpenRequests(ports, input.requester.slackUserId),
): Promise<void> {
  const { requester, policy } = input;
  const ids = knownSlackIds(ports.config.slack.accounts, requester.slackUserId, requester.ontapAccount);
  const lists = await Promise.all(ids.map((userId) => open.of(userId)));
  const counted = lists.flat().filter((r) => r.id !== input.id && r.policy === policy.name);
  if (counted.length >= policy.maxOpenRequests) throw new OpenRequestLimitError(counted.length, policy.name);
}

/** The request recorded for this delivery: made now, or found from an earlier try of the same delivery. */
async function record(ports: SubmitPorts, id: string, input: SubmitInput, at: string): Promise<Submitted> {
  const { requester, checked } = input;
  try {
    const request = await ports.store.create(
      newRequest({
        id,
        createdAt: at,
        requester: {
          slackUserId: requester.slackUserId,
          ontapAccount: requester.ontapAccount,
          ...(requester.name !== undefined ? { name: requester.name } : {}),
        },
        cluster: checked.cluster,
        svm: { name: checked.svm },
        role: checked.role,
        application: 'ssh',
        policy: checked.policy.name,
        approvalsRequired: checked.policy.approvalsRequired,
        durationSeconds: checked.durationSeconds,
        justification: checked.justification,
        ...(checked.requestedStart !== undefined ? { requestedStart: checked.requestedStart } : {}),
        ...(checked.ticket !== undefined ? { ticket: checked.ticket } : {}),
        ...(checked.breakGlass !== undefined
          ? {
              breakGlass: { reason: checked.breakGlass.reason, mention: checked.policy.breakGlass?.mention ?? '@here' },
            }
          : {}),
      }),
      requester.slackUserId,
      { openingLater: true },
    );
    return { request, duplicate: false };
  } catch (error) {
    if (!(error instanceof DuplicateRequestError)) throw error;
    const request = error.existing ?? (await ports.store.get(id));
    // Another person's delivery hashed to this id: never hand them this request.
    if (request.requester.slackUserId !== requester.slackUserId) throw error;
    return { request, duplicate: true };
  }
}

/** Closes a request whose workflow could not be started, so it does not wait forever. Best effort. */
async function abandon(ports: SubmitPorts, id: string, at: string, log: Logger): Promise<void> {
  try {
    await ports.store.apply(id, {
      type: 'VALIDATION_FAILED',
      at,
      reason: 'The approval workflow could not be started.',
    });
  } catch (error) {
    log.warn({ msg: 'request whose workflow did not start was not closed', requestId: id, error: String(error) });
  }
}
