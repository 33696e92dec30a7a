/** Renders simulator state as ONTAP REST records, with HAL `_links`. */
import { formatDuration, formatIsoTime, formatOntapTime } from './durations';
import type { AccountState, JitUserState, JobState, RoleState, SimState, SvmState } from './state';

/** A JSON object as it goes on the wire. */
export type WireRecord = Record<string, unknown>;

const seg = encodeURIComponent;

function self(href: string): { self: { href: string } } {
  return { self: { href } };
}

/** `owner` as the reference pages show it: uuid, name and a link to the SVM. */
export function ownerRef(svm: SvmState): WireRecord {
  return { uuid: svm.uuid, name: svm.name, _links: self(`/api/svm/svms/${svm.uuid}`) };
}

/** A data SVM record (`GET /api/svm/svms`). */
export function svmRecord(svm: SvmState): WireRecord {
  return {
    uuid: svm.uuid,
    name: svm.name,
    state: svm.state,
    subtype: svm.subtype,
    ...(svm.comment !== undefined ? { comment: svm.comment } : {}),
    _links: self(`/api/svm/svms/${svm.uuid}`),
  };
}

/** An account record (`GET /api/security/accounts`); keys follow the `account` definition of the OpenAPI file. */
export function accountRecord(state: SimState, a: AccountState): WireRecord {
  const owner = state.svmByUuid(a.ownerUuid);
  if (!owner) throw new Error(`account ${a.name} has a dangling owner`);
  return {
    owner: ownerRef(owner),
    name: a.name,
    applications: a.applications.map((app) => ({
      application: app.application,
      authentication_methods: [...app.authentication_methods],
      second_authentication_method: app.second_authentication_method,
    })),
    role: { name: a.role, _links: self(`/api/security/roles/${owner.uuid}/${seg(a.role)}`) },
    locked: a.locked,
    ...(a.comment !== undefined ? { comment: a.comment } : {}),
    scope: owner.scope,
    _links: self(`/api/security/accounts/${owner.uuid}/${seg(a.name)}`),
  };
}

/** A role record (`GET /api/security/roles`), shaped like the reference page's example. */
export function roleRecord(state: SimState, r: RoleState): WireRecord {
  const owner = state.svmByUuid(r.ownerUuid);
  if (!owner) throw new Error(`role ${r.name} has a dangling owner`);
  const base = `/api/security/roles/${owner.uuid}/${seg(r.name)}`;
  return {
    owner: ownerRef(owner),
    name: r.name,
    privileges: r.privileges.map((p) => ({
      path: p.path,
      access: p.access,
      _links: self(`${base}/privileges/${seg(p.path)}`),
    })),
    builtin: r.builtin,
    scope: owner.scope,
    _links: self(base),
  };
}

/** A JIT settings record (`GET /api/security/jit-privileges`). */
export function jitSettingsRecord(state: SimState, svm: SvmState): WireRecord {
  const periods = state.effectiveJitPeriods(svm.uuid);
  return {
    owner: ownerRef(svm),
    application: 'ssh',
    default_session_validity_period: periods.default_session_validity_period,
    max_jit_validity_period: periods.max_jit_validity_period,
    _links: self(`/api/security/jit-privileges/${svm.uuid}/ssh`),
  };
}

/** Location of a JIT user entry. */
export function jitUserHref(e: JitUserState): string {
  return `/api/security/jit-privilege-users/${e.ownerUuid}/${seg(e.account)}/${seg(e.application)}`;
}

/** A JIT user record as `GET` answers it, with HAL links like the reference page's example. */
export function jitUserRecord(state: SimState, e: JitUserState): WireRecord {
  const owner = state.svmByUuid(e.ownerUuid);
  if (!owner) throw new Error(`JIT entry ${e.account} has a dangling owner`);
  return {
    owner: ownerRef(owner),
    account: { name: e.account, _links: self(`/api/security/accounts/${owner.uuid}/${seg(e.account)}`) },
    application: e.application,
    role: { name: e.role, _links: self(`/api/security/roles/${owner.uuid}/${seg(e.role)}`) },
    session_validity: formatDuration(e.sessionValiditySec),
    jit_validity: formatDuration(e.jitValiditySec),
    start_time: formatOntapTime(e.startMs),
    end_time: formatOntapTime(state.endMs(e)),
    jit_state: state.jitStateOf(e),
    ...(e.comment !== undefined ? { comment: e.comment } : {}),
    _links: self(jitUserHref(e)),
  };
}

/** A JIT user record as `POST ...?return_records=true` answers it: the create page's example has no links. */
export function createdJitUserRecord(state: SimState, e: JitUserState): WireRecord {
  return stripLinks(jitUserRecord(state, e));
}

/** A job record (`GET /api/cluster/jobs/{uuid}`). */
export function jobRecord(job: JobState): WireRecord {
  return {
    uuid: job.uuid,
    description: job.description,
    state: job.state,
    message: job.message,
    code: job.code,
    start_time: formatIsoTime(job.startMs),
    ...(job.endMs !== undefined ? { end_time: formatIsoTime(job.endMs) } : {}),
    _links: self(`/api/cluster/jobs/${job.uuid}`),
  };
}

function stripLinks(record: WireRecord): WireRecord {
  return JSON.parse(JSON.stringify(record, (key, value: unknown) => (key === '_links' ? undefined : value)));
}
