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
import { nowOf } from '../runtime/clock';
import type { Requester } from '../slack/directory';
import { WorkflowCallError } from '../stepfunctions/errors';
import { DuplicateRequestError } from '../store/errors';
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
}

/**
 * Records the request (PENDING) and starts its workflow, named after the request: the two calls Slack's
 * answer waits for. The REQUESTED audit item is written by the workflow's first step (validate), off the
 * answer's path; the event is in the request's own history from the start. A delivery seen before returns the recorded request, and starts its workflow
 * again while it is pending and the workflow has not recorded its execution: a start with the same name and input is
 * idempotent, so a retry whose first try died between the write and the start is not left waiting.
 * The workflow records its execution ARN itself (validate), so nothing is written after the start.
 * Refuses (OpenRequestLimitError) a person who already has the policy's `maxOpenRequests` open.
 */
export async function submitRequest(ports: SubmitPorts, input: SubmitInput, log: Logger): Promise<Submitted> {
  const id = requestIdFor(input.deliveryKey);
  const at = toUtcSecond(nowOf(ports.clock));
  await checkOpenLimit(ports, { id, requester: input.requester, policy: input.checked.policy });
  const start = async (): Promise<void> => {
    try {
      await ports.workflow.start(id);
    } catch (error) {
      if (!input.resubmittable && error instanceof WorkflowCallError) await abandon(ports, id, at, log);
      throw error;
    }
  };
  const submitted = await record(ports, id, input, at, start);
  const { request, duplicate } = submitted;
  if (duplicate && request.status === 'PENDING' && request.executionArn === undefined) await start();
  log.info({ msg: 'request submitted', requestId: id, duplicate });
  return submitted;
}

/**
 * Refuses (OpenRequestLimitError) a new request from a person who already has the policy's
 * `maxOpenRequests` open under it, counted over every Slack id the configuration knows is them.
 * The request being submitted (a retried delivery) does not count against itself.
 */
export async function checkOpenLimit(
  ports: Pick<IngressPorts, 'store' | 'config'>,
  input: { readonly id: string; readonly requester: Requester; readonly policy: CheckedRequest['policy'] },
): Promise<void> {
  const { requester, policy } = input;
  const ids = knownSlackIds(ports.config.slack.accounts, requester.slackUserId, requester.ontapAccount);
  const lists = await Promise.all(ids.map((userId) => ports.store.listOpenByRequester(userId)));
  const open = lists.flat().filter((r) => r.id !== input.id && r.policy === policy.name);
  if (open.length >= policy.maxOpenRequests) throw new OpenRequestLimitError(open.length, policy.name);
}

/** The request recorded for this delivery: made now, or found from an earlier try of the same delivery. */
async function record(
  ports: SubmitPorts,
  id: string,
  input: SubmitInput,
  at: string,
  start: () => Promise<void>,
): Promise<Submitted> {
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
      start,
      { openingLater: true },
    );
    return { request, duplicate: false };
  } catch (error) {
    if (!(error instanceof DuplicateRequestError)) throw error;
    const request = await ports.store.get(id);
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
