/**
 * Reading a whole cluster's JIT configuration for the reconciler's scan: every JIT entry (the
 * collection, `fields=` and `max_records` paging, within a page budget) and every owner's JIT settings.
 */
import { parseIsoDuration } from '../domain/durations';
import { parseWith } from './answers';
import { OntapResponseFormatError } from './errors';
import { JIT_USER_FIELDS, toJitUserRecord, USERS_PATH } from './jit-entries';
import { queryString } from './names';
import { collectionSchema, JitSettingsRecordSchema, type JitUserRecord, JitUserRecordSchema } from './schemas';
import type { OntapSession } from './session';

/** The cluster's JIT entries as far as the page budget reached; `complete` says whether that was all of them. */
export interface JitEntryScan {
  readonly entries: JitUserRecord[];
  readonly complete: boolean;
}

/** One owner's `max_jit_validity_period`, as ONTAP lists it. */
export interface OwnerJitMaximum {
  readonly ownerUuid: string;
  readonly ownerName: string;
  /** ISO-8601, as ONTAP wrote it. */
  readonly maxJitValidity: string;
  readonly maxJitValiditySeconds: number;
}

const SETTINGS_PATH = '/api/security/jit-privileges';

/** Every JIT entry of the cluster, at most `maxPages` pages of `session.pageSize` records. */
export async function scanJitUsers(session: OntapSession, maxPages: number): Promise<JitEntryScan> {
  const schema = collectionSchema(JitUserRecordSchema);
  const entries: JitUserRecord[] = [];
  let next: string | undefined =
    `${USERS_PATH}${queryString({ fields: JIT_USER_FIELDS, max_records: session.pageSize })}`;
  for (let page = 0; next !== undefined && page < maxPages; page++) {
    const current: string = next;
    const { json } = await session.call('GET', current);
    const answer = parseWith(schema, json, 'GET', current, 'collection');
    entries.push(...(answer.records ?? []).map(toJitUserRecord));
    next = answer._links?.next?.href;
    // Only links that stay on this cluster's API are followed: credentials go with every request.
    if (next !== undefined && !/^\/api\/[\x21-\x7e]*$/.test(next)) {
      throw new OntapResponseFormatError(`ONTAP GET ${USERS_PATH}: refusing to follow a next link outside /api/`, {
        method: 'GET',
        path: current,
      });
    }
  }
  return { entries, complete: next === undefined };
}

/** Every owner's ssh JIT maximum (the admin SVM's is the cluster's). */
export async function listJitMaximums(session: OntapSession): Promise<OwnerJitMaximum[]> {
  const query = { application: 'ssh', fields: 'max_jit_validity_period' };
  const records = await session.getAll(SETTINGS_PATH, query, JitSettingsRecordSchema);
  return records.flatMap((r) => {
    if (r.max_jit_validity_period === undefined) return [];
    const seconds = parseIsoDuration(r.max_jit_validity_period);
    if (seconds === null) {
      const text = `ONTAP GET ${SETTINGS_PATH}: max_jit_validity_period is not an ISO-8601 duration`;
      throw new OntapResponseFormatError(text, { method: 'GET', path: SETTINGS_PATH });
    }
    const owner = { ownerUuid: r.owner.uuid, ownerName: r.owner.name };
    return [{ ...owner, maxJitValidity: r.max_jit_validity_period, maxJitValiditySeconds: seconds }];
  });
}
