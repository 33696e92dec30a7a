/** Read-only lookups on a cluster: SVMs, login accounts, roles and the JIT periods in force. */
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
  exactName('SVM name', svmName);
  exactName('account name', name);
  const path = '/api/security/accounts';
  const query = { name, 'owner.name': svmName, fields: 'applications,locked,role,owner' };
  const records = await session.getAll(path, query, AccountRecordSchema);
  const matches = records.filter((r) => r.name === name && r.owner.name === svmName);
  if (matches.length > 1) {
    const text = `ONTAP listed ${matches.length} accounts named ${JSON.stringify(name)} on ${svmName}`;
    throw new OntapResponseFormatError(text, { method: 'GET', path });
  }
  const r = matches[0];
  if (!r) return null;
  return {
    name: r.name,
    ownerUuid: r.owner.uuid,
    ownerName: r.owner.name,
    locked: r.locked ?? false,
    role: r.role?.name ?? null,
    applications: (r.applications ?? []).map((a) => ({
      application: a.application,
      authenticationMethods: a.authentication_methods ?? [],
      secondAuthenticationMethod: a.second_authentication_method ?? 'none',
    })),
  };
}

/** A role defined on an SVM (by SVM name) with its privileges, or null. */
export async function getRole(session: OntapSession, svmName: string, role: string): Promise<OntapRole | null> {
  exactName('SVM name', svmName);
  exactName('role name', role);
  const query = { name: role, 'owner.name': svmName, fields: 'builtin,scope,privileges' };
  const records = await session.getAll('/api/security/roles', query, RoleRecordSchema);
  const r = records.find((x) => x.name === role && x.owner.name === svmName);
  if (!r) return null;
  return {
    name: r.name,
    ownerUuid: r.owner.uuid,
    ownerName: r.owner.name,
    builtin: r.builtin ?? false,
    scope: r.scope ?? null,
    privileges: (r.privileges ?? []).map((p) => ({ path: p.path, access: p.access })),
  };
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
