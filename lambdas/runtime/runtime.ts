/**
 * What the workflow's task handlers work with, built once per process (a Lambda container) from the
 * environment (see env.ts): the configuration, the store, one ONTAP client per cluster, the Slack
 * notifier, the workflow client, a clock, a logger and the metrics. Secrets are read on first use,
 * so a function that never posts to Slack or calls a cluster needs no access to their secrets; and
 * the Slack, Step Functions and ONTAP clients are built (their modules loaded) on first use too, so a
 * task loads only what it calls. Each handler takes its runtime from a function (`make(ports)` in
 * lambdas/handlers/), which is how the local stack and the tests give it theirs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { PeopleDirectory, Ports as Runtime, SlackNotifier } from '../lifecycle/ports';
import type { OntapClient } from '../ontap';
import type { WorkflowClient } from '../stepfunctions/client';
import { RequestStore } from '../store/requests';
import { scaledClock, systemClock } from './clock';
import { type Env, readEnv, secretsMaxAgeMinutes } from './env';
import { EnvironmentError, SecretError } from './errors';
import { createLogger, createMetrics, type Logger, type Metrics, reportUnresolvedGroup } from './logger';
import { lazily, once, onceBy } from './once';
// Loaded for its effect: luxon's locale set before any date is parsed.
import './luxon-defaults';
import { fixedValue, type Refreshable, SecretReader } from './secrets';
import { slackBotTokenSource } from './slack-credentials';

/** The use cases' ports, built here from the environment. */
export type { PeopleDirectory, Ports as Runtime, SlackNotifier } from '../lifecycle/ports';
/** Reads and validates the environment (re-exported for the handlers that read it without a runtime). */
export { readEnv } from './env';

const SERVICE = 'ontap-jit-workflow';

const runtime = once(async () => runtimeFromEnvironment());

/** The runtime of this process, built from the environment on first use (again after a failed build). */
export function getRuntime(): Promise<Runtime> {
  return runtime.get();
}

/** Where a runtime's logs and metrics go. */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * A runtime from `env` and `config` (default: read from the environment), writing to `telemetry`
 * (default: stdout, where Lambda collects it); each client is built on first use. A missing or
 * invalid variable fails here, with the variable named.
 */
export function runtimeFromEnvironment(
  env: Env = readEnv(),
  config: Config = loadConfig(env.JIT_CONFIG),
  telemetry: Telemetry = { logger: createLogger(SERVICE), metrics: createMetrics(SERVICE) },
): Runtime {
  const { logger, metrics } = telemetry;
  const clock = env.JIT_TIME_SCALE === 1 ? systemClock : scaledClock(env.JIT_TIME_SCALE);
  const secrets = new SecretReader(undefined, { maxAgeMinutes: secretsMaxAgeMinutes(env, config.aws.secretsMaxAge) });
  const store = storeFromEnvironment(env, config, telemetry);
  const notifier = lazily<SlackNotifier>(async () => {
    const { Notifier } = await import('../slack/notifier');
    return new Notifier({
      client: await slackClient(env, secrets),
      approvalChannel: config.slack.approvalChannel,
      policies: config.policies,
    });
  });
  const directory = lazily<PeopleDirectory>(async () => {
    const { SlackDirectory } = await import('../slack/directory');
    return new SlackDirectory({
      web: await slackClient(env, secrets),
      accounts: config.slack.accounts,
      now: () => clock.now(),
      // The tasks always ask afresh (fresh: true); the cache is never read here.
      groupTtlSeconds: 0,
      onUnresolvedGroup: reportUnresolvedGroup(logger, metrics),
    });
  });
  // Only a wait that finds its request already decided completes its own token.
  const workflow = lazily(() => workflowClientFromEnvironment(env));
  const ontap = ontapClients(config, env, secrets, logger);
  return { config, store, notifier, directory, workflow, clock, logger, metrics, ontap };
}

/** The requests store on the table `JIT_TABLE_NAME` names (through `DYNAMODB_ENDPOINT` when set). */
export function storeFromEnvironment(
  env: Pick<Env, 'AWS_REGION' | 'DYNAMODB_ENDPOINT' | 'JIT_TABLE_NAME'>,
  config: Config,
  telemetry: Telemetry,
): RequestStore {
  return new RequestStore({
    client: new DynamoDBClient({
      region: env.AWS_REGION,
      ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    }),
    tableName: env.JIT_TABLE_NAME,
    retentionSeconds: config.retention,
    ...telemetry,
  });
}

