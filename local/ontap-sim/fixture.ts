/** The fixture file that seeds the simulator: one cluster, its SVMs, accounts, roles and JIT settings. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { durationSeconds } from './durations';
import { SimFixtureError } from './errors';
import example from './fixtures/example-cluster.json';

const Duration = z.string().refine((s) => durationSeconds(s) !== null, 'not an ISO-8601 duration (D/H/M/S)');

const ApplicationSchema = z.strictObject({
  application: z.enum(['console', 'http', 'ontapi', 'service_processor', 'ssh', 'amqp']),
  authentication_methods: z.array(z.string()).min(1),
  second_authentication_method: z.string().default('none'),
});

const AccountSchema = z.strictObject({
  /** Name of the owning SVM (the admin SVM's name for cluster-scoped accounts). */
  owner: z.string(),
  name: z.string().min(1),
  applications: z.array(ApplicationSchema).default([]),
  role: z.string().optional(),
  locked: z.boolean().default(false),
  comment: z.string().optional(),
});

const PrivilegeSchema = z.strictObject({ path: z.string(), access: z.enum(['none', 'readonly', 'all']) });

const RoleSchema = z.strictObject({
  owner: z.string(),
  name: z.string().min(1),
  privileges: z.array(PrivilegeSchema).min(1),
});

const SvmSchema = z.strictObject({
  name: z.string().min(1),
  uuid: z.string().min(1),
  state: z.enum(['starting', 'running', 'stopping', 'stopped', 'deleting']).default('running'),
  subtype: z.enum(['default', 'dp_destination', 'sync_source', 'sync_destination']).default('default'),
  comment: z.string().optional(),
});

const JitPeriodsSchema = z.strictObject({
  default_session_validity_period: Duration.optional(),
  max_jit_validity_period: Duration.optional(),
});

const JitUserSeedSchema = z.strictObject({
  owner: z.string(),
  account: z.string(),
  role: z.string().optional(),
  session_validity: Duration.optional(),
  jit_validity: Duration.optional(),
  start_time: z.string().optional(),
  comment: z.string().optional(),
});

/** Shape of a fixture file (snake_case like ONTAP's own fields). */
export const FixtureSchema = z.strictObject({
  cluster: z.strictObject({ name: z.string().min(1), uuid: z.string().min(1) }),
  /** The cluster-scoped owner: not listed by /api/svm/svms, owner of cluster accounts and roles. */
  admin_svm: z.strictObject({ name: z.string().min(1), uuid: z.string().min(1) }),
  svms: z.array(SvmSchema),
  /** Who may call the REST API: `all` may write, `readonly` gets 403 code 6 on writes. */
  api_users: z
    .array(
      z.strictObject({ username: z.string().min(1), password: z.string().min(1), access: z.enum(['all', 'readonly']) }),
    )
    .min(1),
  accounts: z.array(AccountSchema),
  /** Custom roles; the built-in ones are added by the simulator. */
  roles: z.array(RoleSchema).default([]),
  jit: z.strictObject({
    cluster: z.strictObject({ default_session_validity_period: Duration, max_jit_validity_period: Duration }),
    /** Per-SVM overrides keyed by SVM name; unset periods follow the cluster's. */
    svms: z.record(z.string(), JitPeriodsSchema).default({}),
  }),
  jit_users: z.array(JitUserSeedSchema).default([]),
});

/** A validated fixture. */
export type Fixture = z.output<typeof FixtureSchema>;
/** A fixture as written in JSON (defaults not yet applied). */
export type FixtureInput = z.input<typeof FixtureSchema>;

/** Validates a fixture object, naming the offending field when it is wrong. */
export function parseFixture(input: unknown): Fixture {
  const result = FixtureSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first ? first.path.join('.') || '(root)' : '(root)';
    throw new SimFixtureError(`invalid simulator fixture at ${where}: ${first?.message ?? 'invalid'}`, {
      cause: result.error,
    });
  }
  const fixture = result.data;
  const owners = new Set([fixture.admin_svm.name, ...fixture.svms.map((s) => s.name)]);
  for (const a of fixture.accounts) {
    if (!owners.has(a.owner)) throw new SimFixtureError(`account ${a.name}: unknown owner ${a.owner}`);
  }
  for (const r of fixture.roles) {
    if (!owners.has(r.owner)) throw new SimFixtureError(`role ${r.name}: unknown owner ${r.owner}`);
  }
  for (const name of Object.keys(fixture.jit.svms)) {
    if (!owners.has(name)) throw new SimFixtureError(`jit.svms: unknown SVM ${name}`);
  }
  return fixture;
}

/** Reads and validates a fixture file. */
export function loadFixture(path: string): Fixture {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SimFixtureError(`cannot read simulator fixture ${path}`, { cause: err });
  }
  return parseFixture(raw);
}

/** The example cluster shipped with the simulator (`fixtures/example-cluster.json`). */
export function exampleFixture(): Fixture {
  return parseFixture(structuredClone(example));
}
