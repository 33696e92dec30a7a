/**
 * The approval wait. AwaitApproval keeps the task token with the request (never in Slack) and posts
 * the approval message; the Slack side records a decision and only then completes the token, with
 * the completion the stored request gives (domain/approval-route.ts). A completion that says "grant
 * now" goes straight to the grant, which reads the request again; any other completion, and a
 * timeout, goes to CheckApproval, which decides from the stored status, not from the token's output:
 * an approval that landed just before the timeout still counts.
 */
import { approvalCompletion, approvedRoute, grantAhead, minRemainingSeconds } from '../domain/approval-route';
import { toUtcSecond } from '../domain/durations';
import type { Policy } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { approvalWaitSeconds } from '../domain/window';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { SlackTransientError } from '../slack/errors';
import { type BreakGlassPorts, breakGlassNow } from './break-glass';
import { ApprovalNotPostedError } from './errors';
import { announce, postApprovalMessage } from './notify';
import type { Ports } from './ports';
import { reauthorize } from './reauthorize';
import { remindOrExpire } from './remind';
import { type CheckApprovalOutput, isTimeout } from './task-io';

/**
 * AwaitApproval: keeps the token, posts the approval message. Completes its own token if the request
 * was decided before the wait began.
 */
export async function awaitApproval(
  ports: BreakGlassPorts,
  input: { requestId: string; taskToken: string },
  log: Logger,
): Promise<{ waiting: boolean }> {
  const kept = await ports.store.setToken(input.requestId, 'approval', input.taskToken, ['PENDING']);
  const request = await ports.store.get(input.requestId);
  if (!kept) {
    // Decided (cancelled, most likely) before the token could be kept: nobody else can complete it.
    log.info('request moved on before the approval wait; ending the wait', { status: request.status });
    const completion = approvalCompletion(request, nowOf(ports.clock), policyOf(ports, request));
    await ports.workflow.resumeApproval(input.taskToken, completion);
    return { waiting: false };
  }
  // Break-glass: announced, the requester checked again, self-granted; the wait ends at once.
  if (request.breakGlass) return breakGlassNow(ports, request, input.taskToken, log);
  try {
    await postApprovalMessage(ports, request);
  } catch (error) {
    if (error instanceof SlackTransientError) throw error;
    throw new ApprovalNotPostedError({ cause: error });
  }
  return { waiting: true };
}

/** The request's policy, if it is still configured. */
function policyOf(ports: Pick<Ports, 'config'>, request: AccessRequest): Policy | undefined {
  return ports.config.policies.find((p) => p.name === request.policy);
}

/** The policy's minimum of a scheduled window worth granting, in seconds. */
export function minRemainingOf(ports: Pick<Ports, 'config'>, request: AccessRequest): number {
  return minRemainingSeconds(policyOf(ports, request));
}

/** Approved too late: too little of the requested window is left, so it expires with nothing granted. */
async function windowPassed(
  ports: Pick<Ports, 'store' | 'clock' | 'notifier'>,
  request: AccessRequest,
  log: Logger,
): Promise<CheckApprovalOutput> {
  const result = await ports.store.apply(request.id, { type: 'WINDOW_PASSED', at: toUtcSecond(nowOf(ports.clock)) });
  log.info(result.ok ? 'approved too late for its window; expired' : 'window passed, but the request moved on', {
    status: result.request.status,
    requestedStart: request.requestedStart,
  });
  await announce(ports, result.request, { approval: true, requester: true }, log);
  if (result.request.status === 'CANCELLED') return { route: 'CANCELLED' };
  return result.request.status === 'EXPIRED' ? { route: 'EXPIRED' } : { route: 'CLOSED' };
}

/**
 * CheckApproval. Phase `approval`: after the wait; a timeout with the request still pending expires
 * it. Phase `start`: after the wait for a scheduled start (cancelled meanwhile?). Either way the
 * stored status routes the workflow (by the same rule the Slack side completes the wait with), and
 * the people concerned are told; an approval granted now is told by the grant, after the entry exists.
 */
export async function checkApproval(
  ports: Pick<Ports, 'store' | 'config' | 'clock' | 'directory' | 'notifier'>,
  input: { requestId: string; phase: 'approval' | 'start'; wait?: unknown },
  log: Logger,
): Promise<CheckApprovalOutput> {
  let request = await ports.store.get(input.requestId);
  if (input.phase === 'approval' && request.status === 'PENDING') {
    const policy = ports.config.policies.find((p) => p.name === request.policy);
    // Under reminders the wait runs in steps to a fixed deadline: remind, escalate, wait again.
    const next = policy?.reminders ? await remindOrExpire(ports, request, policy, log) : undefined;
    if (next !== undefined) return { route: 'AWAIT', approvalTimeoutSeconds: next };
    // Completed without a decision on record (e.g. 1 of 2 approvals): wait again, but a scheduled
    // request never past the point where too little of its window would be left.
    const checkedAt = nowOf(ports.clock);
    const renewed = policy ? approvalWaitSeconds(request, checkedAt, policy.approvalTimeout, policy.minRemaining) : 0;
    if (!policy?.reminders && !isTimeout(input.wait) && renewed >= 1) {
      log.warn('approval wait ended with the request still pending; waiting again', {
        approvalTimeoutSeconds: renewed,
      });
      return { route: 'AWAIT', approvalTimeoutSeconds: renewed };
    }
    const result = await ports.store.apply(request.id, {
      type: 'APPROVAL_TIMEOUT',
      at: toUtcSecond(nowOf(ports.clock)),
    });
    // Refused only if a decision landed meanwhile: then that decision stands.
    request = result.request;
    log.info(result.ok ? 'approval timed out' : 'approval timed out, but a decision landed first', {
      status: request.status,
    });
  }
  switch (request.status) {
    case 'APPROVED': {
      const next = approvedRoute(request, nowOf(ports.clock), minRemainingOf(ports, request));
      if (next.route === 'PASSED') return windowPassed(ports, request, log);
      // Straight to the grant, which checks the requester again, creates the entry and only then tells both
      // sides: nothing but what the grant needs sits between the approval and the cluster.
      if (next.route === 'GRANT') {
        const ahead = grantAhead(request, next.start, minRemainingOf(ports, request));
        return { ...next, ...(ahead ? { ahead } : {}) };
      }
      // Before anyone is told it is approved for later: does the requester still qualify?
      if (!(await reauthorize(ports, request, log)).ok) return { route: 'CLOSED' };
      if (input.phase === 'approval') await announce(ports, request, { approval: true, requester: true }, log);
      return next;
    }
    case 'DENIED':
      await announce(ports, request, { approval: true, requester: true }, log);
      return { route: 'DENIED' };
    case 'CANCELLED':
      await announce(ports, request, { approval: true, requester: true }, log);
      return { route: 'CANCELLED' };
    case 'EXPIRED':
      await announce(ports, request, { approval: true, requester: true }, log);
      return { route: 'EXPIRED' };
    case 'FAILED':
      // Closed at an approval (the requester no longer qualifies): the ingress recorded it, this tells them.
      await announce(ports, request, { approval: true, requester: true, thread: {} }, log);
      return { route: 'CLOSED' };
    default:
      log.warn('request closed elsewhere', { status: request.status });
      return { route: 'CLOSED' };
  }
}
