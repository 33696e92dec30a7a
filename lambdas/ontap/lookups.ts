/** Read-only lookups on a cluster: SVMs, login accounts, roles and the JIT periods in force. */
import type { z } from 'zod';
import { parseIsoDuration } from '../domain/durations';
import { OntapResponseFormatError } from './errors';
import { exactName, uuidArg } from './names';
import {
  AccountRecordSchema,
  type JitSettings,
  JitSettingsRecordSchema,
  type OntapAccount,
  type OntapRole,
  RoleRecordSchema,
  SvmRecordSchema,
  type SvmRef,
} from './schemas';
import type { OntapSession } from './session';

const DOCUMENTED_DEFAULTS = { session: 'PT1H', max: 'P90D' } as const;

/** The lookups the prerequisite checks need; `OntapClient` provides them. */
export interface Lookups {
  resolveSvm(name: string): Promise<SvmRef | null>;
  getAccount(svmName: string, name: string): Promise<OntapAccount | null>;
  getRole(svmName: string, role: string): Promise<OntapRole | null>;
  getJitSettings(ownerUuid?: string): Promise<JitSettings>;
}

/** Resolves an SVM name to its uuid: a data SVM, or the admin SVM (scope `cluster`). Null when neither. */
export async function resolveSvm(session: OntapSession, name: string): Promise<SvmRef | null> {
  exactName('SVM name', name);
  const records = await session.getAll('/api/svm/svms', { name, fields: 'uuid,name' }, SvmRecordSchema);
  const hit = records.find((r) => r.name === name);
  if (hit) return { uuid: hit.uuid, name: hit.name, scope: 'svm' };
  const owner = await session.clusterOwner();
  return owner && owner.name === name ? { uuid: owner.uuid, name: owner.name, scope: 'cluster' } : null;
}

/** A login account on an SVM (by SVM name), or null when ONTAP has none. */
export async function getAccount(session: OntapSession, svmName: string, name: string): Promise<OntapAccount | null> {
  const path = '/api/security/accounts';
  const fields = 'applications,locked,role,owner';
  const record = await findOnSvm(session, {
    kind: 'account',
    path,
    svmName,
    name,
    fields,
    schema: AccountRecordSchema,
  });
  if (!record) return null;
  return {
    ...ownedName(record),
    locked: record.locked ?? false,
    role: record.role?.name ?? null,
    applications: (record.applications ?? []).map((a) => ({
      application: a.application,
      authenticationMethods: a.authentication_methods ?? [],
      secondAuthenticationMethod: a.second_authentication_method ?? 'none',
    })),
  };
}

/** A role defined on an SVM (by SVM name) with its privileges, or null. */
export async function getRole(session: OntapSession, svmName: string, role: string): Promise<OntapRole | null> {
  const lookup = { kind: 'role', path: '/api/security/roles', fields: 'builtin,scope,privileges' } as const;
  const record = await findOnSvm(session, { ...lookup, svmName, name: role, schema: RoleRecordSchema });
  if (!record) return null;
  return {
    ...ownedName(record),
    builtin: record.builtin ?? false,
    scope: record.scope ?? null,
    privileges: (record.privileges ?? []).map((p) => ({ path: p.path, access: p.access })),
  };
}

/** A record ONTAP lists with its name and the SVM that owns it. */
interface OwnedRecord {
  readonly name: string;
  readonly owner: { readonly uuid: string; readonly name: string };
}

/** Which record on which SVM to find: its kind (for messages), collection, name and the fields to read. */
interface RecordOnSvm<T extends OwnedRecord> {
  readonly kind: 'account' | 'role';
  readonly path: string;
  readonly svmName: string;
  readonly name: string;
  readonly fields: string;
  readonly schema: z.ZodType<T>;
}

/**
 * The one record of a kind named `name` on the SVM named `svmName`, or null when ONTAP has none. Both
 * names are checked before the call; ONTAP listing two is an answer that is not the documented shape.
 */
async function findOnSvm<T extends OwnedRecord>(session: OntapSession, find: RecordOnSvm<T>): Promise<T | null> {
  exactName('SVM name', find.svmName);
  exactName(`${find.kind} name`, find.name);
  const query = { name: find.name, 'owner.name': find.svmName, fields: find.fields };
  const records = await session.getAll(find.path, query, find.schema);
  const matches = records.filter((r) => r.name === find.name && r.owner.name === find.svmName);
  if (matches.length > 1) {
    const text = `ONTAP listed ${matches.length} ${find.kind}s named ${JSON.stringify(find.name)} on ${find.svmName}`;
    throw new OntapResponseFormatError(text, { method: 'GET', path: find.path });
  }
  return matches[0] ?? null;
}

/** A record's name and owner, as the product reports them. */
function ownedName(record: OwnedRecord): { name: string; ownerUuid: string; ownerName: string } {
  return { name: record.name, ownerUuid: record.owner.uuid, ownerName: record.owner.name };
}

/**
 * JIT periods in force for an owner (SVM uuid), else the cluster's; with no
 * owner given, the cluster's. Falls back to the documented defaults (PT1H, P90D)
 * only if ONTAP lists no settings at all (`source` says which applied).
 */
export async function getJitSettings(session: OntapSession, ownerUuid?: string): Promise<JitSettings> {
  if (ownerUuid !== undefined) uuidArg('owner uuid', ownerUuid);
  const path = '/api/security/jit-privileges';
  const query = { application: 'ssh', fields: 'default_session_validity_period,max_jit_validity_period' };
  const [records, clusterOwner] = await Promise.all([
    session.getAll(path, query, JitSettingsRecordSchema),
    session.clusterOwner(),
  ]);
  const cluster = clusterOwner ? records.find((r) => r.owner.uuid === clusterOwner.uuid) : undefined;
  const own = ownerUuid !== undefined ? records.find((r) => r.owner.uuid === ownerUuid) : undefined;
  const chosen = own ?? cluster;
  const sessionPeriod =
    chosen?.default_session_validity_period ?? cluster?.default_session_validity_period ?? DOCUMENTED_DEFAULTS.session;
  const max = chosen?.max_jit_validity_period ?? cluster?.max_jit_validity_period ?? DOCUMENTED_DEFAULTS.max;
  // An answer may carry PT0S; it is read as 0, not refused.
  const sessionSec = parseIsoDuration(sessionPeriod);
  const maxSec = parseIsoDuration(max);
  if (sessionSec === null || maxSec === null) {
    const text = `ONTAP GET ${path}: a JIT period is not an ISO-8601 duration`;
    throw new OntapResponseFormatError(text, { method: 'GET', path });
  }
  const owner = chosen?.owner ?? clusterOwner;
  return {
    ownerUuid: owner?.uuid ?? ownerUuid ?? '',
    ownerName: owner?.name ?? '',
    application: 'ssh',
    defaultSessionValidity: sessionPeriod,
    defaultSessionValiditySeconds: sessionSec,
    maxJitValidity: max,
    maxJitValiditySeconds: maxSec,
    source: !chosen ? 'documented-default' : chosen === own && own !== cluster ? 'svm' : 'cluster',
  };
}
