/** The simulated cluster's state and the rules ONTAP applies when it changes. */
import { randomUUID } from 'node:crypto';
import { CLUSTER_BUILTIN_ROLES, type Privilege, SVM_BUILTIN_ROLES } from './builtin-roles';
import type { SimClock } from './clock';
import { durationSeconds, formatDuration, parseOntapTime } from './durations';
import { OntapSimError } from './errors';
import type { Fixture } from './fixture';

/** An SVM: the admin SVM (scope `cluster`) or a data SVM (scope `svm`). */
export interface SvmState {
  uuid: string;
  name: string;
  scope: 'cluster' | 'svm';
  state: string;
  subtype: string;
  comment?: string;
}

/** One login application of an account. */
export interface AccountApplicationState {
  application: string;
  authentication_methods: string[];
  second_authentication_method: string;
}

/** A login account (`security login`). */
export interface AccountState {
  ownerUuid: string;
  name: string;
  applications: AccountApplicationState[];
  role: string;
  locked: boolean;
  comment?: string;
}

/** A REST role. */
export interface RoleState {
  ownerUuid: string;
  name: string;
  builtin: boolean;
  privileges: Privilege[];
}

/** JIT periods of one owner (`security jit-privilege show`). */
export interface JitPeriods {
  default_session_validity_period: string;
  max_jit_validity_period: string;
}

/** The JIT elevation states ONTAP reports. */
export type JitState = 'preactive' | 'idle' | 'active';

/** A JIT privilege user entry (`security jit-privilege user`). */
export interface JitUserState {
  ownerUuid: string;
  account: string;
  application: 'ssh';
  role: string;
  sessionValiditySec: number;
  jitValiditySec: number;
  startMs: number;
  comment?: string;
  /** Set while an elevated session is on (the simulator's stand-in for `security jit-privilege elevate`). */
  sessionEndsMs?: number;
}

/** The states of an ONTAP job. */
export type JobStateName = 'queued' | 'running' | 'paused' | 'success' | 'failure';

/** An asynchronous job, as answered by `GET /api/cluster/jobs/{uuid}`. */
export interface JobState {
  uuid: string;
  description: string;
  state: JobStateName;
  message: string;
  code: number;
  startMs: number;
  endMs?: number;
  /** How many more polls answer `running` before the job settles. */
  pollsLeft: number;
  outcome: { state: 'success' | 'failure'; message: string; code: number };
}

const WRITABLE_JIT_FIELDS = new Set([
  'owner',
  'account',
  'application',
  'role',
  'session_validity',
  'jit_validity',
  'start_time',
  'comment',
]);
const READ_ONLY_JIT_FIELDS = new Set(['jit_state', 'end_time']);
// Login methods JIT can elevate: password per the 9.17 page; nsswitch and domain
// are listed by another version of NetApp's docs (the two disagree), so they pass too.
const JIT_LOGIN_METHODS = new Set(['password', 'nsswitch', 'domain']);

