/**
 * The cluster's administrative audit log (`GET /api/security/audit/messages`): what one account ran
 * over SSH in a time range, read page by page through `_links.next`, each record checked against its
 * schema. NetApp's OpenAPI file defines every field as optional; the client needs `timestamp` and
 * `input`, and asks for the rest with `fields=` (a collection GET returns key fields only otherwise).
 */
import { z } from 'zod';
import { parseWith } from './answers';
import { OntapInvalidInputError, OntapResponseFormatError } from './errors';
import { exactName, queryString } from './names';
import { collectionSchema } from './schemas';
import type { OntapSession } from './session';
import { formatOntapTime, parseOntapTime, toIsoUtc } from './timestamps';

const PATH = '/api/security/audit/messages';
const FIELDS = 'timestamp,node,index,application,location,user,input,state,scope,session_id,command_id,message,svm';

/** One record of `security_audit_log` as ONTAP answers it (unknown keys ignored). */
export const AuditLogRecordSchema = z.object({
  timestamp: z.string(),
  node: z.object({ name: z.string().optional(), uuid: z.string().optional() }).optional(),
  index: z.number().int().nonnegative().optional(),
  application: z.string().optional(),
  location: z.string().optional(),
  user: z.string().optional(),
  input: z.string(),
  state: z.string().optional(),
  scope: z.string().optional(),
  session_id: z.string().optional(),
  command_id: z.string().optional(),
  message: z.string().optional(),
  svm: z.object({ name: z.string().optional() }).optional(),
});

/** A command the audit log holds, as the client hands it back. */
export interface AuditMessage {
  /** UTC ISO-8601 with `Z`. */
  readonly at: string;
  readonly node: string | null;
  readonly index: number | null;
  readonly user: string;
  readonly input: string;
  /** `pending`, `success`, `error`, or whatever a newer ONTAP answers. */
  readonly state: string;
  readonly sessionId: string | null;
  readonly commandId: string | null;
  readonly svm: string | null;
  readonly message: string | null;
}

/** What to read: one account's SSH commands between two instants (inclusive), at most `limit` of them. */
export interface AuditQuery {
  readonly account: string;
  readonly from: string;
  readonly to: string;
  /** Records per page. @default 200 */
  readonly pageSize?: number;
  /** Records read at most; the rest is counted as unread. @default 5000 */
  readonly limit?: number;
}

/** The commands read, and whether the log held more than `limit` of them. */
export interface AuditRead {
  readonly messages: AuditMessage[];
  readonly truncated: boolean;
}

/** Reads an account's SSH commands over a window, oldest first. Throws the client's typed errors. */
export async function readAuditMessages(session: OntapSession, q: AuditQuery): Promise<AuditRead> {
  const from = instant(q.from, 'from');
  const to = instant(q.to, 'to');
  const limit = q.limit ?? 5000;
  const query = {
    user: exactName('account name', q.account),
    application: 'ssh',
    timestamp: `${formatOntapTime(from)}..${formatOntapTime(to)}`,
    fields: FIELDS,
    max_records: Math.min(q.pageSize ?? 200, limit),
  };
  const schema = collectionSchema(AuditLogRecordSchema);
  const messages: AuditMessage[] = [];
  const seen = new Set<string>();
  let next: string | undefined = `${PATH}${queryString(query)}`;
  while (next !== undefined && messages.length < limit) {
    if (seen.has(next)) throw new OntapResponseFormatError(`ONTAP GET ${PATH}: paging does not end`, { path: PATH });
    seen.add(next);
    const current: string = next;
    const { json } = await session.call('GET', current);
    const page = parseWith(schema, json, 'GET', current, 'audit log page');
    for (const r of page.records ?? []) messages.push(toMessage(r, current, q.account));
    next = page._links?.next?.href;
    // Credentials go with every request: only links on this cluster's API are followed.
    if (next !== undefined && !/^\/api\/[\x21-\x7e]*$/.test(next))
      throw new OntapResponseFormatError(`ONTAP GET ${PATH}: a next link outside /api/`, { path: current });
  }
  const truncated = messages.length > limit || (next !== undefined && messages.length >= limit);
  const inWindow = messages
    .filter((m) => m.user === q.account && m.at >= toIsoUtc(from) && m.at <= toIsoUtc(to))
    .sort((a, b) => (a.at === b.at ? (a.index ?? 0) - (b.index ?? 0) : a.at < b.at ? -1 : 1));
  return { messages: inWindow.slice(0, limit), truncated };
}

function instant(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new OntapInvalidInputError(`The audit log's ${what} is not a time: ${iso}`);
  return Math.floor(ms / 1000) * 1000;
}

function toMessage(r: z.output<typeof AuditLogRecordSchema>, path: string, account: string): AuditMessage {
  const ms = parseOntapTime(r.timestamp);
  if (ms === null)
    throw new OntapResponseFormatError(`ONTAP GET ${PATH}: unexpected timestamp ${JSON.stringify(r.timestamp)}`, {
      method: 'GET',
      path,
    });
  return {
    at: toIsoUtc(ms),
    node: r.node?.name ?? null,
    index: r.index ?? null,
    // Filtered by user on the cluster: a record that does not repeat it is the account's.
    user: r.user ?? account,
    input: r.input,
    state: r.state ?? 'unknown',
    sessionId: r.session_id ?? null,
    commandId: r.command_id ?? null,
    svm: r.svm?.name ?? null,
    message: r.message ?? null,
  };
}
