/**
 * The task handlers' ports as the local stack builds them: the same classes a Lambda builds, over
 * the stand-ins (the embedded DynamoDB's store, the local Step Functions API, the Slack stand-in or
 * a real workspace, the simulator's endpoint in the configuration), given to each handler's `make`.
 */
import type { WebClient } from '@slack/web-api';
import type { Config } from '../lambdas/config/schema';
import type { Clock } from '../lambdas/runtime/clock';
import { type Logger, type Metrics, reportUnresolvedGroup } from '../lambdas/runtime/logger';
import { ontapClients, type Runtime } from '../lambdas/runtime/runtime';
import { SecretReader } from '../lambdas/runtime/secrets';
import { SlackDirectory } from '../lambdas/slack/directory';
import { Notifier } from '../lambdas/slack/notifier';
import type { WorkflowClient } from '../lambdas/stepfunctions/client';
import type { RequestStore } from '../lambdas/store/requests';

/** What the local ports are built from. */
export interface LocalRuntimeParts {
  readonly config: Config;
  readonly store: RequestStore;
  readonly workflow: WorkflowClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The Slack Web API the tasks post with (the stand-in's, or a real workspace's). */
  readonly slack: WebClient;
  /** Business time runs this many times faster: the ONTAP clients' retry waits shrink with it. */
  readonly timeScale: number;
  /** Where the clusters' `usernameEnv`/`passwordEnv` variables are read. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
}

/** The task handlers' ports over the local parts; ONTAP clients are built on first use, as in AWS. */
export function localRuntime(parts: LocalRuntimeParts): Runtime {
  const { config, store, workflow, clock, logger, metrics, slack } = parts;
  const secrets = new SecretReader(undefined, { maxAgeMinutes: config.aws.secretsMaxAge / 60 });
  return {
    config,
    store,
    workflow,
    clock,
    logger,
    metrics,
    notifier: new Notifier({ client: slack, approvalChannel: config.slack.approvalChannel, policies: config.policies }),
    directory: new SlackDirectory({
      web: slack,
      accounts: config.slack.accounts,
      now: () => clock.now(),
      // The tasks always ask afresh, as in AWS.
      groupTtlSeconds: 0,
      onUnresolvedGroup: reportUnresolvedGroup(logger, metrics),
    }),
    ontap: ontapClients(
      config,
      { ONTAP_CLUSTER_SECRETS: {}, JIT_TIME_SCALE: parts.timeScale },
      secrets,
      logger,
      parts.variables,
    ),
  };
}
