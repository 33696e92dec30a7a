/**
 * JIT entries (`/api/security/jit-privilege-users`): idempotent ensure and remove, and the
 * comparison that tells an entry this grant made from one with other settings.
 */
import { z } from 'zod';
import { parseIsoDuration, toIsoDuration } from '../domain/durations';
import { parseWith } from './answers';
import {
  type JitEntryDifference,
  OntapApiError,
  OntapConflictError,
  OntapDuplicateError,
  OntapInvalidInputError,
  OntapJitEntryMismatchError,
  OntapNotFoundError,
  OntapTransientError,
} from './errors';
import { exactName, pathSegment, queryString, uuidArg } from './names';
import {
  collectionSchema,
  type JitState,
  type JitUserEntry,
  JitUserEntrySchema,
  type JitUserFilter,
  type JitUserRecord,
  JitUserRecordSchema,
} from './schemas';
import type { OntapSession } from './session';
import { durationToSeconds, formatOntapTime, parseOntapTime, startTimeToMillis, toIsoUtc } from './timestamps';

/** The JIT entries' collection. */
export const USERS_PATH = '/api/security/jit-privilege-users';
/** The fields every read of a JIT entry asks for. */
export const JIT_USER_FIELDS = 'role,session_validity,jit_validity,start_time,end_time,jit_state,comment';
const KnownJitStateSchema = z.enum(['preactive', 'idle', 'active']);

/** The normalised form of a `JitUserEntry`: what is sent, and what an existing entry is compared with. */
interface NormalizedEntry {
  ownerUuid: string;
  account: string;
  application: 'ssh';
  role: string;
  jitValiditySec: number;
  sessionValiditySec: number | undefined;
  startMs: number | undefined;
  comment: string | undefined;
}

function toJitState(value: string | undefined): JitState {
  const known = KnownJitStateSchema.safeParse(value);
  return known.success ? known.data : 'unknown';
}

/** A JIT entry as ONTAP answered it, in the form callers get (times ISO UTC, unknown states `unknown`). */
export function toJitUserRecord(r: z.output<typeof JitUserRecordSchema>): JitUserRecord {
  const start = r.start_time !== undefined ? parseOntapTime(r.start_time) : null;
  const end = r.end_time !== undefined ? parseOntapTime(r.end_time) : null;
  return {
    ownerUuid: r.owner.uuid,
    ownerName: r.owner.name ?? null,
    account: r.account.name,
    application: r.application,
    role: r.role?.name ?? null,
    sessionValidity: r.session_validity ?? null,
    jitValidity: r.jit_validity ?? null,
    startTime: start !== null ? toIsoUtc(start) : null,
    endTime: end !== null ? toIsoUtc(end) : null,
    jitState: toJitState(r.jit_state),
    comment: r.comment ?? null,
  };
}

/** Checks a caller's entry and brings it into the form the client sends and compares. */
function normalizeEntry(input: JitUserEntry): NormalizedEntry {
  const result = JitUserEntrySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? 'entry';
    const text = `invalid JIT entry field "${field}": ${issue?.message ?? 'invalid'}`;
    throw new OntapInvalidInputError(text, { target: field });
  }
  const e = result.data;
  return {
    ownerUuid: uuidArg('owner uuid', e.ownerUuid),
    account: exactName('account name', e.account),
    application: e.application,
    role: exactName('role name', e.role),
    jitValiditySec: durationToSeconds(e.jitValidity, 'jitValidity'),
    sessionValiditySec:
      e.sessionValidity === undefined ? undefined : durationToSeconds(e.sessionValidity, 'sessionValidity'),
    startMs: e.startTime === undefined ? undefined : startTimeToMillis(e.startTime, 'startTime'),
    comment: e.comment,
  };
}

function entryBody(e: NormalizedEntry): Record<string, unknown> {
  return {
    owner: { uuid: e.ownerUuid },
    account: { name: e.account },
    application: e.application,
    role: { name: e.role },
    jit_validity: toIsoDuration(e.jitValiditySec),
    ...(e.sessionValiditySec !== undefined ? { session_validity: toIsoDuration(e.sessionValiditySec) } : {}),
    ...(e.startMs !== undefined ? { start_time: formatOntapTime(e.startMs) } : {}),
    ...(e.comment !== undefined ? { comment: e.comment } : {}),
  };
}

