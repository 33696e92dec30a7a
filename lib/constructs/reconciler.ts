/**
 * The reconciler: a function run on a schedule that makes the clusters, the executions and the
 * audit trail match the records (lambdas/lifecycle/reconcile.ts), and the heartbeat alarm that
 * rings when its passes stop (no data counts as breaching: a reconciler that never runs is down).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { METRIC_NAMESPACE, RECONCILER_METRICS } from '../../lambdas/runtime/metrics';
import { ATTENTION_PK, TABLE } from '../../lambdas/store/table';
import { JitFunction, type VpcPlacement } from './jit-function';
import { grantTableAccess, ITEM_KEYS } from './requests-table';
import { clusterSecretsEnvironment, grantSecretValue } from './secrets';

/** Passes in a row that may be missing before the heartbeat alarm rings. */
export const MISSED_PASSES_TO_ALARM = 3;

/** Properties of the reconciler. */
export interface ReconcilerProps {
  /** The requests table: read through its needs-attention index; requests, audit items and locks written. */
  readonly table: ITable;
  /** The workflow's state machine ARN: lost signals are sent again, executions described. */
  readonly stateMachineArn: string;
  /** The Slack secret (people are told what the repairs did). */
  readonly slackSecret: ISecret;
  /** Every cluster's credentials, by cluster name (entries are removed from clusters). */
  readonly clusterSecrets: ReadonlyMap<string, ISecret>;
  /** Where the heartbeat alarm publishes. */
  readonly alarmTopic: ITopic;
  /**
   * The customer's VPC, where cluster management interfaces are reachable.
   * @default outside any VPC
   */
  readonly vpc?: VpcPlacement;
  /** Days to keep the reconciler's logs. */
  readonly logRetentionDays: number;
  /**
   * The validated configuration as JSON (lambdas/config/compile.ts), compiled into the bundle.
   * @default none (the function reads JIT_CONFIG)
   */
  readonly bundledConfig?: string;
}

/** The reconciler function (lambdas/handlers/reconcile.ts), its schedule and its heartbeat alarm. */
export class Reconciler extends Construct {
  /** The reconciler function. */
  public readonly fn: IFunction;
  /** The schedule, every RECONCILE_PERIOD_SECONDS. */
  public readonly rule: Rule;
  /** Rings when no pass has run for MISSED_PASSES_TO_ALARM periods. */
  public readonly heartbeatAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const { fn } = new JitFunction(this, 'Function', {
      handler: 'reconcile',
      description:
        'Makes clusters, executions and the audit trail match the records: re-sends lost signals, ' +
        'retries revokes and clean-ups, frees stale locks',
      // The pass stops starting repairs at 90 s; each repair has its own deadline under that.
      timeout: Duration.seconds(120),
      environment: {
        JIT_TABLE_NAME: props.table.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
        STATE_MACHINE_ARN: props.stateMachineArn,
        ...clusterSecretsEnvironment(this, props.clusterSecrets),
      },
      ...(props.vpc ? { vpc: props.vpc } : {}),
      logRetentionDays: props.logRetentionDays,
      ...(props.bundledConfig !== undefined ? { bundledConfig: props.bundledConfig } : {}),
    });
    grantTableAccess(props.table, fn, {
      items: [
        // BatchGetItem: the due requests of a page of the needs-attention index, read whole in one call;
        // Query: a request's audit trail; UpdateItem: a request put back in the index for later.
        {
          actions: [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:Query',
          ],
          keys: [ITEM_KEYS.requests],
        },
        // Revokes and clean-ups retried take, check, snooze and release grant locks.
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          keys: [ITEM_KEYS.locks],
        },
        // Where its last pass stopped reading, removed when a pass reads to the end.
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], keys: [ITEM_KEYS.cursor] },
        // The drift found on each cluster: read per cluster, recorded, claimed and marked, removed once gone.
        {
          actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          keys: [ITEM_KEYS.drift],
        },
      ],
      queryIndexes: [{ index: TABLE.needsAttention.indexName, keys: [ATTENTION_PK] }],
    });
    // Lost signals are sent again with the token in the store; an execution's state says whether it is gone.
    const signal = new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [props.stateMachineArn] });
    fn.addToRolePolicy(signal);
    // Executions of this state machine only: arn:...:execution:<state machine name>:<execution name>.
    const executions = `${props.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
    Validations.of(this).acknowledge({
      id:
        'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:' +
        `execution:${Stack.of(this).stackName}-workflow:*]`,
      reason:
        'Executions are named after requests, so DescribeExecution is granted on executions of the workflow ' +
        'state machine only (<machine>:*), not on any other state machine.',
    });
    grantSecretValue(props.slackSecret, fn);
    for (const secret of props.clusterSecrets.values()) grantSecretValue(secret, fn);
    this.fn = fn;

    const period = Duration.seconds(RECONCILE_PERIOD_SECONDS);
    this.rule = new Rule(this, 'Schedule', {
      description: 'Runs the ontap-jit-approvals reconciler',
      schedule: Schedule.rate(period),
      // A missed run is not retried: the next one comes one period later and sees the same work.
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });

    this.heartbeatAlarm = new Alarm(this, 'Heartbeat', {
      metric: new Metric({
        namespace: METRIC_NAMESPACE,
        metricName: RECONCILER_METRICS.passes,
        statistic: 'Sum',
        period,
      }),
      threshold: 1,
      evaluationPeriods: MISSED_PASSES_TO_ALARM,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription:
        `The reconciler has not completed a pass for ${MISSED_PASSES_TO_ALARM} periods: ` +
        'lost clicks, failed revokes and clean-ups are not being repaired',
    });
    this.heartbeatAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
