/**
 * One export row per request, built from its audit trail alone, so the table and the archive give the
 * same rows. Pure. A request recorded before the trail carried what was asked for (the REQUESTED event's
 * `facts`) takes those fields from its request item when the table is read; read from the archive, the
 * row names what the archive does not tell (`missing`).
 */
import { STATUSES, type Status } from '../domain/request';
import type { AuditEvent, AuditFacts } from '../store/items';
import { BadFilterError } from './errors';

/** One request's trail as a source hands it out: its events, and the request item when the source has one. */
export interface RequestTrail {
  readonly requestId: string;
  readonly events: readonly AuditEvent[];
  /** What the request item tells about who asked for what (the table has it; the archive does not). */
  readonly asked?: AskedFor;
}

/** Who asked for what: the fields an old trail's REQUESTED event lacks. */
export interface AskedFor {
  readonly slackUserId: string;
  readonly ontapAccount: string;
  readonly cluster: string;
  readonly svm: string;
  readonly role: string;
  readonly policy: string;
  readonly durationSeconds: number;
  readonly requestedStart?: string;
}

/** One approval on a row. */
export interface RowApproval {
  readonly by: string;
  readonly at: string;
}

/** One row of the export: a request, who asked, what, the window, who approved and when, how it ended. */
export interface ExportRow {
  readonly request: string;
  readonly requestedAt: string;
  readonly requesterSlackId: string;
  readonly requesterOntapAccount: string;
  readonly cluster: string;
  readonly svm: string;
  readonly role: string;
  readonly policy: string;
  readonly durationSeconds: number | undefined;
  readonly requestedStart: string | undefined;
  readonly windowStart: string | undefined;
  readonly windowEnd: string | undefined;
  readonly approvals: readonly RowApproval[];
  readonly status: string;
  /** Why it ended the way it did (a denial's or a failure's reason, how it expired). */
  readonly outcome: string;
  /** Who ended it (denied, cancelled, revoked); absent when its clock or the system did. */
  readonly endedBy: string | undefined;
  readonly endedAt: string | undefined;
  readonly digest: string | undefined;
  readonly breakGlass: boolean;
  /** Fields the source could not tell (an old trail read from the archive). */
  readonly missing: readonly string[];
}

/** What an export selects: requests made in [since, until), narrowed by cluster, SVM, person and status. */
export interface ExportFilter {
  readonly since: string;
  readonly until: string;
  readonly cluster?: string;
  readonly svm?: string;
  /** A Slack id or an ONTAP account: the requester's, an approver's, or whoever ended the request. */
  readonly person?: string;
  readonly status?: Status;
}

/** The audit event type of an activity digest; its `detail` is the digest's summary. */
export const DIGEST_EVENT = 'ACTIVITY_DIGEST';

const ENDED_BY_ACTOR: Readonly<Record<string, string>> = {
  DENY: 'DENIED',
  CANCEL: 'CANCELLED',
  REVOKE_REQUESTED: 'REVOKED',
};

/** The export row of one request's trail; throws when the trail has no REQUESTED event. */
export function buildRow(trail: RequestTrail): ExportRow {
  const events = [...trail.events].sort((a, b) => a.seq - b.seq);
  const requested = events.find((e) => e.type === 'REQUESTED');
  const last = events.at(-1);
  if (!requested || !last) throw new BadFilterError(`The trail of ${trail.requestId} has no REQUESTED event.`);
  // The REQUESTED event's actor, when recorded, is the requester.
  const actor = requested.actor !== undefined ? { slackUserId: requested.actor } : {};
  const { asked, missing } = whoAskedFor({ ...actor, ...requested.facts }, trail.asked);
  const status = last.to;
  const ending = events.find((e) => e.from !== undefined && e.from !== e.to && e.to === status && isEnd(status));
  const window = windowOf(events);
  const byActor = events.filter((e) => ENDED_BY_ACTOR[e.type] === status).at(-1)?.actor;
  return {
    request: trail.requestId,
    requestedAt: requested.at,
    requesterSlackId: asked.slackUserId ?? '',
    requesterOntapAccount: asked.ontapAccount ?? '',
    cluster: asked.cluster ?? '',
    svm: asked.svm ?? '',
    role: asked.role ?? '',
    policy: asked.policy ?? '',
    durationSeconds: asked.durationSeconds,
    requestedStart: asked.requestedStart,
    windowStart: window?.start,
    windowEnd: window?.end,
    approvals: events.filter((e) => e.type === 'APPROVE' && e.actor).map((e) => ({ by: e.actor ?? '', at: e.at })),
    status,
    outcome: outcomeOf(status, ending),
    endedBy: isEnd(status) ? byActor : undefined,
    endedAt: ending?.at,
    digest: events.filter((e) => e.type === DIGEST_EVENT).at(-1)?.detail,
    breakGlass: events.some((e) => e.facts?.breakGlass === true || e.type.startsWith('BREAK_GLASS')),
    missing,
  };
}

