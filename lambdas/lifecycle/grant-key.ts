/** The facts that tie a request to its one JIT entry on the cluster. */
import type { AccessRequest } from '../domain/request';
import type { GrantKey } from '../store/table';
import { RequestInvalidError } from './errors';

/** The grant lock key of a request: (cluster, SVM uuid, account, application). */
export function grantKeyOf(request: AccessRequest): GrantKey {
  const svmUuid = request.svm.uuid;
  if (!svmUuid) throw new RequestInvalidError(`Request ${request.id} has no SVM uuid; it was never validated.`);
  return {
    cluster: request.cluster,
    svmUuid,
    account: request.requester.ontapAccount,
    application: request.application,
  };
}

/**
 * The JIT entry's `comment`: names the request and the requester, so the entry on the cluster says
 * who and why, and a revoke can prove the entry is this request's before it deletes it.
 */
export function entryComment(request: AccessRequest): string {
  const who = request.requester.name
    ? `${request.requester.name} (${request.requester.slackUserId})`
    : request.requester.slackUserId;
  return `ontap-jit-approvals request ${request.id} for ${who}`.slice(0, 250);
}
