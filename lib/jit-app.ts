/** The product's stacks, composed: what bin/app.ts builds and what the infrastructure tests synthesize. */
import type { App, Environment } from 'aws-cdk-lib';
import type { Config } from '../lambdas/config/schema';
import { JitAppStack } from './app-stack';
import { JitDataStack } from './data-stack';

/** Stack names; the state machine is named `<app stack>-workflow`. */
export const STACK_NAMES = { data: 'OntapJitData', app: 'OntapJitApp' } as const;

/** What the stacks are built from. */
export interface JitStacksProps {
  /** The validated configuration. */
  readonly config: Config;
  /** The configuration file's text, shipped inside every function bundle. */
  readonly configText: string;
  /**
   * Where to deploy.
   * @default environment-agnostic: the account and region of the credentials `cdk deploy` runs with
   */
  readonly env?: Environment;
}

/** The two stacks. */
export interface JitStacks {
  readonly data: JitDataStack;
  readonly app: JitAppStack;
}

/** Adds the stateful data stack and the stateless app stack to `app`. */
export function addJitStacks(app: App, props: JitStacksProps): JitStacks {
  const env = props.env ? { env: props.env } : {};
  const data = new JitDataStack(app, STACK_NAMES.data, {
    ...env,
    description: 'ontap-jit-approvals: requests table and secrets (retained)',
    config: props.config,
  });
  const stack = new JitAppStack(app, STACK_NAMES.app, {
    ...env,
    description: 'ontap-jit-approvals: workflow, Slack endpoint, reconciler and alarms',
    config: props.config,
    configText: props.configText,
    table: data.requests.table,
    slackSecret: data.secrets.slack,
    clusterSecrets: data.secrets.clusters,
  });
  return { data, app: stack };
}
