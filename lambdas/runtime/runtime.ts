/**
 * What the workflow's task handlers work with, built once per process (a Lambda container, or the
 * local stack) from the environment (see env.ts): the configuration, the store, one ONTAP client
 * per cluster, the Slack notifier, the workflow client, a clock and a logger. Secrets are read on
 * first use, so a function that never posts to Slack or calls a cluster needs no access to their
 * secrets; and the Slack, Step Functions and ONTAP clients are built (their modules loaded) on first
 * use too, so a task loads only what it calls. Tests and the local stack replace any part with
 * `setRuntimeForTesting`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { PeopleDirectory, Ports as Runtime, SlackNotifier } from '../lifecycle/ports';
import type { OntapClient } from '../ontap';
import type { Notifier } from '../slack/notifier';
import type { WorkflowClient } from '../stepfunctions/client';
import { RequestStore } from '../store/requests';
import { scaledClock, systemClock } from './clock';
import { type Env, readEnv, secretsMaxAgeMinutes } from './env';
import { EnvironmentError, SecretError } from './errors';
import { Logger, parseLogLevel } from './logger';
import { lazily } from './once';
import { fixedValue, type Refreshable, SecretReader } from './secrets';
import { slackBotTokenSource } from './slack-credentials';

/** The use cases' ports, built here from the environment. */
export type { PeopleDirectory, Ports as Runtime, SlackNotifier } from '../lifecycle/ports';
/** Reads and validates the environment (re-exported for the handlers that read it without a runtime). */
export { readEnv } from './env';

let overrides: Partial<Runtime> = {};
let built: Promise<Runtime> | undefined;

/** The runtime, built on first use. */
export function getRuntime(): Promise<Runtime> {
  if (!built) {
    const building = build(overrides);
    // A failed build (a missing variable, a secret not readable yet) is tried again next time.
    building.catch(() => {
      if (built === building) built = undefined;
    });
    built = building;
  }
  return built;
}

/** Replaces parts of the runtime (the rest is built from the environment on first use). */
export function setRuntimeForTesting(parts: Partial<Runtime>): void {
  overrides = parts;
  built = undefined;
}

/** Forgets the runtime and any replacement, so the next use builds it again. */
export function resetRuntime(): void {
  overrides = {};
  built = undefined;
}

async function build(parts: Partial<Runtime>): Promise<Runtime> {
  const env = readEnv();
  const config = parts.config ?? loadConfig(env.JIT_CONFIG);
  const logger = parts.logger ?? new Logger({ service: 'ontap-jit-workflow' }, parseLogLevel(env.JIT_LOG_LEVEL));
  const clock = parts.clock ?? (env.JIT_TIME_SCALE === 1 ? systemClock : scaledClock(env.JIT_TIME_SCALE));
  const secrets = new SecretReader(undefined, { maxAgeMinutes: secretsMaxAgeMinutes(env, config.aws.secretsMaxAge) });
  const store =
    parts.store ??
    new RequestStore({
      client: new DynamoDBClient({
        region: env.AWS_REGION,
        ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
      }),
      tableName: env.JIT_TABLE_NAME,
      retentionSeconds: config.retention,
    });
  const notifier =
    parts.notifier ??
    lazyNotifier(async () => {
      const { Notifier } = await import('../slack/notifier');
      return new Notifier({ client: await slackClient(env, secrets), approvalChannel: config.slack.approvalChannel });
    });
  const directory =
    parts.directory ??
    lazily<PeopleDirectory>(async () => {
      const { SlackDirectory } = await import('../slack/directory');
      const { reportUnresolvedGroup } = await import('./metrics');
      return new SlackDirectory({
        web: await slackClient(env, secrets),
        accounts: config.slack.accounts,
        now: () => clock.now(),
        // The tasks always ask afresh (fresh: true); the cache is never read here.
        groupTtlSeconds: 0,
        onUnresolvedGroup: reportUnresolvedGroup(logger),
      });
    });
  // Only a wait that finds its request already decided completes its own token.
  const workflow =
    parts.workflow ??
    lazily<WorkflowClient>(async () => {
      const [{ SFNClient }, { WorkflowClient }] = await Promise.all([
        import('@aws-sdk/client-sfn'),
        import('../stepfunctions/client'),
      ]);
      return new WorkflowClient({
        client: new SFNClient({ region: env.AWS_REGION, ...(env.SFN_ENDPOINT ? { endpoint: env.SFN_ENDPOINT } : {}) }),
        stateMachineArn: env.STATE_MACHINE_ARN,
      });
    });
  const clients = new Map<string, Promise<OntapClient>>();
  const ontap =
    parts.ontap ??
    ((cluster: string): Promise<OntapClient> => {
      let client = clients.get(cluster);
      if (!client) {
        client = ontapClient(config, cluster, env, secrets, logger, env.JIT_TIME_SCALE);
        client.catch(() => clients.delete(cluster));
        clients.set(cluster, client);
      }
      return client;
    });
  return { config, store, notifier, directory, workflow, clock, logger, ontap };
}