function invalid(target: string, message: string): OntapSimError {
  return new OntapSimError(400, message, '2', target);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The cluster the simulator answers for; every request handler reads and changes it. */
export class SimState {
  /** Cluster name and uuid from the fixture. */
  readonly cluster: { name: string; uuid: string };
  /** The cluster-scoped owner (not listed by `/api/svm/svms`). */
  adminSvm!: SvmState;
  /** Data SVMs. */
  svms: SvmState[] = [];
  accounts: AccountState[] = [];
  roles: RoleState[] = [];
  jitCluster!: JitPeriods;
  /** Per-owner overrides of the cluster's JIT periods, keyed by owner uuid. */
  jitOverrides = new Map<string, Partial<JitPeriods>>();
  jitUsers: JitUserState[] = [];
  jobs = new Map<string, JobState>();

  /** Loads the fixture; `clock` drives start times, `jit_state` and job times. */
  constructor(
    private readonly fixture: Fixture,
    readonly clock: SimClock,
  ) {
    this.cluster = { ...fixture.cluster };
    this.reset();
  }

  /** Puts everything back the way the fixture describes it. */
  reset(): void {
    const f = this.fixture;
    this.adminSvm = {
      uuid: f.admin_svm.uuid,
      name: f.admin_svm.name,
      scope: 'cluster',
      state: 'running',
      subtype: 'default',
    };
    this.svms = f.svms.map((s) => ({
      uuid: s.uuid,
      name: s.name,
      scope: 'svm' as const,
      state: s.state,
      subtype: s.subtype,
      ...(s.comment !== undefined ? { comment: s.comment } : {}),
    }));
    const uuidOf = (name: string): string => {
      const svm = this.svmByName(name);
      if (!svm) throw new Error(`fixture names unknown SVM ${name}`);
      return svm.uuid;
    };
    this.accounts = f.accounts.map((a) => {
      const ownerUuid = uuidOf(a.owner);
      return {
        ownerUuid,
        name: a.name,
        applications: a.applications.map((app) => ({
          ...app,
          authentication_methods: [...app.authentication_methods],
        })),
        role: a.role ?? (ownerUuid === this.adminSvm.uuid ? 'admin' : 'vsadmin'),
        locked: a.locked,
        ...(a.comment !== undefined ? { comment: a.comment } : {}),
      };
    });
    this.roles = [];
    for (const [name, privileges] of Object.entries(CLUSTER_BUILTIN_ROLES)) {
      this.roles.push({
        ownerUuid: this.adminSvm.uuid,
        name,
        builtin: true,
        privileges: privileges.map((p) => ({ ...p })),
      });
    }
    for (const svm of this.svms) {
      for (const [name, privileges] of Object.entries(SVM_BUILTIN_ROLES)) {
        this.roles.push({ ownerUuid: svm.uuid, name, builtin: true, privileges: privileges.map((p) => ({ ...p })) });
      }
    }
    for (const r of f.roles) {
      this.roles.push({
        ownerUuid: uuidOf(r.owner),
        name: r.name,
        builtin: false,
        privileges: r.privileges.map((p) => ({ ...p })),
      });
    }
    this.jitCluster = { ...f.jit.cluster };
    this.jitOverrides = new Map(Object.entries(f.jit.svms).map(([name, periods]) => [uuidOf(name), { ...periods }]));
    this.jitUsers = [];
    this.jobs = new Map();
    for (const seed of f.jit_users) {
      const { owner, account, role, ...rest } = seed;
      this.createJitUser({
        owner: { name: owner },
        account: { name: account },
        application: 'ssh',
        ...(role !== undefined ? { role: { name: role } } : {}),
        ...rest,
      });
    }
  }

  /** The admin SVM followed by the data SVMs. */
  allSvms(): SvmState[] {
    return [this.adminSvm, ...this.svms];
  }

  /** Any SVM (admin or data) by uuid. */
  svmByUuid(uuid: string): SvmState | undefined {
    return this.allSvms().find((s) => s.uuid === uuid);
  }

  /** Any SVM (admin or data) by name. */
  svmByName(name: string): SvmState | undefined {
    return this.allSvms().find((s) => s.name === name);
  }

  /** The JIT periods in force for an owner: its overrides over the cluster's. */
  effectiveJitPeriods(ownerUuid: string): JitPeriods {
    return { ...this.jitCluster, ...(ownerUuid === this.adminSvm.uuid ? {} : this.jitOverrides.get(ownerUuid)) };
  }

  /** End of an entry's window: start_time + jit_validity. */
  endMs(entry: JitUserState): number {
    return entry.startMs + entry.jitValiditySec * 1000;
  }

  /**
   * `preactive` before start_time, `active` while an elevated session is on,
   * `idle` otherwise, including after the window has passed: ONTAP keeps the
   * configuration until someone deletes it and has no state for "expired".
   */
  jitStateOf(entry: JitUserState): JitState {
    const now = this.clock.now();
    if (now < entry.startMs) return 'preactive';
    if (entry.sessionEndsMs !== undefined && now < entry.sessionEndsMs) return 'active';
    return 'idle';
  }

  /** The entry for (owner uuid, account, application), if any. */
  findJitUser(ownerUuid: string, account: string, application: string): JitUserState | undefined {
    return this.jitUsers.find(
      (e) => e.ownerUuid === ownerUuid && e.account === account && e.application === application,
    );
  }

  /** `POST /api/security/jit-privilege-users`: validates the body the way the reference pages describe. */
  createJitUser(body: unknown): JitUserState {
    if (!isRecord(body)) throw invalid('body', 'The request body must be a JSON object.');
    for (const key of Object.keys(body)) {
      if (READ_ONLY_JIT_FIELDS.has(key)) throw invalid(key, `Field "${key}" is read-only and cannot be set.`);
      if (!WRITABLE_JIT_FIELDS.has(key)) throw invalid(key, `Unexpected argument "${key}".`);
    }
    const owner = nestedObject(body, 'owner', ['uuid', 'name']);
    const account = nestedObject(body, 'account', ['name']);
    const role = nestedObject(body, 'role', ['name']);
    const ownerUuid = optionalString(owner, 'uuid', 'owner.uuid');
    const ownerName = optionalString(owner, 'name', 'owner.name');
    const accountName = optionalString(account, 'name', 'account.name');
    const roleName = optionalString(role, 'name', 'role.name');
    const application = optionalString(body, 'application', 'application');
    const sessionText = optionalString(body, 'session_validity', 'session_validity');
    const jitText = optionalString(body, 'jit_validity', 'jit_validity');
    const startText = optionalString(body, 'start_time', 'start_time');
    const comment = optionalString(body, 'comment', 'comment');

    if (ownerUuid === undefined && ownerName === undefined)
      throw invalid('owner.uuid', 'Missing required field "owner.uuid".');
    if (accountName === undefined || accountName === '')
      throw invalid('account.name', 'Missing required field "account.name".');
    if (application === undefined) throw invalid('application', 'Missing required field "application".');
    if (application !== 'ssh')
      throw invalid(
        'application',
        `Invalid value "${application}" for field "application": the only supported application is "ssh".`,
      );

    const byUuid = ownerUuid !== undefined ? this.svmByUuid(ownerUuid) : undefined;
    const byName = ownerName !== undefined ? this.svmByName(ownerName) : undefined;
    // 2621462 and 2621706 come from NetApp's security/roles and security/accounts
    // pages; the JIT page lists no codes, so their use here is assumed.
    if (ownerUuid !== undefined && ownerName !== undefined && byUuid && byName && byUuid !== byName) {
      throw new OntapSimError(
        400,
        'The specified owner.uuid and owner.name refer to different SVMs.',
        '2621706',
        'owner.uuid',
      );
    }
    const svm = byUuid ?? byName;
    if (!svm || (ownerUuid !== undefined && !byUuid) || (ownerName !== undefined && !byName)) {
      throw new OntapSimError(
        400,
        'The supplied SVM does not exist.',
        '2621462',
        ownerUuid !== undefined ? 'owner.uuid' : 'owner.name',
      );
    }

    const periods = this.effectiveJitPeriods(svm.uuid);
    const sessionValiditySec =
      readDuration(sessionText, 'session_validity') ?? durationOrThrow(periods.default_session_validity_period);
    const jitValiditySec = readDuration(jitText, 'jit_validity') ?? sessionValiditySec;
    if (sessionValiditySec <= 0)
      throw invalid('session_validity', 'The session validity period must be longer than zero.');
    if (jitValiditySec <= 0) throw invalid('jit_validity', 'The JIT validity period must be longer than zero.');
    let startMs = Math.floor(this.clock.now() / 1000) * 1000;
    if (startText !== undefined) {
      const parsed = parseOntapTime(startText);
      if (!parsed.ok) {
        throw invalid(
          'start_time',
          parsed.reason === 'subsecond'
            ? 'Sub-second precision is not supported for field "start_time".'
            : `Invalid value "${startText}" for field "start_time".`,
        );
      }
      startMs = parsed.ms;
    }

    const acct = this.accounts.find((a) => a.ownerUuid === svm.uuid && a.name === accountName);
    // 1261218 ("The user was not found.") is from the security/accounts PATCH table; assumed for JIT.
    if (!acct)
      throw new OntapSimError(
        400,
        `The user "${accountName}" was not found on SVM "${svm.name}".`,
        '1261218',
        'account.name',
      );
    const ssh = acct.applications.find((a) => a.application === 'ssh');
    const supported =
      ssh?.authentication_methods.some((m) => JIT_LOGIN_METHODS.has(m)) && ssh.second_authentication_method === 'none';
    // 5636176 ("The application and authentication-method combination is invalid.")
    // from the security/accounts page; the JIT page only states the prerequisite, so assumed.
    if (!supported) {
      throw new OntapSimError(
        400,
        `User "${accountName}" has no JIT-supported ssh login method (password without MFA).`,
        '5636176',
        'account.name',
      );
    }
    const roleNameFinal = roleName ?? (svm.scope === 'cluster' ? 'admin' : 'vsadmin');
    // 7077906 is the security/accounts code for an undefined role; assumed for JIT.
    if (!this.roles.some((r) => r.ownerUuid === svm.uuid && r.name === roleNameFinal)) {
      throw new OntapSimError(
        400,
        `A role with the name "${roleNameFinal}" has not been defined for SVM "${svm.name}".`,
        '7077906',
        'role.name',
      );
    }
    const maxSec = durationOrThrow(periods.max_jit_validity_period);
    if (jitValiditySec > maxSec) {
      throw invalid(
        'jit_validity',
        `The JIT validity period ${formatDuration(jitValiditySec)} exceeds the maximum of ${periods.max_jit_validity_period}.`,
      );
    }
    if (this.findJitUser(svm.uuid, accountName, application)) throw new OntapSimError(409, 'duplicate entry', '1');

    const entry: JitUserState = {
      ownerUuid: svm.uuid,
      account: accountName,
      application: 'ssh',
      role: roleNameFinal,
      sessionValiditySec,
      jitValiditySec,
      startMs,
      ...(comment !== undefined ? { comment } : {}),
    };
    this.jitUsers.push(entry);
    return entry;
  }

  /** `DELETE /api/security/jit-privilege-users/...`: removes the entry and ends any elevated session. */
  deleteJitUser(ownerUuid: string, account: string, application: string): JitUserState {
    const entry = this.findJitUser(ownerUuid, account, application);
    if (!entry) throw new OntapSimError(404, "entry doesn't exist", '4', 'account.name');
    this.jitUsers = this.jitUsers.filter((e) => e !== entry);
    return entry;
  }

  /** `PATCH /api/security/jit-privileges/{owner.uuid}/{application}`. */
  patchJitSettings(ownerUuid: string, application: string, body: unknown): void {
    if (!this.svmByUuid(ownerUuid) || application !== 'ssh')
      throw new OntapSimError(404, "entry doesn't exist", '4', 'owner.uuid');
    if (!isRecord(body)) throw invalid('body', 'The request body must be a JSON object.');
    const changes: Partial<JitPeriods> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key === 'owner' || key === 'application')
        throw invalid(key, `Field "${key}" cannot be specified in a PATCH method.`);
      if (key !== 'default_session_validity_period' && key !== 'max_jit_validity_period')
        throw invalid(key, `Unexpected argument "${key}".`);
      if (typeof value !== 'string' || durationSeconds(value) === null)
        throw invalid(key, `Invalid value for field "${key}": expected an ISO-8601 duration.`);
      changes[key] = value;
    }
    if (ownerUuid === this.adminSvm.uuid) {
      this.jitCluster = { ...this.jitCluster, ...changes };
    } else {
      this.jitOverrides.set(ownerUuid, { ...this.jitOverrides.get(ownerUuid), ...changes });
    }
  }

  /**
   * Test hook standing in for `security jit-privilege elevate` in an SSH session:
   * the session lasts session_validity but not past the end of the window.
   */
  elevate(ownerUuid: string, account: string, application = 'ssh'): JitUserState {
    const entry = this.findJitUser(ownerUuid, account, application);
    if (!entry) throw new OntapSimError(404, "entry doesn't exist", '4', 'account.name');
    const now = this.clock.now();
    if (now < entry.startMs || now >= this.endMs(entry))
      throw new OntapSimError(400, 'The JIT window is not open.', '2', 'start_time');
    entry.sessionEndsMs = Math.min(now + entry.sessionValiditySec * 1000, this.endMs(entry));
    return entry;
  }

  /** Test hook standing in for `security jit-privilege reset`. */
  endSession(ownerUuid: string, account: string, application = 'ssh'): void {
    const entry = this.findJitUser(ownerUuid, account, application);
    if (entry) delete entry.sessionEndsMs;
  }

  /** Registers a job that answers `running` for `polls` polls and then settles on `outcome`. */
  createJob(description: string, outcome: JobState['outcome'], polls: number): JobState {
    const job: JobState = {
      uuid: randomUUID(),
      description,
      state: 'running',
      message: 'Running',
      code: 0,
      startMs: this.clock.now(),
      pollsLeft: polls,
      outcome,
    };
    this.jobs.set(job.uuid, job);
    return job;
  }

  /** Reads a job the way a poll does: a running job answers `running` `polls` times, then settles. */
  pollJob(uuid: string): JobState | undefined {
    const job = this.jobs.get(uuid);
    if (!job) return undefined;
    if (job.state === 'running') {
      if (job.pollsLeft > 0) {
        job.pollsLeft -= 1;
      } else {
        job.state = job.outcome.state;
        job.message = job.outcome.message;
        job.code = job.outcome.code;
        job.endMs = this.clock.now();
      }
    }
    return { ...job };
  }
}

function nestedObject(body: Record<string, unknown>, key: string, allowed: string[]): Record<string, unknown> {
  const value = body[key];
  if (value === undefined) return {};
  if (!isRecord(value)) throw invalid(key, `Field "${key}" must be an object.`);
  for (const k of Object.keys(value)) {
    if (k === '_links') continue;
    if (!allowed.includes(k)) throw invalid(`${key}.${k}`, `Unexpected argument "${key}.${k}".`);
  }
  return value;
}

function optionalString(obj: Record<string, unknown>, key: string, target: string): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(target, `Field "${target}" must be a string.`);
  return value;
}

function readDuration(text: string | undefined, target: string): number | undefined {
  if (text === undefined) return undefined;
  const seconds = durationSeconds(text);
  if (seconds === null)
    throw invalid(
      target,
      `Invalid value "${text}" for field "${target}": expected an ISO-8601 duration such as PT30M or P90D.`,
    );
  return seconds;
}

function durationOrThrow(text: string): number {
  const seconds = durationSeconds(text);
  if (seconds === null) throw new Error(`bad duration in simulator settings: ${text}`);
  return seconds;
}