/** Fields in which an existing entry differs from the requested one; unset optional fields are not compared. */
function diffJitEntry(requested: NormalizedEntry, existing: JitUserRecord): JitEntryDifference[] {
  const diffs: JitEntryDifference[] = [];
  const add = (field: JitEntryDifference['field'], ex: string | null, req: string | null): void => {
    diffs.push({ field, existing: ex, requested: req });
  };
  // ONTAP's periods are read leniently (PT0S included): an unreadable one simply differs.
  const seconds = (iso: string | null): number | null => (iso !== null ? parseIsoDuration(iso) : null);
  if (existing.ownerUuid.toLowerCase() !== requested.ownerUuid.toLowerCase()) {
    add('ownerUuid', existing.ownerUuid, requested.ownerUuid);
  }
  if (existing.account !== requested.account) add('account', existing.account, requested.account);
  if (existing.application !== requested.application) add('application', existing.application, requested.application);
  if (existing.role !== requested.role) add('role', existing.role, requested.role);
  if (seconds(existing.jitValidity) !== requested.jitValiditySec) {
    add('jitValidity', existing.jitValidity, toIsoDuration(requested.jitValiditySec));
  }
  const session = requested.sessionValiditySec;
  if (session !== undefined && seconds(existing.sessionValidity) !== session) {
    add('sessionValidity', existing.sessionValidity, toIsoDuration(session));
  }
  if (requested.startMs !== undefined) {
    const exStart = existing.startTime !== null ? Date.parse(existing.startTime) : null;
    if (exStart !== requested.startMs) add('startTime', existing.startTime, toIsoUtc(requested.startMs));
  }
  if ((existing.comment ?? '') !== (requested.comment ?? '')) {
    add('comment', existing.comment, requested.comment ?? null);
  }
  return diffs;
}

function describeDiffs(diffs: JitEntryDifference[]): string {
  const one = (d: JitEntryDifference): string =>
    `${d.field} is ${JSON.stringify(d.existing)} (wanted ${JSON.stringify(d.requested)})`;
  return diffs.map(one).join(', ');
}

function entryPath(ownerUuid: string, account: string, application: string): string {
  const owner = pathSegment(uuidArg('owner uuid', ownerUuid));
  const name = pathSegment(exactName('account name', account));
  return `${USERS_PATH}/${owner}/${name}/${pathSegment(exactName('application', application))}`;
}

/** JIT entries matching every given filter (exact matches), all pages. */
export async function listJitUsers(session: OntapSession, filter: JitUserFilter = {}): Promise<JitUserRecord[]> {
  const query = {
    'owner.uuid': filter.ownerUuid !== undefined ? uuidArg('owner uuid', filter.ownerUuid) : undefined,
    'account.name': filter.account !== undefined ? exactName('account name', filter.account) : undefined,
    application: filter.application !== undefined ? exactName('application', filter.application) : undefined,
    fields: JIT_USER_FIELDS,
    max_records: session.pageSize,
  };
  const records = await session.getAll(USERS_PATH, query, JitUserRecordSchema);
  return records.map(toJitUserRecord);
}

/** One JIT entry, or null when ONTAP answers 404 code 4. */
export async function getJitUser(
  session: OntapSession,
  ownerUuid: string,
  account: string,
  application = 'ssh',
): Promise<JitUserRecord | null> {
  const path = `${entryPath(ownerUuid, account, application)}${queryString({ fields: JIT_USER_FIELDS })}`;
  try {
    const { json } = await session.call('GET', path);
    return toJitUserRecord(parseWith(JitUserRecordSchema, json, 'GET', path, 'JIT entry'));
  } catch (err) {
    if (err instanceof OntapNotFoundError) return null;
    throw err;
  }
}

/**
 * Creates a JIT entry (`POST ...?return_records=true`) and returns it as ONTAP stored it. A
 * transient failure is retried, so if ONTAP did the first try but its answer was lost the retry
 * meets OntapDuplicateError, which `ensureJitUser` turns into success when the settings match.
 */
