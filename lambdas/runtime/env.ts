/**
 * The environment the product's functions (workflow tasks, Slack endpoint, sweep) read, validated once.
 *
 *   JIT_CONFIG                configuration file (default: in AWS the configuration compiled into the
 *                             function's bundle at synth, locally config/example.yaml)
 *   JIT_TABLE_NAME            the requests table (required)
 *   DYNAMODB_ENDPOINT         another DynamoDB API (a local one); absent in AWS
 *   STATE_MACHINE_ARN         the workflow's state machine (required; for completing its own task tokens)
 *   SFN_ENDPOINT              a local Step Functions API (the local runner); absent in AWS
 *   AUDIT_EXPORT_FUNCTION     the Slack endpoint only: the function `/jit audit` exports are queued for
 *                             (absent: `/jit audit` says exports are not set up)
 *   SLACK_API_URL             Slack Web API base URL, ending in /api/ (default: https://slack.com/api/)
 *   SLACK_BOT_TOKEN           the bot token, locally
 *   SLACK_SIGNING_SECRET      the Slack app's signing secret, locally (the Slack endpoint only)
 *   SLACK_SECRET_ARN          in AWS: the secret holding {"signingSecret": "...", "botToken": "xoxb-..."}
 *                             (read when the variables above are unset; the value is never put in the environment)
 *   <cluster usernameEnv/passwordEnv>  ONTAP credentials locally, as named in the configuration;
 *                             otherwise the cluster's secret ({"username","password"}) in Secrets Manager:
 *   ONTAP_CLUSTER_SECRETS     in AWS: {"<cluster name>": "<secret ARN>", ...}, the secret of every cluster
 *                             (the stack's own when the configuration names none), else `credentials.secret`
 *   JIT_SECRETS_MAX_AGE       minutes a secret value read from Secrets Manager is used before it is read
 *                             again (0 reads it at every use; default: the configuration's aws.secretsMaxAge,
 *                             5 minutes unless set); a refused value is read again at once
 *   JIT_TIME_SCALE            local runs only: business time runs this many times faster (default 1)
 *   JIT_LOG_LEVEL             debug | info | warn | error (default: POWERTOOLS_LOG_LEVEL, else info)
 *   AWS_REGION                set by Lambda (required)
 */
import { z } from 'zod';
import { EnvironmentError } from './errors';

/** The variable holding each cluster's secret ARN (JSON object of cluster name to ARN). */
export const CLUSTER_SECRETS_VARIABLE = 'ONTAP_CLUSTER_SECRETS';

/** Minutes a secret value is used before it is read again, unless the configuration or the environment says otherwise. */
export const DEFAULT_SECRETS_MAX_AGE_MINUTES = 5;

/** Minutes a secret value is kept: `JIT_SECRETS_MAX_AGE` when set, else the configuration's `aws.secretsMaxAge`. */
export function secretsMaxAgeMinutes(env: Pick<Env, 'JIT_SECRETS_MAX_AGE'>, configuredSeconds: number): number {
  return env.JIT_SECRETS_MAX_AGE ?? configuredSeconds / 60;
}

const ClusterSecretsSchema = z.record(z.string().min(1), z.string().startsWith('arn:'));

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const required = z.string('is not set').trim().min(1, 'is not set');

/** The variables, with defaults applied. */
export const EnvSchema = z.object({
  JIT_CONFIG: optional,
  JIT_TABLE_NAME: required,
  DYNAMODB_ENDPOINT: optional,
  STATE_MACHINE_ARN: required.startsWith('arn:', 'must be an ARN'),
  SFN_ENDPOINT: optional,
  AUDIT_EXPORT_FUNCTION: optional,
  SLACK_API_URL: optional,
  SLACK_BOT_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_SECRET_ARN: optional,
  ONTAP_CLUSTER_SECRETS: optional.transform((v, ctx) => {
    if (v === undefined) return {};
    let data: unknown;
    try {
      data = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of cluster name to secret ARN' });
      return z.NEVER;
    }
    const parsed = ClusterSecretsSchema.safeParse(data);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of cluster name to secret ARN' });
      return z.NEVER;
    }
    return parsed.data;
  }),
  JIT_SECRETS_MAX_AGE: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const minutes = Number(v);
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) {
      ctx.addIssue({ code: 'custom', message: 'must be a number of minutes from 0 to 1440' });
      return z.NEVER;
    }
    return minutes;
  }),
  JIT_TIME_SCALE: optional.transform((v, ctx) => {
    const scale = v === undefined ? 1 : Number(v);
    if (!(scale >= 1) || !Number.isFinite(scale)) {
      ctx.addIssue({ code: 'custom', message: 'must be a number, 1 or more' });
      return z.NEVER;
    }
    return scale;
  }),
  JIT_LOG_LEVEL: optional,
  AWS_REGION: required,
});

/** The validated environment. */
export type Env = z.infer<typeof EnvSchema>;

/** Reads and validates the environment; the error names the variable (never its value). */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EnvironmentError(String(issue?.path[0] ?? '?'), issue?.message ?? 'is invalid');
}
