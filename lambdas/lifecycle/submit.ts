/**
 * Turning a checked draft into a recorded request and a running workflow. The request id is
 * derived from the Slack delivery (the modal's view id, the command's trigger id), so a retried
 * delivery finds the request it already made instead of making a second one.
 */
import { createHash } from 'node:crypto';
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import { toUtcSecond } from '../domain/durations';
import { OpenRequestLimitError } from '../domain/errors';
import { knownSlackIds } from '../domain/people';
import { type AccessRequest, newRequest, STATUSES } from '../domain/request';
import type { CheckedRequest } from '../domain/request-form';
import type { Requester } from '../slack/directory';
import type { WorkflowClient } from '../stepfunctions/client';
import { DuplicateRequestError } from '../store/errors';
import type { RequestStore } from '../store/requests';

/** The workflow calls the ingress makes. */
export type WorkflowSignals = Pick<WorkflowClient, 'start' | 'resumeApproval' | 'endNow'>;

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

/** Records requests and starts their workflows. */
export class Intake {
  constructor(
    private readonly store: RequestStore,
    private readonly workflow: WorkflowSignals,
    private readonly accounts: Config['slack']['accounts'],
  ) {}

  /**
   * Refuses (OpenRequestLimitError) a new request from a person who already has the policy's
   * `maxOpenRequests` open under it, counted over every Slack id the configuration knows is them.
   * The request being submitted (a retried delivery) does not count against itself.
   */
  async checkOpenLimit(id: string, requester: Requester, policy: CheckedRequest['policy']): Promise<void> {
    const ids = knownSlackIds(this.accounts, requester.slackUserId, requester.ontapAccount);
    const lists = await Promise.all(ids.map((userId) => this.store.listOpenByRequester(userId)));
    const open = lists.flat().filter((r) => r.id !== id && r.policy === policy.name);
    if (open.length >= policy.maxOpenRequests) throw new OpenRequestLimitError(open.length, policy.name);
  }

  /**
   * Records the request (PENDING) and starts its workflow, named after the request. A delivery seen
   * before returns the recorded request, starting its workflow only if that had not happened yet.
   */
  async submit(deliveryKey: string, requester: Requester, checked: CheckedRequest, now: DateTime): Promise<Submitted> {
    const id = requestIdFor(deliveryKey);
    await this.checkOpenLimit(id, requester, checked.policy);
    let request: AccessRequest;
    let duplicate = false;
    try {
      request = await this.store.create(
        newRequest({
          id,
          createdAt: toUtcSecond(now),
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
        }),
        requester.slackUserId,
      );
    } catch (error) {
      if (!(error instanceof DuplicateRequestError)) throw error;
      request = await this.store.get(id);
      if (request.requester.slackUserId !== requester.slackUserId) throw error;
      duplicate = true;
    }
    if (request.executionArn !== undefined) return { request, duplicate };
    const { executionArn } = await this.workflow.start(id);
    const { stored } = await this.store.update(id, STATUSES, (s) =>
      s.request.executionArn === undefined ? { ...s, request: { ...s.request, executionArn } } : s,
    );
    return { request: stored.request, duplicate };
  }

  /** Marks a request whose workflow could not be started as failed, so it does not wait forever. */
  async abandon(id: string, now: DateTime): Promise<void> {
    await this.store.apply(id, {
      type: 'VALIDATION_FAILED',
      at: toUtcSecond(now),
      reason: 'The approval workflow could not be started.',
    });
  }
}