/** True when the row is one the filter selects. */
export function selects(filter: ExportFilter, row: ExportRow): boolean {
  if (row.requestedAt < filter.since || row.requestedAt >= filter.until) return false;
  if (filter.cluster !== undefined && row.cluster !== filter.cluster) return false;
  if (filter.svm !== undefined && row.svm !== filter.svm) return false;
  if (filter.status !== undefined && row.status !== filter.status) return false;
  const person = filter.person;
  if (person === undefined) return true;
  return (
    row.requesterSlackId === person ||
    row.requesterOntapAccount === person ||
    row.endedBy === person ||
    row.approvals.some((a) => a.by === person)
  );
}

/** The rows of `trails` the filter selects, oldest request first. */
export function rowsOf(trails: readonly RequestTrail[], filter: ExportFilter): ExportRow[] {
  return trails
    .map(buildRow)
    .filter((row) => selects(filter, row))
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.request.localeCompare(b.request));
}

/** A status named in a filter, in any case; throws BadFilterError for one that is not a status. */
export function parseStatus(text: string): Status {
  const upper = text.toUpperCase();
  const status = STATUSES.find((s) => s === upper);
  if (!status) throw new BadFilterError(`Unknown status "${text}": one of ${STATUSES.join(', ')}.`);
  return status;
}

const ASKED_FIELDS = ['slackUserId', 'ontapAccount', 'cluster', 'svm', 'role', 'policy', 'durationSeconds'] as const;

function whoAskedFor(facts: AuditFacts, item: AskedFor | undefined): { asked: Partial<AskedFor>; missing: string[] } {
  const asked: Partial<AskedFor> = { ...item, ...facts };
  const missing = ASKED_FIELDS.filter((field) => asked[field] === undefined);
  return { asked, missing };
}

/** The window last granted: GRANTED's, moved by each EXTENDED; an old trail's from GRANTED's detail. */
function windowOf(events: readonly AuditEvent[]): { start: string; end: string } | undefined {
  let window: { start: string; end: string } | undefined;
  for (const event of events) {
    if (event.facts?.window) window = event.facts.window;
    else if (event.type === 'GRANTED' && event.detail) {
      const [start, end] = event.detail.split(' to ');
      if (start && end) window = { start, end };
    }
  }
  return window;
}

function isEnd(status: string): boolean {
  return ['DENIED', 'CANCELLED', 'EXPIRED', 'REVOKED', 'FAILED'].includes(status);
}

function outcomeOf(status: string, ending: AuditEvent | undefined): string {
  if (!ending) return status === 'REVOKE_FAILED' ? 'revoke failed; retried until the entry is gone' : '';
  switch (ending.type) {
    case 'APPROVAL_TIMEOUT':
      return 'not approved in time';
    case 'WINDOW_PASSED':
      return 'approved too late for its window';
    case 'REVOKED':
      return status === 'REVOKED' ? 'revoked before its end' : 'window ended';
    default:
      return ending.detail ?? '';
  }
}
