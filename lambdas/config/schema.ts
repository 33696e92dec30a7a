/** The configuration file's schema: clusters, Slack, account mapping, policies, retention, AWS options. */
import { z } from 'zod';
import { DurationTextSchema } from '../domain/durations';
import { PeopleGroupingSchema, personOf } from '../domain/people';
import { PolicySchema } from '../domain/policy';

const seconds = DurationTextSchema;
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');
const clusterName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be letters, digits, ".", "_" or "-"');

/** How the product finds a cluster's ONTAP credentials: a secret in AWS, environment variables locally. */
export const CredentialsSchema = z
  .object({
    /** Secrets Manager secret (name or ARN) holding `{"username","password"}`; the stack creates it when absent. */
    secret: z.string().min(1).max(2048).optional(),
    /** Local runs: the environment variables holding the user name and password. */
    usernameEnv: envName.optional(),
    passwordEnv: envName.optional(),
  })
  .strict();

/**
 * True for a host name that stays on this machine: `localhost`, 127.0.0.0/8 or ::1. Only there may a
 * cluster be reached over plain HTTP (a local stand-in), since Basic credentials travel with each call.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** `https://host[:port]`, or `http://` to a loopback address only. */
const clusterEndpoint = z.url({ protocol: /^https?$/ }).superRefine((text, ctx) => {
  // Runs after a failed url check too; that check has already said what is wrong.
  if (!URL.canParse(text)) return;
  const url = new URL(text);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({
      code: 'custom',
      message:
        `must use https:// ("${url.host}" over http:// would send the cluster credentials in clear text); ` +
        'http:// is accepted only for a loopback address (localhost, 127.0.0.0/8, ::1)',
    });
  }
});

/** One ONTAP cluster. */
export const ClusterSchema = z
  .object({
    name: clusterName,
    /** `https://host[:port]` of the cluster management interface; a function fails to call a cluster without one. */
    endpoint: clusterEndpoint.optional(),
    credentials: CredentialsSchema.default({}),
    /** PEM of the CA that signed the cluster's certificate (clusters commonly use a private CA). */
    caCertificate: z
      .string()
      .includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' })
      .optional(),
    /** Per-call timeout towards this cluster. */
    timeout: seconds.prefault('10s'),
    /**
     * What the reconciler does with a JIT entry on this cluster that no live request made: `report` it
     * once to the approval channel, or `remove` it once reported. An entry of a live request is never touched.
     */
    drift: z.enum(['report', 'remove']).default('report'),
  })
  .strict();

const domainLabel = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const emailDomain = z
  .string()
  .regex(
    new RegExp(`^(?=.{1,253}$)${domainLabel}(?:\\.${domainLabel})+$`),
    'must be a lower-case e-mail domain such as example.com',
  );

/**
 * How a Slack user maps to an ONTAP account name, and which Slack identities are one person
 * (lambdas/domain/people.ts says how the product tells).
 */
export const AccountMappingSchema = z
  .object({
    /** Explicit Slack user id to ONTAP account name; consulted first. */
    map: z
      .record(z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'keys must be Slack user ids'), z.string().min(1).max(64))
      .default({}),
    /** Otherwise use the local part of the user's confirmed Slack e-mail (`alice@example.com` -> `alice`). */
    emailLocalPart: z.boolean().default(false),
    /** The e-mail domains whose addresses name ONTAP accounts (exact match); required with emailLocalPart. */
    trustedEmailDomains: z.array(emailDomain).default([]),
    /** Several Slack identities of one person, by name: they never approve each other nor fill two seats. */
    people: PeopleGroupingSchema,
  })
  .strict()
  .superRefine((accounts, ctx) => {
    if (accounts.emailLocalPart && accounts.trustedEmailDomains.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['trustedEmailDomains'],
        message:
          'is required with emailLocalPart: true. Anyone can have bob@gmail.com; only addresses in domains ' +
          'you list (e.g. [example.com]) are turned into ONTAP accounts',
      });
    }
    const seen = new Map<string, string>();
    for (const [person, ids] of Object.entries(accounts.people)) {
      for (const id of ids) {
        const other = seen.get(id);
        if (other !== undefined) {
          const message = `lists ${id}, who is already person "${other}"`;
          ctx.addIssue({ code: 'custom', path: ['people', person], message });
        }
        seen.set(id, person);
      }
    }
    const owners = new Map<string, string>();
    for (const [id, account] of Object.entries(accounts.map)) {
      const key = account.toLowerCase();
      const first = owners.get(key);
      if (first === undefined) {
        owners.set(key, id);
        continue;
      }
      const person = personOf(accounts.people, first);
      if (person === undefined || personOf(accounts.people, id) !== person) {
        ctx.addIssue({
          code: 'custom',
          path: ['map', id],
          message:
            `names ONTAP account "${account}" as ${first} does; ` +
            'if both are one person, list them together under slack.accounts.people',
        });
      }
    }
  });

