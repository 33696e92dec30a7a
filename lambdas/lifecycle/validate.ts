/**
 * Validate: the request against its policy and against the cluster (SVM, account and its ssh
 * login, role, window length), before anyone is asked to approve it. Records the SVM uuid and
 * what the role may do; tells the requester their request is waiting.
 */
import { breakGlassProblem } from '../domain/break-glass';
import { checkDurationLimits, formatDuration } from '../domain/durations';
import { DomainError } from '../domain/errors';
import { firstApprovalWait } from '../domain/nudges';
import { covers, type Policy } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { approvalWaitSeconds, minimumRemaining } from '../domain/window';
import { describeRole } from '../ontap';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { RequestNotFoundError } from '../store/errors';
import type { StoredRequest } from '../store/items';
import { RequestClosedError, RequestInvalidError, RequestNotRecordedError } from './errors';
import { announce } from './notify';
import type { Ports } from './ports';
import type { ValidateOutput } from './task-io';

/**
 * Validates request `requestId`; throws RequestInvalidError with the reason for the requester, and
 * RequestNotRecordedError while there is no request to validate.
 */
export async function validateRequest(
  ports: Pick<Ports, 'store' | 'config' | 'clock' | 'ontap' | 'notifier'>,
  input: { requestId: string; executionArn?: string },
  log: Logger,
): Promise<ValidateOutput> {
  const opened = await recorded(ports, input.requestId);
  // The REQUESTED audit item is the workflow's to write (Slack's answer does not wait for it), whatever
  // validation finds; it never throws (a lost write flags the request for the reconciler).
  const opening = ports.store.recordOpening(opened);
  try {
    return await validateStored(ports, opened.request, input, log);
  } finally {
    await opening;
  }
}

/**
 * The request the workflow was started for. Submit starts the workflow beside the request's write, so the
 * write may land after this read, or never (it failed, and the person was told so): the state machine reads
 * again a while, then ends without touching anything.
 */
async function recorded(ports: Pick<Ports, 'store'>, requestId: string): Promise<StoredRequest> {
  try {
    return await ports.store.getStored(requestId);
  } catch (error) {
    if (error instanceof RequestNotFoundError) throw new RequestNotRecordedError(requestId, { cause: error });
    throw error;
  }
}

async function validateStored(
  ports: Pick<Ports, 'store' | 'config' | 'clock' | 'ontap' | 'notifier'>,
  request: AccessRequest,
  input: { requestId: string; executionArn?: string },
  log: Logger,
): Promise<ValidateOutput> {
  if (request.status !== 'PENDING') throw new RequestClosedError(request.id, request.status);

  const policy = ports.config.policies.find((p) => p.name === request.policy);
  if (!policy) throw new RequestInvalidError(`Policy "${request.policy}" is no longer configured.`);
  if (!ports.config.clusters.some((c) => c.name === request.cluster))
    throw new RequestInvalidError(`Cluster "${request.cluster}" is no longer configured.`);
  checkPolicyCovers(policy, request);
  const breakGlass = request.breakGlass ? breakGlassProblem(policy, request) : undefined;
  if (breakGlass !== undefined) throw new RequestInvalidError(breakGlass);
  // A scheduled request's approval wait ends once too little of its window would be left to grant.
  const now = nowOf(ports.clock);
  const approvalTimeoutSeconds = approvalWaitSeconds(request, now, policy.approvalTimeout, policy.minRemaining);
  if (approvalTimeoutSeconds < 1) {
    throw new RequestInvalidError(
      'The requested window ends too soon to be approved and granted ' +
        `(at least ${formatDuration(minimumRemaining(request, policy.minRemaining))} of it must be left).`,
    );
  }

  const ontap = await ports.ontap(request.cluster);
  const checked = await ontap.checkJitPrerequisites({
    svmName: request.svm.name,
    account: request.requester.ontapAccount,
    role: request.role,
    jitValidity: request.durationSeconds,
  });
  if (!checked.ok) throw new RequestInvalidError(checked.problems.map((p) => p.message).join(' '));

  // ONTAP's session default, or the policy's; never longer than the window itself.
  const sessionValiditySeconds = Math.min(
    policy.sessionValidity ?? checked.sessionValiditySeconds,
    request.durationSeconds,
  );
  const roleSummary = checked.role.builtin ? undefined : describeRole(checked.role);
  const { ok, stored } = await ports.store.update(request.id, ['PENDING'], (s) => ({
    ...s,
    request: {
      ...s.request,
      svm: { name: checked.svm.name, uuid: checked.svm.uuid },
      ...(roleSummary !== undefined ? { roleSummary } : {}),
      ...(input.executionArn !== undefined && s.request.executionArn === undefined
        ? { executionArn: input.executionArn }
        : {}),
    },
  }));
  if (!ok) throw new RequestClosedError(request.id, stored.request.status);
  log.info('request valid', { svmUuid: checked.svm.uuid, sessionValiditySeconds, window: request.durationSeconds });

  await announce(ports, stored.request, { requester: true }, log);
  // With reminders, the first wait ends at the first reminder or escalation (lifecycle/remind.ts).
  const firstWait = firstApprovalWait(policy.reminders, approvalTimeoutSeconds);
  return { approvalTimeoutSeconds: firstWait, sessionValiditySeconds, svmUuid: checked.svm.uuid };
}

/**
 * The request still fits its policy: the policy may have changed since the request was made, and
 * the workflow only trusts what it checks itself.
 */
function checkPolicyCovers(policy: Policy, request: AccessRequest): void {
  if (!covers(policy.clusters, request.cluster))
    throw new RequestInvalidError(`Policy "${policy.name}" does not cover cluster "${request.cluster}".`);
  if (!covers(policy.svms, request.svm.name))
    throw new RequestInvalidError(`Policy "${policy.name}" does not cover SVM "${request.svm.name}".`);
  if (!policy.roles.includes(request.role))
    throw new RequestInvalidError(`Policy "${policy.name}" does not allow role "${request.role}".`);
  try {
    checkDurationLimits(request.durationSeconds, { policyMax: policy.maxDuration });
  } catch (error) {
    if (error instanceof DomainError) throw new RequestInvalidError(error.message, { cause: error });
    throw error;
  }
}
