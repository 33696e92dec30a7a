/**
 * What the reconciler does for one due item, decided from its record alone. Every repair is
 * idempotent, so a repair that runs twice, or beside the workflow doing the same, changes nothing
 * the second time:
 *   - a request recorded whose workflow never recorded its execution: the execution's ARN kept when
 *     it runs after all, else the request closed (its workflow could not be started) and said so;
 *   - an approval or "Revoke now" recorded but not taken up: its signal is sent again with the
 *     token in the store, or, when the execution is gone, carried out here (a revoke) or closed
 *     honestly (an approval that can no longer be granted fails, cleaned up);
 *   - a live grant past its end, or a revoke that failed: the revoke runs again;
 *   - a failed grant whose clean-up is pending: the clean-up runs again; once the cluster confirms
 *     no entry names the request, CLEANED_UP is recorded and only then is anyone told;
 *   - a grant lock past its grant: released once its request is finished and its entry gone;
 *   - an audit item missing for a recorded event: written;
 *   - a Slack update that was lost: the approval message and the requester's DM brought up to date;
 *   - a milestone message nobody posted (a lost post, a crashed task): told, a grace after it was due.
 */
import { approvalCompletion } from '../domain/approval-route';
import { type Attention, statusAttention } from '../domain/attention';
import { reviewEscalationDue } from '../domain/break-glass';
import { toUtcSecond } from '../domain/durations';
import { noticeDue } from '../domain/milestones';
import { type AccessRequest, isTerminal } from '../domain/request';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { DueItem } from '../store/due-items';
import { RequestNotFoundError } from '../store/errors';
import type { StoredRequest } from '../store/items';
import type { GrantKey } from '../store/table';
import { endReached } from './await-end';
import { escalateReview } from './break-glass';
import { tellDigest } from './digest';
import { cleanUpGrant, removeOwnEntry } from './grant';
import { announce, repairMessages, tellOwed } from './notify';
import type { Ports } from './ports';
import { revokeAccess } from './revoke';

/** Told what each repair did. */
type Count = (event: RepairEvent, n?: number) => void;

/** What a repair works with: the records, the executions, the clusters and Slack's messages. */
export type RepairPorts = Pick<Ports, 'store' | 'clock' | 'workflow' | 'ontap' | 'notifier' | 'config'>;

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
  | 'notices-told'
  | 'approval-closed'
  | 'unstarted-closed'
  | 'overdue'
  | 'digest-posted'
  | 'digest-unreadable'
  | 'break-glass-escalated';

/** Repairs one due item; `count` is told what happened. Throws when a call failed (the pass retries later). */
export async function repairItem(ports: RepairPorts, item: DueItem, log: Logger, count: Count): Promise<RepairOutcome> {
  switch (item.kind) {
    case 'request':
      return repairRequest(ports, item.stored.request.id, log, count);
    case 'lock':
      return repairLock(ports, item.key, item.requestId, log, count);
    case 'corrupt':
      log.error('a needs-attention item does not match its schema; left for an operator', { key: item.key });
      return { done: false, waiting: true };
  }
}

async function repairRequest(ports: RepairPorts, id: string, log: Logger, count: Count): Promise<RepairOutcome> {
  let stored: StoredRequest = await ports.store.getStored(id);
  if (stored.auditRepair) {
    count('audit-repaired', await ports.store.repairAudit(id));
    stored = await ports.store.getStored(id);
  }
  if (stored.notifyRepair) {
    await repairMessages(ports, stored.request, log);
    count('messages-repaired');
    stored = await ports.store.getStored(id);
  }
  const now = toUtcSecond(nowOf(ports.clock));
  let owedLeft = false;
  const notice = noticeDue(stored.request);
  if (notice !== undefined && notice <= now) {
    // Past its grace nobody else is telling it: told here. Slack refusing must not hold up a revoke.
    const { missed } = await tellOwed(ports, stored.request, log);
    count('notices-told');
    owedLeft = missed > 0;
    stored = await ports.store.getStored(id);
  }
  const review = reviewEscalationDue(stored.request);
  if (review !== undefined && review <= now) {
    if (await escalateReview(ports, stored.request, log)) count('break-glass-escalated');
    else owedLeft = true;
    stored = await ports.store.getStored(id);
  }
  // The index lags the item a little: what the record says now decides.
  const attention = statusAttention(stored.request);
  const outcome =
    attention && attention.due <= now ? await repairOwed(ports, attention.why, stored, log, count) : { done: true };
  return owedLeft && outcome.done ? { done: false } : outcome;
}

