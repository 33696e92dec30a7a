/**
 * The stateless half of the product: the workflow (state machine and task functions), the Slack
 * endpoint (function and HTTP API), the reconciler and the alarms. It holds no data, so it
 * can be replaced or destroyed freely; the table and secrets live in JitDataStack.
 */
import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { compileConfig } from '../lambdas/config/compile';
import type { Config } from '../lambdas/config/schema';
import { JitAlarms } from './constructs/alarms';
import { AuditArchiveWriter, archiveBucketName } from './constructs/audit-archive';
import { CustomerVpc } from './constructs/customer-vpc';
import { Reconciler } from './constructs/reconciler';
import { SlackIngress } from './constructs/slack-ingress';
import { Workflow } from './constructs/workflow';

/** Properties of the app stack. */
export interface JitAppStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: Config;
  /** The configuration file's text: validated and compiled into every function bundle as JSON. */
  readonly configText: string;
  /** The requests table (JitDataStack). */
  readonly table: ITable;
  /** The Slack secret (JitDataStack). */
  readonly slackSecret: ISecret;
  /** The ONTAP credentials secret of each cluster (JitDataStack). */
  readonly clusterSecrets: ReadonlyMap<string, ISecret>;
}

/** Workflow, Slack endpoint, reconciler and alarms. */
export class JitAppStack extends Stack {
  /** The state machine and its task functions. */
  public readonly workflow: Workflow;
  /** The Slack endpoint: the function behind `POST /slack/events`, its grants and the HTTP API Slack calls. */
  public readonly ingress: SlackIngress;
  /** The reconciler: makes the world match the records, on a schedule. */
  public readonly reconciler: Reconciler;
  /** The alarms and their topic. */
  public readonly alarms: JitAlarms;
  /** The customer's VPC, when `aws.vpc` is configured. */
  public readonly vpc?: CustomerVpc;
  /** The audit archive's writer on the table's stream. */
  public readonly archiveWriter: AuditArchiveWriter;

  constructor(scope: Construct, id: string, props: JitAppStackProps) {
    super(scope, id, props);
    const { config, table, slackSecret } = props;
    const bundledConfig = compileConfig(props.configText, 'the configuration').json;
    const logRetentionDays = config.aws.logRetentionDays;
    for (const [index, cluster] of config.clusters.entries()) {
      if (cluster.endpoint) continue;
      // Synth still succeeds (the example configuration is meant to synthesize), but deployed functions cannot call it.
      Annotations.of(this).addWarningV2(
        'ontap-jit:cluster-without-endpoint',
        `Cluster "${cluster.name}" has no endpoint (clusters[${index}].endpoint); deployed functions cannot call it. ` +
          'Give its https:// management endpoint before deploying.',
      );
    }
    if (config.aws.vpc) this.vpc = new CustomerVpc(this, 'CustomerVpc', { settings: config.aws.vpc });

    this.workflow = new Workflow(this, 'Workflow', {
      table,
      logRetentionDays,
      slackSecret,
      clusterSecrets: props.clusterSecrets,
      bundledConfig,
      ...(this.vpc ? { vpc: this.vpc.placement } : {}),
    });

    this.ingress = new SlackIngress(this, 'SlackIngress', {
      table,
      workflow: this.workflow,
      slackSecret,
      logRetentionDays,
      bundledConfig,
    });

    this.alarms = new JitAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      ...(config.aws.alarmEmail ? { alarmEmail: config.aws.alarmEmail } : {}),
    });
    this.archiveWriter = new AuditArchiveWriter(this, 'AuditArchiveWriter', {
      table,
      // JitDataStack's bucket, by its name (derived the same way there).
      bucket: Bucket.fromBucketName(this, 'AuditArchiveBucket', archiveBucketName()),
      alarmTopic: this.alarms.topic,
      logRetentionDays,
    });
    this.reconciler = new Reconciler(this, 'Reconciler', {
      table,
      stateMachineArn: this.workflow.stateMachineArn,
      logRetentionDays,
      bundledConfig,
      slackSecret,
      clusterSecrets: props.clusterSecrets,
      alarmTopic: this.alarms.topic,
      ...(this.vpc ? { vpc: this.vpc.placement } : {}),
    });
  }
}
