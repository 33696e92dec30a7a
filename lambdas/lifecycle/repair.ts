/**
 * What the reconciler does for one due item, decided from its record alone. Every repair is
 * idempotent, so a repair that runs twice, or beside the workflow doing the same, changes nothing
 * the second time:
 *   - an approval or "Revoke now" recorded but not taken up: its signal is sent again with the
 *     token in the store, or, when the execution is gone, carried out here (a revoke) or closed
 *     honestly (an approval that can no longer be granted fails, cleaned up);
 *   - a live grant past its end, or a revoke that failed: the revoke runs again;
 *   - a failed grant whose clean-up is pending: the clean-up runs again; once the cluster confirms
 *     no entry names the request, CLEANED_UP is recorded and only then is anyone told;
 *   - a grant lock past its grant: released once its request is finished and its entry gone;
 *   - an audit item missing for a recorded event: written;
 *   - a Slack update that was lost: the approval message and the requester's DM brought up to date.
 */
import { type Attention, attentionOf } from '../domain/attention';
import { toUtcSecond } from '../domain/durations';
import { type AccessRequest, isTerminal } from '../domain/request';
import { OntapJitEntryMismatchError } from '../ontap';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { Runtime } from '../runtime/runtime';
import type { DueItem } from '../store/due-items';
import { RequestNotFoundError } from '../store/errors';
import type { StoredRequest } from '../store/items';
import type { GrantKey } from '../store/table';
import { revokeAccess } from './await-end';
import { cleanUpGrant } from './grant';
import { entryComment } from './grant-key';
import { announce, repairMessages } from './notify';

/** Told what each repair did. */
type Count = (event: RepairEvent, n?: number) => void;

/** How one item's repair ended: finished, or to be looked at again later. */
export type RepairOutcome = { readonly done: true } | { readonly done: false; readonly waiting?: boolean };

/** What a repair did, counted into the pass's metrics. */
export type RepairEvent =
  | 'signal-resent'
  | 'revoked'
  | 'cleaned-up'
  | 'lock-released'
  | 'audit-repaired'
  | 'messages-repaired'
  | 'approval-closed'
  | 'overdue';

/** Repairs one due item; `count` is told what happened. Throws when a call failed (the pass retries later). */
export async function repairItem(rt: Runtime, item: DueItem, log: Logger, count: Count): Promise<RepairOutcome> {
  switch (item.kind) {
    case 'request':
      return repairRequest(rt, item.stored.request.id, log, count);
    case 'lock':
      return repairLock(rt, item.key, item.requestId, log, count);
    case 'corrupt':
      log.error('a needs-attention item does not match its schema; left for an operator', { key: item.key });
      return { done: false, waiting: true };
  }
}

async function repairRequest(rt: Runtime, id: string, log: Logger, count: Count): Promise<RepairOutcome> {
  let stored: StoredRequest = await rt.store.getStored(id);
  if (stored.auditRepair) {
    count('audit-repaired', await rt.store.repairAudit(id));
    stored = await rt.store.getStored(id);
  }
  if (stored.notifyRepair) {
    await repairMessages(rt, stored.request, log);
    count('messages-repaired');
    stored = await rt.store.getStored(id);
  }
  const request = stored.request;
  const attention = attentionOf(request);
  // The index lags the item a little: what the record says now decides.
  if (!attention || attention.due > toUtcSecond(nowOf(rt.clock))) return { done: true };
  return repairOwed(rt, attention.why, stored, log, count);
}