async function createJitUser(session: OntapSession, e: NormalizedEntry): Promise<JitUserRecord> {
  const path = `${USERS_PATH}${queryString({ return_records: true })}`;
  const { status, json } = await session.call('POST', path, entryBody(e));
  if (status === 201) {
    const page = parseWith(collectionSchema(JitUserRecordSchema), json, 'POST', path, 'created records');
    const created = page.records?.[0];
    if (created) return toJitUserRecord(created);
  }
  // Created without records in the answer (an older build, or a 202 job): read it back.
  const stored = await getJitUser(session, e.ownerUuid, e.account, e.application);
  if (!stored) {
    const text = `ONTAP accepted POST ${USERS_PATH} for ${JSON.stringify(e.account)} but the entry cannot be read back`;
    throw new OntapApiError(text, { method: 'POST', path });
  }
  return stored;
}

/** Deletes a JIT entry; ends any elevated session. Throws OntapNotFoundError if there is none. */
export async function deleteJitUser(
  session: OntapSession,
  ownerUuid: string,
  account: string,
  application = 'ssh',
): Promise<void> {
  await session.call('DELETE', entryPath(ownerUuid, account, application));
}

/**
 * Idempotent grant: creates the entry, or, if one already exists for the key
 * with exactly these settings (account, owner, application, role, jit_validity,
 * and start_time, session_validity and comment where given), returns it with
 * `created: false`. Different settings: OntapJitEntryMismatchError saying what differs.
 */
export async function ensureJitUser(
  session: OntapSession,
  entry: JitUserEntry,
): Promise<{ entry: JitUserRecord; created: boolean }> {
  const e = normalizeEntry(entry);
  try {
    return { entry: await createJitUser(session, e), created: true };
  } catch (err) {
    if (!(err instanceof OntapDuplicateError)) throw err;
    const where = { method: 'POST', path: USERS_PATH };
    const existing = await getJitUser(session, e.ownerUuid, e.account, e.application);
    if (!existing) {
      const name = JSON.stringify(e.account);
      const text = `ONTAP reported a duplicate JIT entry for ${name} that is gone on read-back; try again`;
      throw new OntapTransientError(text, 'race', where, { cause: err });
    }
    const diffs = diffJitEntry(e, existing);
    if (diffs.length === 0) return { entry: existing, created: false };
    const text = `A JIT entry for ${JSON.stringify(e.account)} on owner ${e.ownerUuid} already exists with other settings`;
    throw new OntapJitEntryMismatchError(
      `${text}: ${describeDiffs(diffs)}`,
      diffs,
      { ...where, ontapCode: '1', status: 409 },
      { cause: err },
    );
  }
}

/**
 * Idempotent revoke: deletes the entry; an entry that is already gone counts
 * as done (`alreadyGone: true`), confirmed by listing, so an ONTAP without the
 * JIT API cannot pass for "gone". With `onlyIfComment`, an entry whose comment
 * differs (another request's grant) is left alone: OntapJitEntryMismatchError.
 */
export async function removeJitUser(
  session: OntapSession,
  ownerUuid: string,
  account: string,
  application = 'ssh',
  options: { onlyIfComment?: string } = {},
): Promise<{ alreadyGone: boolean }> {
  if (options.onlyIfComment !== undefined) {
    const existing = await getJitUser(session, ownerUuid, account, application);
    if (!existing) return confirmGone(session, ownerUuid, account, application);
    if ((existing.comment ?? '') !== options.onlyIfComment) {
      const requested = options.onlyIfComment;
      const diffs: JitEntryDifference[] = [{ field: 'comment', existing: existing.comment, requested }];
      const owner = `${JSON.stringify(account)} on owner ${ownerUuid}`;
      const text = `The JIT entry for ${owner} belongs to another grant (${describeDiffs(diffs)}); not removed`;
      const path = entryPath(ownerUuid, account, application);
      throw new OntapJitEntryMismatchError(text, diffs, { method: 'DELETE', path });
    }
  }
  try {
    await deleteJitUser(session, ownerUuid, account, application);
    return { alreadyGone: false };
  } catch (err) {
    if (err instanceof OntapNotFoundError) return confirmGone(session, ownerUuid, account, application);
    throw err;
  }
}

async function confirmGone(
  session: OntapSession,
  ownerUuid: string,
  account: string,
  application: string,
): Promise<{ alreadyGone: boolean }> {
  const left = await listJitUsers(session, { ownerUuid, account, application });
  if (left.length > 0) {
    const text = `ONTAP says the JIT entry for ${JSON.stringify(account)} does not exist but still lists it`;
    throw new OntapConflictError(text, { method: 'DELETE', path: entryPath(ownerUuid, account, application) });
  }
  return { alreadyGone: true };
}