/** A notifier built on its first call (and built again after a failed build, e.g. a secret not readable yet). */
function lazyNotifier(make: () => Promise<Notifier>): SlackNotifier {
  let built: Promise<Notifier> | undefined;
  const get = (): Promise<Notifier> => {
    if (!built) {
      const building = make();
      building.catch(() => {
        if (built === building) built = undefined;
      });
      built = building;
    }
    return built;
  };
  return {
    approval: async (request) => (await get()).approval(request),
    requester: async (request) => (await get()).requester(request),
    thread: async (request, details) => (await get()).thread(request, details),
  };
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
  env: Env,
  secrets: SecretReader,
  logger: Logger,
  timeScale: number,
): Promise<OntapClient> {
  const cluster = config.clusters.find((c) => c.name === name);
  if (!cluster) throw new EnvironmentError('JIT_CONFIG', `has no cluster named "${name}"`);
  const endpoint = cluster.endpoint === 'embedded' ? env.ONTAP_EMBEDDED_URL : cluster.endpoint;
  if (!endpoint)
    throw new EnvironmentError('ONTAP_EMBEDDED_URL', `is not set, and cluster "${name}" uses the embedded simulator`);
  const { usernameEnv, passwordEnv } = cluster.credentials;
  // The stack's ARN first: it names the secret the stack made when the configuration names none.
  const secret = env.ONTAP_CLUSTER_SECRETS[name] ?? cluster.credentials.secret;
  const username = usernameEnv ? process.env[usernameEnv] : undefined;
  const password = passwordEnv ? process.env[passwordEnv] : undefined;
  let credentials: Refreshable<{ username: string; password: string }>;
  if (username && password) credentials = fixedValue({ username, password });
  else if (secret) credentials = secrets.refreshable(secret, CredentialsSecretSchema);
  else {
    const variables = `${usernameEnv ?? 'usernameEnv'}/${passwordEnv ?? 'passwordEnv'}`;
    throw new SecretError(name, `no ONTAP credentials: set ${variables} or credentials.secret`);
  }
  // Read once now, so a missing or malformed secret fails the client's build with the secret named.
  await credentials.current();
  const ca = cluster.caCertificate ?? (cluster.endpoint === 'embedded' ? env.ONTAP_EMBEDDED_CA_PEM : undefined);
  const log = logger.child({ cluster: name });
  const { OntapClient } = await import('../ontap');
  return new OntapClient({
    endpoint,
    // Read at every call (cached for the secrets' maximum age) and at once again after a 401.
    credentials,
    ...(ca ? { ca } : {}),
    timeoutMs: cluster.timeout * 1000,
    // One quick retry inside the call; longer backoff is the state machine's Retry, visible in its history.
    retry: { attempts: 2, baseDelayMs: 250, maxDelayMs: 1000 },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / timeScale)),
    // A refused password read again is worth seeing: it is how a rotation shows, or a wrong secret.
    logger: (event) => {
      if (event.event === 'ontap.reauthenticate') log.info(event.event, { ...event });
      else log.debug(event.event, { ...event });
    },
  });
}