async function repairOwed(
  rt: Runtime,
  why: Attention,
  stored: StoredRequest,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  const { request, tokens } = stored;
  switch (why) {
    case 'signal-approval': {
      if (tokens.approval && (await rt.workflow.resumeApproval(tokens.approval, { decision: 'APPROVED' }))) {
        log.warn('approval signal sent again');
        count('signal-resent');
        return { done: false, waiting: true };
      }
      if ((await rt.workflow.executionState(request.id)) === 'RUNNING') return { done: false, waiting: true };
      await closeStrandedApproval(rt, request, log);
      count('approval-closed');
      return { done: true };
    }
    case 'signal-revoke': {
      if (tokens.end && (await rt.workflow.endNow(tokens.end))) {
        log.warn('"Revoke now" signal sent again');
        count('signal-resent');
        return { done: false, waiting: true };
      }
      // The workflow's own revoke is running (its retries): let it finish first.
      if ((await rt.workflow.executionState(request.id)) === 'RUNNING') return { done: false, waiting: true };
      return revokeHere(rt, request, log, count);
    }
    case 'overdue': {
      count('overdue');
      const window = 'window' in request ? request.window : undefined;
      log.warn('grant live past its end', { status: request.status, window });
      return revokeHere(rt, request, log, count);
    }
    case 'retry-revoke':
      return revokeHere(rt, request, log, count);
    case 'clean-up':
      return finishCleanUp(rt, request, log, count);
  }
}

async function revokeHere(rt: Runtime, request: AccessRequest, log: Logger, count: Count): Promise<RepairOutcome> {
  const { status } = await revokeAccess(rt, { requestId: request.id }, log);
  if (status === 'ACTIVE' || status === 'REVOKE_FAILED') return { done: false };
  count('revoked');
  return { done: true };
}

/** An approval whose execution is gone cannot be granted any more: fail it, cleaned up, and say so. */
async function closeStrandedApproval(rt: Runtime, request: AccessRequest, log: Logger): Promise<void> {
  let cleanupPending = false;
  try {
    await cleanUpGrant(rt, request, log);
  } catch {
    cleanupPending = true;
  }
  const reason = 'The approval workflow stopped before the access was granted; please ask again.';
  const at = toUtcSecond(nowOf(rt.clock));
  const result = await rt.store.apply(request.id, { type: 'GRANT_FAILED', at, reason, cleanupPending });
  if (result.ok) await announce(rt, result.request, { approval: true, requester: true, thread: {} }, log);
}

async function finishCleanUp(rt: Runtime, request: AccessRequest, log: Logger, count: Count): Promise<RepairOutcome> {
  // Throws while the cluster cannot be asked: the request stays pending and keeps its lock.
  const { removed } = await cleanUpGrant(rt, request, log);
  const result = await rt.store.apply(request.id, { type: 'CLEANED_UP', at: toUtcSecond(nowOf(rt.clock)) });
  log.info('failed grant cleaned up', { removed });
  count('cleaned-up');
  const told = { approval: true, requester: true, thread: { cleanedUp: true } };
  if (result.ok) await announce(rt, result.request, told, log);
  return { done: true };
}

/** A lock past its grant: released once its request is finished and the cluster has no entry naming it. */
async function repairLock(
  rt: Runtime,
  key: GrantKey,
  requestId: string,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  let request: AccessRequest | undefined;
  try {
    request = await rt.store.get(requestId);
  } catch (error) {
    if (!(error instanceof RequestNotFoundError)) throw error;
  }
  // A live grant, or a clean-up still pending: the request's own repair releases the lock when done.
  const cleaningUp = request?.status === 'FAILED' && request.cleanupPending === true;
  if (request && (!isTerminal(request) || cleaningUp)) return { done: false, waiting: true };
  const ontap = await rt.ontap(key.cluster);
  if (request) {
    try {
      await ontap.removeJitUser(key.svmUuid, key.account, 'ssh', { onlyIfComment: entryComment(request) });
    } catch (error) {
      if (!(error instanceof OntapJitEntryMismatchError)) throw error;
    }
  } else {
    // The request has expired from the table: only an entry whose comment names it is its own.
    const entry = await ontap.getJitUser(key.svmUuid, key.account, 'ssh');
    if (entry?.comment?.includes(`request ${requestId} `)) await ontap.deleteJitUser(key.svmUuid, key.account, 'ssh');
  }
  if (await rt.store.releaseGrantLock(key, requestId)) {
    log.warn('grant lock of a finished request released', { requestId, cluster: key.cluster, account: key.account });
    count('lock-released');
  }
  return { done: true };
}
