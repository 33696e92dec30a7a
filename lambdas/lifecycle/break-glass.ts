/**
 * Break-glass in the workflow. A break-glass request runs the usual workflow: Validate checks it
 * against the policy and the cluster like any other; at AwaitApproval, instead of waiting for
 * approvers, the announcement is posted (with the policy's mention), the requester is checked again
 * (still named for break-glass, still a requester, same ONTAP account), and the self-grant is
 * recorded by a conditional write (PENDING -> APPROVED, BREAK_GLASS). The wait's own token is then
 * completed as an approval's is (domain/approval-route.ts), so the workflow goes straight to Grant,
 * which checks the requester once more, takes the grant lock and creates the entry: no state is added,
 * a break-glass lifecycle takes the same transitions as an approved one.
 *
 * The announcement is the approval message, kept by reference, so a retried task updates it rather
 * than posting again; the BreakGlassUsed metric is counted by the write that recorded the self-grant,
 * which succeeds once per request. A lost completion is sent again by the reconciler (the request is
 * APPROVED with its token stored), as for a lost approval.
 *
 * An unreviewed break-glass is escalated once by the reconciler when its review is due
 * (`escalateReview`); the pass counts it as BreakGlassUnreviewed.
 */
import { approvalCompletion } from '../domain/approval-route';
import { BREAK_GLASS_ESCALATED, mentionMarkup, reviewDueAt, reviewEscalationDue } from '../domain/break-glass';
import { toUtcSecond } from '../domain/durations';
import { LimitExceededError, NotAllowedError } from '../domain/errors';
import { type AccessRequest, STATUSES } from '../domain/request';
import { nowOf } from '../runtime/clock';
import { countMetric, describeError, type Logger } from '../runtime/logger';
import { BREAK_GLASS_METRICS } from '../runtime/metrics';
import { reviewEscalation } from '../slack/blocks/break-glass';
import { SlackTransientError } from '../slack/errors';
import { ApprovalNotPostedError } from './errors';
import { postApprovalMessage } from './notify';
import type { Ports } from './ports';
import { reauthorize } from './reauthorize';

/** What the self-grant works with. */
export type BreakGlassPorts = Pick<
  Ports,
  'store' | 'workflow' | 'notifier' | 'config' | 'directory' | 'clock' | 'metrics'
>;

/**
 * AwaitApproval of a break-glass request whose token is kept: announces it, checks the requester
 * again, records the self-grant and ends the wait at once. Nothing is granted here (Grant does it).
 */
export async function breakGlassNow(
  ports: BreakGlassPorts,
  request: AccessRequest,
  taskToken: string,
  log: Logger,
): Promise<{ waiting: boolean }> {
  try {
    // Loud first: nobody gets access by break-glass that was not announced.
    await postApprovalMessage(ports, request);
  } catch (error) {
    if (error instanceof SlackTransientError) throw error;
    throw new ApprovalNotPostedError({ cause: error });
  }
  const checked = await reauthorize(ports, request, log);
  if (!checked.ok) return end(ports, taskToken, checked.request, log);
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  const at = toUtcSecond(nowOf(ports.clock));
  const reason = request.breakGlass?.reason ?? '';
  const due = policy ? reviewDueAt(policy, at) : at;
  const result = await ports.store.apply(
    request.id,
    { type: 'BREAK_GLASS', by: request.requester.slackUserId, at, reviewDueAt: due, reason },
    (current) => {
      const rules = policy?.breakGlass;
      if (!rules) throw new NotAllowedError(`Policy "${request.policy}" no longer allows break-glass.`);
      if (current.durationSeconds > rules.maxDuration) {
        throw new LimitExceededError('The break-glass maximum of the policy is now shorter than this request.');
      }
    },
  );
  if (result.ok) {
    countMetric(ports.metrics, BREAK_GLASS_METRICS.used, 1);
    log.warn('break-glass used: granted without approval', { policy: request.policy, reviewDueAt: due });
  } else {
    log.info('break-glass not recorded', { status: result.request.status, code: result.error.code });
    if (result.request.status === 'PENDING') {
      // The policy changed under it: closed honestly, the requester told by CheckApproval.
      const closed = await ports.store.apply(request.id, {
        type: 'REAUTHORIZATION_FAILED',
        at,
        reason: result.error.message,
      });
      return end(ports, taskToken, closed.request, log);
    }
  }
  return end(ports, taskToken, result.request, log);
}

/**
 * Completes the wait's own token with what the record gives (a self-grant goes straight to the grant, as an
 * approval does); a lost completion is sent again by the reconciler, so it is only logged.
 */
async function end(
  ports: Pick<Ports, 'workflow' | 'config' | 'clock'>,
  taskToken: string,
  request: AccessRequest,
  log: Logger,
): Promise<{ waiting: boolean }> {
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  try {
    await ports.workflow.resumeApproval(taskToken, approvalCompletion(request, nowOf(ports.clock), policy));
  } catch (error) {
    log.warn('break-glass wait not ended; the reconciler signals it again', describeError(error));
  }
  return { waiting: false };
}

/**
 * Escalates a break-glass nobody reviewed by its due time, once (`told`): to the policy's break-glass
 * escalation, else its reminders' escalation, else under the announcement with its mention. Returns
 * whether it is done; false (tried again later) when Slack refused.
 */
export async function escalateReview(
  ports: Pick<Ports, 'store' | 'notifier' | 'config' | 'clock'>,
  request: AccessRequest,
  log: Logger,
): Promise<boolean> {
  const due = reviewEscalationDue(request);
  if (due === undefined || due > toUtcSecond(nowOf(ports.clock))) return true;
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  const to = policy?.breakGlass?.escalateTo ?? policy?.reminders?.escalateTo;
  const parent = request.slack.approval;
  try {
    const link = parent ? await ports.notifier.permalink(parent) : undefined;
    if (to && 'channel' in to) {
      await ports.notifier.post(to.channel, reviewEscalation(request, '', link));
    } else {
      const mention = to ? `<!subteam^${to.userGroup}>` : mentionMarkup(request.breakGlass?.mention ?? '@here');
      const message = reviewEscalation(request, mention, link);
      if (parent) await ports.notifier.reply(parent, message);
      else await ports.notifier.post(ports.config.slack.approvalChannel, message);
    }
  } catch (error) {
    log.warn('break-glass review escalation not posted; tried again', describeError(error));
    return false;
  }
  // Recorded whatever the status has become: what was told stays told.
  await ports.store.update(request.id, STATUSES, (s) => ({
    ...s,
    request: { ...s.request, told: [...new Set([...(s.request.told ?? []), BREAK_GLASS_ESCALATED])] },
  }));
  log.warn('break-glass not reviewed in time: escalated', { reviewDueAt: due });
  return true;
}