/** The client of the state machine `STATE_MACHINE_ARN` names; its modules are loaded here, on first use. */
export async function workflowClientFromEnvironment(
  env: Pick<Env, 'AWS_REGION' | 'SFN_ENDPOINT' | 'STATE_MACHINE_ARN'>,
): Promise<WorkflowClient> {
  const [{ SFNClient }, { WorkflowClient }] = await Promise.all([
    import('@aws-sdk/client-sfn'),
    import('../stepfunctions/client'),
  ]);
  return new WorkflowClient({
    client: new SFNClient({ region: env.AWS_REGION, ...(env.SFN_ENDPOINT ? { endpoint: env.SFN_ENDPOINT } : {}) }),
    stateMachineArn: env.STATE_MACHINE_ARN,
  });
}

/**
 * The ONTAP client of each configured cluster, built on its first use (again after a failed build):
 * its endpoint from the configuration, its credentials from the cluster's variables (in `variables`)
 * or its secret.
 */
export function ontapClients(
  config: Config,
  env: Pick<Env, 'ONTAP_CLUSTER_SECRETS' | 'JIT_TIME_SCALE'>,
  secrets: SecretReader,
  logger: Logger,
  variables: NodeJS.ProcessEnv = process.env,
): (cluster: string) => Promise<OntapClient> {
  const clients = onceBy((cluster: string) => ontapClient(config, cluster, env, secrets, logger, variables));
  return (cluster) => clients.get(cluster);
}

async function slackClient(env: Env, secrets: SecretReader): Promise<WebClient> {
  const token = slackBotTokenSource(env, secrets);
  // Fails here, with the variable or secret named, when there is no token at all.
  await token.current();
  const { RefreshingWebClient } = await import('../slack/web-client');
  return new RefreshingWebClient(token, {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    // One quick retry here; the state machine's Retry does the patient ones.
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    rejectRateLimitedCalls: true,
  });
}

const CredentialsSecretSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

async function ontapClient(
  config: Config,
  name: string,
  env: Pick<Env, 'ONTAP_CLUSTER_SECRETS' | 'JIT_TIME_SCALE'>,
  secrets: SecretReader,
  logger: Logger,
  variables: NodeJS.ProcessEnv,
): Promise<OntapClient> {
  const index = config.clusters.findIndex((c) => c.name === name);
  const cluster = config.clusters[index];
  if (!cluster) throw new EnvironmentError('JIT_CONFIG', `has no cluster named "${name}"`);
  const { endpoint } = cluster;
  if (!endpoint) {
    throw new ConfigError(`clusters[${index}].endpoint`, `cluster "${name}" has no management endpoint to call`);
  }
  const { usernameEnv, passwordEnv } = cluster.credentials;
  // The stack's ARN first: it names the secret the stack made when the configuration names none.
  const secret = env.ONTAP_CLUSTER_SECRETS[name] ?? cluster.credentials.secret;
  const username = usernameEnv ? variables[usernameEnv] : undefined;
  const password = passwordEnv ? variables[passwordEnv] : undefined;
  let credentials: Refreshable<{ username: string; password: string }>;
  if (username && password) credentials = fixedValue({ username, password });
  else if (secret) credentials = secrets.refreshable(secret, CredentialsSecretSchema);
  else {
    const variables = `${usernameEnv ?? 'usernameEnv'}/${passwordEnv ?? 'passwordEnv'}`;
    throw new SecretError(name, `no ONTAP credentials: set ${variables} or credentials.secret`);
  }
  // Read once now, so a missing or malformed secret fails the client's build with the secret named.
  await credentials.current();
  const ca = cluster.caCertificate;
  const { OntapClient } = await import('../ontap');
  return new OntapClient({
    endpoint,
    // Read at every call (cached for the secrets' maximum age) and at once again after a 401.
    credentials,
    ...(ca ? { ca } : {}),
    timeoutMs: cluster.timeout * 1000,
    // One quick retry inside the call; longer backoff is the state machine's Retry, visible in its history.
    retry: { attempts: 2, baseDelayMs: 250, maxDelayMs: 1000 },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / env.JIT_TIME_SCALE)),
    // A refused password read again is worth seeing: it is how a rotation shows, or a wrong secret.
    logger: (event) => {
      // The root logger, not a child: its lines carry the request id of the invocation under way.
      if (event.event === 'ontap.reauthenticate') logger.info(event.event, { cluster: name, ...event });
      else logger.debug(event.event, { cluster: name, ...event });
    },
  });
}