/** An EC2 resource id: the prefix, then 8 (older) or 17 hex digits. */
const awsId = (prefix: string): RegExp => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);

/** Optional AWS deployment settings. */
export const AwsSchema = z
  .object({
    /** Functions that reach ONTAP run in this VPC when given (management interfaces are private). */
    vpc: z
      .object({
        vpcId: z.string().regex(awsId('vpc'), 'must be a VPC id (vpc- and 8 or 17 hex digits)'),
        subnetIds: z
          .array(z.string().regex(awsId('subnet'), 'must be subnet ids (subnet- and 8 or 17 hex digits)'))
          .min(1),
        securityGroupIds: z
          .array(z.string().regex(awsId('sg'), 'must be security group ids (sg- and 8 or 17 hex digits)'))
          .min(1),
      })
      .strict()
      .optional(),
    /** Days CloudWatch keeps function and state machine logs. */
    logRetentionDays: z.number().int().positive().default(90),
    /** E-mail address subscribed to the alarm topic. */
    alarmEmail: z.email().optional(),
    /** How long a value read from Secrets Manager is used before it is read again (a refused one is read at once). */
    secretsMaxAge: DurationTextSchema.prefault('5m').refine((s) => s <= 24 * 3600, 'must be at most 1d'),
  })
  .strict();

/** The whole configuration file. */
export const ConfigSchema = z
  .object({
    clusters: z.array(ClusterSchema).min(1),
    slack: z
      .object({
        /** Channel id where approval messages are posted. */
        approvalChannel: z.string().regex(/^[CG][A-Z0-9]{2,20}$/, 'must be a Slack channel id such as C0123ABCD'),
        accounts: AccountMappingSchema.prefault({}),
      })
      .strict(),
    policies: z.array(PolicySchema).min(1),
    /** How long finished requests and their audit trail are kept before DynamoDB's TTL removes them. */
    retention: seconds.prefault('400d'),
    /**
     * How long each archived audit event is locked (S3 Object Lock, compliance mode: nobody can delete or
     * change it before then); whole days, longer than `retention` so the archive outlives the table.
     */
    archiveRetention: seconds.prefault('1100d'),
    aws: AwsSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    config.clusters.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `"${c.name}" is listed twice` });
      names.add(c.name);
    });
    const policyNames = new Set<string>();
    config.policies.forEach((p, i) => {
      if (policyNames.has(p.name))
        ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `"${p.name}" is listed twice` });
      policyNames.add(p.name);
      p.clusters.forEach((c, j) => {
        if (c !== '*' && !names.has(c)) {
          ctx.addIssue({
            code: 'custom',
            path: ['policies', i, 'clusters', j],
            message: `names unknown cluster "${c}"`,
          });
        }
      });
    });
    if (config.archiveRetention % 86_400 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['archiveRetention'],
        message: 'must be whole days (Object Lock keeps days)',
      });
    }
    if (config.archiveRetention <= config.retention) {
      ctx.addIssue({
        code: 'custom',
        path: ['archiveRetention'],
        message: 'must be longer than retention: the archive keeps the record after the table removes it',
      });
    }
    if (!config.slack.accounts.emailLocalPart && Object.keys(config.slack.accounts.map).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['slack', 'accounts'],
        message: 'maps nobody: give a map or set emailLocalPart: true',
      });
    }
  });

/** The validated configuration, durations in whole seconds. */
export type Config = z.infer<typeof ConfigSchema>;
/** One validated cluster entry. */
export type ClusterConfig = z.infer<typeof ClusterSchema>;
