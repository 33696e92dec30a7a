/**
 * Alarms that page someone: failed, timed-out or throttled executions, a grant whose revoke could not
 * complete, drift on a cluster, and break-glass (each use, and each one nobody reviewed in time).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  BREAK_GLASS_METRICS,
  DRIFT_METRICS,
  METRIC_NAMESPACE,
  OVERDUE_GRANTS_METRIC,
  REVOKE_FAILED_METRIC,
} from '../../lambdas/runtime/metrics';

/** Properties of the alarms. */
export interface JitAlarmsProps {
  /** The approval workflow. */
  readonly stateMachine: IStateMachine;
  /**
   * Who is told: an e-mail subscribed to the alarm topic.
   * @default no subscription (subscribe to the topic yourself)
   */
  readonly alarmEmail?: string;
}

/** The alarm topic and the alarms on it. */
export class JitAlarms extends Construct {
  /** Alarms publish here. */
  public readonly topic: Topic;
  /** Every alarm, by short name. */
  public readonly alarms: Readonly<Record<string, Alarm>>;

  constructor(scope: Construct, id: string, props: JitAlarmsProps) {
    super(scope, id);
    // The key protects only alarm notifications in flight: nothing to keep once the stack is gone.
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the ontap-jit-approvals alarm topic',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'ontap-jit-approvals alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: without this
    // statement nothing lets CloudWatch publish, and every alarm would change state without telling anyone.
    // The conditions keep the grant to this account's alarms (no confused deputy).
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOwnAlarms = alarmSourceConditions(Stack.of(this));
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    // An alarm publishes to an encrypted topic only if it may use its key: what SNS asks of a
    // service that publishes to a topic under a customer managed key, and nothing more.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsUseKey',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const sm = props.stateMachine;
    const custom = (metricName: string, statistic: 'Sum' | 'Maximum'): Metric =>
      new Metric({ namespace: METRIC_NAMESPACE, metricName, statistic, period: Duration.minutes(5) });
    const definitions: Record<string, { metric: IMetric; description: string; treatMissingData?: TreatMissingData }> = {
      ExecutionsFailed: {
        metric: sm.metricFailed({ period: Duration.minutes(5) }),
        description: 'An approval workflow failed',
      },
      ExecutionsTimedOut: {
        metric: sm.metricTimedOut({ period: Duration.minutes(5) }),
        description: 'An approval workflow timed out',
      },
      ExecutionsThrottled: {
        metric: sm.metricThrottled({ period: Duration.minutes(5) }),
        description: 'Step Functions throttled the workflow',
      },
      RevokeFailed: {
        metric: custom(REVOKE_FAILED_METRIC, 'Sum'),
        description:
          'A JIT grant could not be removed from ONTAP after retries; ONTAP jit_validity still closes it, check the cluster',
      },
      // A gauge the reconciler publishes at the end of every pass (zero included): the largest count in
      // the period, and a period without a pass keeps the alarm's state instead of flapping to OK (the
      // reconciler's heartbeat alarm rings when passes stop).
      OverdueGrants: {
        metric: custom(OVERDUE_GRANTS_METRIC, 'Maximum'),
        description:
          'A grant is still live past its approved end; the reconciler retries its revoke every pass ' +
          '(its log lines name the request)',
        treatMissingData: TreatMissingData.IGNORE,
      },
      // Each drift is counted once, when it is first recorded: any datapoint is a new one.
      DriftFound: {
        metric: custom(DRIFT_METRICS.found, 'Sum'),
        description:
          'A JIT entry or JIT setting on a cluster that no approved request accounts for; ' +
          'the approval channel has the report (what, where, since when)',
      },
      // Break-glass is meant to be loud: every use pages, beside its announcement in the approval channel.
      BreakGlassUsed: {
        metric: custom(BREAK_GLASS_METRICS.used, 'Sum'),
        description:
          'Someone used break-glass: access was granted without approval; the approvers review it under its ' +
          'announcement in the approval channel',
      },
      BreakGlassUnreviewed: {
        metric: custom(BREAK_GLASS_METRICS.unreviewed, 'Sum'),
        description:
          'A break-glass was not reviewed in time and was escalated; acknowledge or flag it under its announcement',
      },
    };
    const alarms: Record<string, Alarm> = {};
    for (const [name, { metric, description, treatMissingData }] of Object.entries(definitions)) {
      const alarm = new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: treatMissingData ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarms[name] = alarm;
    }
    this.alarms = alarms;
  }
}

/** The conditions that limit CloudWatch's use of the topic and key to alarms of the stack's own account and region. */
export function alarmSourceConditions(stack: Stack): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
  };
}
