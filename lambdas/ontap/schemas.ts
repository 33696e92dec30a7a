/**
 * Shapes of what ONTAP answers (validated with zod, unknown keys ignored so a
 * newer ONTAP does not break the client) and of what callers pass and get back.
 */
import { z } from 'zod';

const Href = z.object({ href: z.string() });
const Links = z.object({ self: Href.optional(), next: Href.optional() });

/** ONTAP's error body: `{"error": {"code", "message", "target", "arguments"}}`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    target: z.string().optional(),
    arguments: z.array(z.object({ code: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

/** A collection answer; `records` is absent when `return_records=false`. */
export function collectionSchema<T extends z.ZodType>(record: T) {
  return z.object({
    records: z.array(record).optional(),
    num_records: z.number().int().nonnegative().optional(),
    _links: Links.optional(),
  });
}

const Owner = z.object({ uuid: z.string(), name: z.string() });

/** `GET /api/svm/svms?fields=uuid,name` record. */
export const SvmRecordSchema = z.object({ uuid: z.string(), name: z.string() });

/** `GET /api/security/accounts?scope=cluster&fields=owner` record. */
export const AccountOwnerRecordSchema = z.object({ owner: Owner });

/** `GET /api/security/accounts?...&fields=applications,locked,role,owner` record. */
export const AccountRecordSchema = z.object({
  name: z.string(),
  owner: Owner,
  locked: z.boolean().optional(),
  role: z.object({ name: z.string() }).optional(),
  applications: z
    .array(
      z.object({
        application: z.string(),
        authentication_methods: z.array(z.string()).optional(),
        second_authentication_method: z.string().optional(),
      }),
    )
    .optional(),
});

/** `GET /api/security/roles?...&fields=*` record. */
export const RoleRecordSchema = z.object({
  name: z.string(),
  owner: Owner,
  builtin: z.boolean().optional(),
  scope: z.enum(['cluster', 'svm']).optional(),
  privileges: z.array(z.object({ path: z.string(), access: z.string() })).optional(),
});

/** `GET /api/security/jit-privileges?fields=*` record. */
export const JitSettingsRecordSchema = z.object({
  owner: Owner,
  application: z.string(),
  default_session_validity_period: z.string().optional(),
  max_jit_validity_period: z.string().optional(),
});

/** The fields of a JIT user record that ONTAP leaves out unless they are asked for (`fields=`) or set. */
const JitUserDetailsSchema = z
  .object({
    role: z.object({ name: z.string() }),
    session_validity: z.string(),
    jit_validity: z.string(),
    start_time: z.string(),
    end_time: z.string(),
    jit_state: z.string(),
    comment: z.string(),
  })
  .partial();

/** `GET /api/security/jit-privilege-users?fields=*` record: the keys (owner, account, application) and its details. */
export const JitUserRecordSchema = z
  .object({
    owner: z.object({ uuid: z.string(), name: z.string().optional() }),
    account: z.object({ name: z.string() }),
    application: z.string(),
  })
  .extend(JitUserDetailsSchema.shape);

/** The 202 answer of an asynchronous operation. */
export const JobLinkBodySchema = z.object({
  job: z.object({ uuid: z.string(), _links: z.object({ self: Href.optional() }).optional() }),
});

/** `GET /api/cluster/jobs/{uuid}`. */
export const JobRecordSchema = z.object({
  uuid: z.string(),
  state: z.enum(['queued', 'running', 'paused', 'success', 'failure']),
  message: z.string().optional(),
  code: z.number().int().optional(),
  description: z.string().optional(),
});

/** ONTAP JIT states; `unknown` stands for anything a newer ONTAP may add. */
export type JitState = 'preactive' | 'idle' | 'active' | 'unknown';

/** An SVM resolved by name: a data SVM (`svm`) or the cluster-scoped admin SVM (`cluster`). */
export interface SvmRef {
  uuid: string;
  name: string;
  scope: 'cluster' | 'svm';
}

/** One login application of an account. */
export interface AccountApplication {
  application: string;
  authenticationMethods: string[];
  /** `none` when ONTAP does not say. */
  secondAuthenticationMethod: string;
}

/** A login account, as far as JIT prerequisites care. */
export interface OntapAccount {
  name: string;
  ownerUuid: string;
  ownerName: string;
  locked: boolean;
  role: string | null;
  applications: AccountApplication[];
}

/** One REST privilege tuple of a role. */
export interface RolePrivilege {
  path: string;
  access: string;
}

/** A REST role. */
export interface OntapRole {
  name: string;
  ownerUuid: string;
  ownerName: string;
  builtin: boolean;
  scope: 'cluster' | 'svm' | null;
  privileges: RolePrivilege[];
}

/** JIT periods in force for one owner. */
export interface JitSettings {
  ownerUuid: string;
  ownerName: string;
  application: string;
  /** ISO-8601, e.g. `PT1H`. */
  defaultSessionValidity: string;
  defaultSessionValiditySeconds: number;
  /** ISO-8601, e.g. `P90D`. */
  maxJitValidity: string;
  maxJitValiditySeconds: number;
  /** `svm`: the owner's own record; `cluster`: the admin SVM's record used as fallback; `documented-default`: ONTAP sent none. */
  source: 'svm' | 'cluster' | 'documented-default';
}

const Duration = z.union([z.string().min(1), z.number().int().positive()]);

/**
 * What callers ask to grant: one JIT entry. Durations are ISO-8601 text or
 * whole seconds; `startTime` must be whole seconds (omit it for "now").
 * `comment` should carry the request id, so a revoke can prove the entry is its own.
 */
export const JitUserEntrySchema = z.strictObject({
  ownerUuid: z.string().min(1),
  account: z.string().min(1),
  application: z.literal('ssh').default('ssh'),
  role: z.string().min(1),
  jitValidity: Duration,
  sessionValidity: Duration.optional(),
  startTime: z.union([z.date(), z.string().min(1)]).optional(),
  comment: z.string().optional(),
});

/** Input of `ensureJitUser`. */
export type JitUserEntry = z.input<typeof JitUserEntrySchema>;

/** A JIT entry as ONTAP reports it; times are ISO-8601 UTC (`...Z`), durations ISO-8601. */
export interface JitUserRecord {
  ownerUuid: string;
  ownerName: string | null;
  account: string;
  application: string;
  role: string | null;
  sessionValidity: string | null;
  jitValidity: string | null;
  startTime: string | null;
  endTime: string | null;
  jitState: JitState;
  comment: string | null;
}

/** Filters of `listJitUsers` (exact matches). */
export interface JitUserFilter {
  ownerUuid?: string;
  account?: string;
  application?: string;
}