async function repairOwed(
  ports: RepairPorts,
  why: Attention,
  stored: StoredRequest,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  const { request, tokens } = stored;
  switch (why) {
    case 'unstarted':
      return repairUnstarted(ports, request, log, count);
    case 'signal-approval': {
      // The completion the ingress would have sent, from the record as it is now (a window since passed goes
      // through CheckApproval, which closes it).
      const policy = ports.config.policies.find((p) => p.name === request.policy);
      const completion = approvalCompletion(request, nowOf(ports.clock), policy);
      if (tokens.approval && (await ports.workflow.resumeApproval(tokens.approval, completion))) {
        log.warn('approval signal sent again');
        count('signal-resent');
        return { done: false, waiting: true };
      }
      if ((await ports.workflow.executionState(request.id)) === 'RUNNING') return { done: false, waiting: true };
      await closeStrandedApproval(ports, request, log);
      count('approval-closed');
      return { done: true };
    }
    case 'signal-revoke': {
      if (tokens.end && (await ports.workflow.endNow(tokens.end))) {
        log.warn('"Revoke now" signal sent again');
        count('signal-resent');
        return { done: false, waiting: true };
      }
      // The workflow's own revoke is running (its retries): let it finish first.
      if ((await ports.workflow.executionState(request.id)) === 'RUNNING') return { done: false, waiting: true };
      return revokeHere(ports, request, log, count);
    }
    case 'signal-extension': {
      if (tokens.end && (await ports.workflow.endsChanged(tokens.end))) {
        log.warn('extension signal sent again');
        count('signal-resent');
        return { done: false, waiting: true };
      }
      // No workflow took it: at the end the grant ends here, and the extension is dropped with it.
      if (request.status === 'ACTIVE' && endReached(request, ports.clock.now()))
        return revokeHere(ports, request, log, count);
      return { done: false, waiting: true };
    }
    case 'overdue': {
      count('overdue');
      const window = 'window' in request ? request.window : undefined;
      log.warn('grant live past its end', { status: request.status, window });
      return revokeHere(ports, request, log, count);
    }
    case 'retry-revoke':
      return revokeHere(ports, request, log, count);
    case 'clean-up':
      return finishCleanUp(ports, request, log, count);
    case 'notify':
    case 'break-glass-review':
      // Told or escalated before the status's repair (repairRequest).
      return { done: true };
    case 'digest': {
      // The grant's activity digest (digest.ts): tried again with the pass's backoff until done or given up.
      const outcome = await tellDigest(ports, request.id, log);
      if (outcome === 'posted') count('digest-posted');
      if (outcome === 'unreadable') count('digest-unreadable');
      return outcome === 'unreadable' || outcome === 'unposted' ? { done: false } : { done: true };
    }
  }
}

async function revokeHere(
  ports: RepairPorts,
  request: AccessRequest,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  const { status } = await revokeAccess(ports, { requestId: request.id }, log);
  if (status === 'ACTIVE' || status === 'REVOKE_FAILED') return { done: false };
  count('revoked');
  return { done: true };
}

/**
 * A PENDING request whose workflow never recorded its execution. Running after all (its first
 * task is late): its ARN is kept. Never started, or stopped before recording anything: the person
 * was told to try again, so the request is closed rather than started behind their back, which
 * also frees the open request it holds.
 */
async function repairUnstarted(
  ports: RepairPorts,
  request: AccessRequest,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  if ((await ports.workflow.executionState(request.id)) === 'RUNNING') {
    const executionArn = ports.workflow.executionArnOf(request.id);
    await ports.store.update(request.id, ['PENDING'], (s) =>
      s.request.executionArn === undefined ? { ...s, request: { ...s.request, executionArn } } : s,
    );
    log.info('execution of a request recorded by the reconciler');
    return { done: true };
  }
  // Its workflow never wrote the REQUESTED audit item (its first step does): written from the request's history.
  await ports.store.repairAudit(request.id);
  const reason = 'The approval workflow could not be started, so nobody was asked; nothing was granted. Ask again.';
  const result = await ports.store.apply(request.id, {
    type: 'VALIDATION_FAILED',
    at: toUtcSecond(nowOf(ports.clock)),
    reason,
  });
  if (result.ok) {
    log.warn('request whose workflow never started closed');
    count('unstarted-closed');
    await announce(ports, result.request, { requester: true }, log);
  }
  return { done: true };
}

/** An approval whose execution is gone cannot be granted any more: fail it, cleaned up, and say so. */
async function closeStrandedApproval(ports: RepairPorts, request: AccessRequest, log: Logger): Promise<void> {
  let cleanupPending = false;
  try {
    await cleanUpGrant(ports, request, log);
  } catch {
    cleanupPending = true;
  }
  const reason = 'The approval workflow stopped before the access was granted; please ask again.';
  const at = toUtcSecond(nowOf(ports.clock));
  const result = await ports.store.apply(request.id, { type: 'GRANT_FAILED', at, reason, cleanupPending });
  if (result.ok) await announce(ports, result.request, { approval: true, requester: true, thread: {} }, log);
}

async function finishCleanUp(
  ports: RepairPorts,
  request: AccessRequest,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  // Throws while the cluster cannot be asked: the request stays pending and keeps its lock.
  const { removed } = await cleanUpGrant(ports, request, log);
  const result = await ports.store.apply(request.id, { type: 'CLEANED_UP', at: toUtcSecond(nowOf(ports.clock)) });
  log.info('failed grant cleaned up', { removed });
  count('cleaned-up');
  const told = { approval: true, requester: true, thread: { cleanedUp: true } };
  if (result.ok) await announce(ports, result.request, told, log);
  return { done: true };
}

/** A lock past its grant: released once its request is finished and the cluster has no entry naming it. */
async function repairLock(
  ports: RepairPorts,
  key: GrantKey,
  requestId: string,
  log: Logger,
  count: Count,
): Promise<RepairOutcome> {
  let request: AccessRequest | undefined;
  try {
    request = await ports.store.get(requestId);
  } catch (error) {
    if (!(error instanceof RequestNotFoundError)) throw error;
  }
  // A live grant, or a clean-up still pending: the request's own repair releases the lock when done.
  const cleaningUp = request?.status === 'FAILED' && request.cleanupPending === true;
  if (request && (!isTerminal(request) || cleaningUp)) return { done: false, waiting: true };
  if (request) await removeOwnEntry(ports, request, key, log);
  else {
    // The request has expired from the table: only an entry whose comment names it is its own.
    const ontap = await ports.ontap(key.cluster);
    const entry = await ontap.getJitUser(key.svmUuid, key.account, 'ssh');
    if (entry?.comment?.includes(`request ${requestId} `)) await ontap.deleteJitUser(key.svmUuid, key.account, 'ssh');
  }
  if (await ports.store.releaseGrantLock(key, requestId)) {
    log.warn('grant lock of a finished request released', { requestId, cluster: key.cluster, account: key.account });
    count('lock-released');
  }
  return { done: true };
}
