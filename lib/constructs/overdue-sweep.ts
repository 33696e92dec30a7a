/** The scheduled sweep: every few minutes, live grants past their end are logged, their revoke run again, and the rest counted (the OverdueGrants metric). */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE } from '../../lambdas/store/table';
import { JitFunction, type VpcPlacement } from './jit-function';
import { grantTableAccess } from './requests-table';
import { grantSecretValue } from './secrets';

/** Properties of the sweep. */
export interface OverdueSweepProps {
  /** The requests table: the sweep queries its `active-by-end` index, and closes requests and releases locks as the revoke step does. */
  readonly table: ITable;
  /** The Slack secret (the sweep tells people a grant ended). */
  readonly slackSecret: ISecret;
  /** Every cluster's credentials (the sweep removes entries from clusters). */
  readonly clusterSecrets: readonly ISecret[];
  /**
   * The customer's VPC, where cluster management interfaces are reachable.
   * @default outside any VPC
   */
  readonly vpc?: VpcPlacement;
  /** Days to keep the sweep's logs. */
  readonly logRetentionDays: number;
  /**
   * How often the sweep runs.
   * @default Schedule.rate(Duration.minutes(5))
   */
  readonly schedule?: Schedule;
  /**
   * The validated configuration file's text, compiled into the bundle.
   * @default none (the function reads JIT_CONFIG)
   */
  readonly bundledConfig?: string;
}

/** The sweep function (lambdas/handlers/sweep.ts) and the EventBridge rule that runs it. */
export class OverdueSweep extends Construct {
  /** The sweep function. */
  public readonly fn: IFunction;
  /** The schedule. */
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: OverdueSweepProps) {
    super(scope, id);
    const { fn } = new JitFunction(this, 'Function', {
      handler: 'sweep',
      description: 'Finds live grants past their end, runs their revoke again, and publishes the OverdueGrants metric',
      // A page of overdue grants, each a revoke with the client's own retries.
      timeout: Duration.seconds(120),
      environment: { JIT_TABLE_NAME: props.table.tableName, SLACK_SECRET_ARN: props.slackSecret.secretArn },
      ...(props.vpc ? { vpc: props.vpc } : {}),
      logRetentionDays: props.logRetentionDays,
      ...(props.bundledConfig !== undefined ? { bundledConfig: props.bundledConfig } : {}),
    });
    grantTableAccess(props.table, fn, {
      items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      queryIndexes: [TABLE.activeByEnd.indexName],
    });
    grantSecretValue(props.slackSecret, fn);
    for (const secret of props.clusterSecrets) grantSecretValue(secret, fn);
    this.fn = fn;
    this.rule = new Rule(this, 'Schedule', {
      description: 'Runs the ontap-jit-approvals overdue-grant sweep',
      schedule: props.schedule ?? Schedule.rate(Duration.minutes(5)),
      // A missed run is not retried: the next one comes minutes later and sees the same grants.
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
  }
}
