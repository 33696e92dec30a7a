/**
 * The audit trail: one append-only item per event, beside the request item. The request item is the
 * truth (its own history holds every event); an audit item that could not be written is logged,
 * counted and the request flagged, and the trail writes it the next time it is read or repaired.
 */
import type { AccessRequest, Status } from '../domain/request';
import type { LifecycleEvent } from '../domain/transitions';
import { countMetric, describeError, publishMetrics } from '../runtime/logger';
import { AUDIT_WRITE_FAILED_METRIC } from '../runtime/metrics';
import { conditionalWrite, expiryOf, queryAll, type StoreContext } from './context';
import { RequestNotFoundError } from './errors';
import { type AuditEvent, AuditEventSchema, type AuditFacts, fromItem } from './items';
import { auditSk, REQUEST_SK, requestPk } from './table';

/** The audit event recording one applied lifecycle event. */
export function toAuditEvent(
  requestId: string,
  seq: number,
  event: LifecycleEvent,
  from: Status,
  to: Status,
): AuditEvent {
  const detail = describe(event);
  const facts = factsOf(event);
  return {
    requestId,
    seq,
    at: event.at,
    type: event.type,
    from,
    to,
    ...('by' in event ? { actor: event.by } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(facts !== undefined ? { facts } : {}),
  };
}

/** The first event of a request's trail, carrying what was asked for, so the trail alone tells the request. */
export function requestedEvent(request: AccessRequest, actor?: string): AuditEvent {
  return {
    requestId: request.id,
    seq: 0,
    at: request.createdAt,
    type: 'REQUESTED',
    to: request.status,
    ...(actor !== undefined ? { actor } : {}),
    facts: requestFacts(request),
  };
}

/** What a request asked for, as its REQUESTED event records it (and an export reads it from the request item). */
export function requestFacts(request: AccessRequest) {
  return {
    slackUserId: request.requester.slackUserId,
    ontapAccount: request.requester.ontapAccount,
    cluster: request.cluster,
    svm: request.svm.name,
    role: request.role,
    policy: request.policy,
    durationSeconds: request.durationSeconds,
    ...(request.requestedStart !== undefined ? { requestedStart: request.requestedStart } : {}),
  };
}

/**
 * Writes an event's audit item after its transition is recorded. A failure never undoes or fails
 * the transition: it is logged, counted, and `flagRepair` marks the request so the reconciler writes it.
 */
export async function writeAudit(
  ctx: StoreContext,
  event: AuditEvent,
  flagRepair: () => Promise<unknown>,
): Promise<void> {
  try {
    await putAudit(ctx, event);
    return;
  } catch (error) {
    const { requestId, seq } = event;
    ctx.logger.error('audit item not written; the reconciler writes it', { requestId, seq, ...describeError(error) });
    // Published now: the store also serves the Slack endpoint, which has no end-of-task flush.
    countMetric(ctx.metrics, AUDIT_WRITE_FAILED_METRIC, 1);
    publishMetrics(ctx.metrics);
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await flagRepair();
      return;
    } catch (error) {
      // Left unflagged, the gap is still written when the trail is read or the request next needs repair.
      const requestId = event.requestId;
      if (attempt === 3) ctx.logger.error('audit repair not flagged', { requestId, ...describeError(error) });
    }
  }
}

/**
 * A request's audit trail, oldest first, built from the audit items and the request's own history;
 * the audit items missing from the table are written now (`written` counts them).
 */
export async function readTrail(ctx: StoreContext, id: string): Promise<{ trail: AuditEvent[]; written: number }> {
  let written = 0;
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': requestPk(id) },
    ConsistentRead: true,
  });
  const requestItem = items.find((i) => i.sk === REQUEST_SK);
  if (!requestItem) throw new RequestNotFoundError(id);
  const bySeq = new Map<number, AuditEvent>();
  // The partition also holds a digest's list (store/digests.ts): only audit items are events.
  for (const item of items.filter((i) => String(i.sk).startsWith('AUDIT#'))) {
    const event = AuditEventSchema.parse(item);
    bySeq.set(event.seq, event);
  }
  for (const event of fromItem(requestItem).history) {
    if (!bySeq.has(event.seq)) {
      await putAudit(ctx, event);
      bySeq.set(event.seq, event);
      written += 1;
    }
  }
  return { trail: [...bySeq.values()].sort((a, b) => a.seq - b.seq), written };
}

async function putAudit(ctx: StoreContext, event: AuditEvent): Promise<void> {
  // Already written (a retry, or the trail repairing itself): append-only means never overwrite.
  await conditionalWrite(ctx, {
    put: { pk: requestPk(event.requestId), sk: auditSk(event.seq), ...event, expiresAt: expiryOf(ctx, event.at) },
    condition: 'attribute_not_exists(pk)',
  });
}

/** The window a grant or an extension established; other events add nothing the trail lacks (actor and time). */
function factsOf(event: LifecycleEvent): AuditFacts | undefined {
  if (event.type === 'GRANTED') return { window: event.window };
  if (event.type === 'EXTENDED') return { window: event.new };
  return undefined;
}

function describe(event: LifecycleEvent): string | undefined {
  switch (event.type) {
    case 'DENY':
    case 'VALIDATION_FAILED':
    case 'REAUTHORIZATION_FAILED':
    case 'GRANT_FAILED':
    case 'REVOKE_FAILED':
      return event.reason;
    case 'GRANTED':
      return `${event.window.start} to ${event.window.end}`;
    case 'REVOKED':
      return event.alreadyGone ? 'entry was already gone from the cluster' : undefined;
    case 'EXTEND_REQUESTED':
      return `${event.seconds} seconds more: ${event.reason}`;
    case 'EXTEND_DENY':
    case 'EXTEND_DROPPED':
      return event.reason;
    case 'BREAK_GLASS':
      return `break-glass, no approval (review due ${event.reviewDueAt}): ${event.reason}`;
    case 'BREAK_GLASS_REVIEWED':
      return `break-glass ${event.outcome}${event.note !== undefined ? `: ${event.note}` : ''}`;
    case 'EXTENDED':
      return (
        `entry ${event.old.start} to ${event.old.end} (jit_state ${event.replaced}) replaced by ` +
        `${event.new.start} to ${event.new.end}`
      );
    default:
      return undefined;
  }
}
