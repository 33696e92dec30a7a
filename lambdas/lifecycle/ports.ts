/**
 * What the use cases work with, as ports: the store, the workflow's signals, the ONTAP clusters,
 * Slack's messages and people, the configuration and a clock. Each use case names the few it uses
 * (`Pick<Ports, …>`), so a test hands it simple fakes of just those; the Lambda runtime
 * (runtime/runtime.ts) and the Slack app (slack/app.ts) build the real ones.
 */
import type { Config } from '../config/schema';
import type { OntapClient } from '../ontap';
import type { Clock } from '../runtime/clock';
import type { Logger, Metrics } from '../runtime/logger';
import type { SlackDirectory } from '../slack/directory';
import type { Notifier } from '../slack/notifier';
import type { WorkflowClient } from '../stepfunctions/client';
import type { RequestStore } from '../store/requests';

/**
 * What the tasks ask of Slack: the approval message and the requester's DM kept up to date, and new
 * messages that notify: a milestone DM, a reply under the approval message, a post to a channel.
 */
export type SlackNotifier = Pick<
  Notifier,
  'approval' | 'requester' | 'thread' | 'milestone' | 'reply' | 'post' | 'permalink'
>;

/** What the tasks ask of Slack about people: who a user is now, and which groups they are in (never cached). */
export type PeopleDirectory = Pick<SlackDirectory, 'identity' | 'actor' | 'requesterNow'>;

/** The workflow calls a Slack click makes: start a request's workflow, resume its approval wait, end its grant. */
export type WorkflowSignals = Pick<WorkflowClient, 'start' | 'resumeApproval' | 'endNow' | 'endsChanged'>;

/** What a decision asks of Slack's messages: a message updated in place, the requester's DM, a new DM. */
export type DecisionNotifier = Pick<Notifier, 'update' | 'requester' | 'notice' | 'reply' | 'post'>;

/** The ports of the workflow's tasks and the reconciler. */
export interface Ports {
  readonly config: Config;
  readonly store: RequestStore;
  /** Built on first use (the bot token is read then). */
  readonly notifier: SlackNotifier;
  /** Built on first use (the bot token is read then); re-checks the requester before access changes. */
  readonly directory: PeopleDirectory;
  readonly workflow: WorkflowClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Count metrics; the task handler publishes them when its task ends. */
  readonly metrics: Metrics;
  /** The ONTAP client of a configured cluster (credentials fetched on first use). */
  ontap(cluster: string): Promise<OntapClient>;
}

/**
 * The ports of the use cases Slack's clicks and submissions run (submit, decide): the same store,
 * configuration and clock, the workflow's signals only, and Slack's messages as a decision needs them.
 */
export interface IngressPorts {
  readonly config: Config;
  readonly store: RequestStore;
  readonly workflow: WorkflowSignals;
  readonly notifier: DecisionNotifier;
  readonly directory: Pick<SlackDirectory, 'actor' | 'requesterNow'>;
  readonly clock: Clock;
}
