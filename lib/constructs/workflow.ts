/** The request workflow: one Lambda function per task, and the Standard state machine that runs them. */
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildWorkflowDefinition, WORKFLOW_TASKS, type WorkflowTask } from '../workflow-definition';
import { JitFunction, toRetention, type VpcPlacement, vendedLogGroupName } from './jit-function';
import { grantTableAccess, ITEM_KEYS, type ItemAccess, type TableAction } from './requests-table';
import { clusterSecretsEnvironment, grantSecretValue } from './secrets';

const DESCRIPTIONS: Record<WorkflowTask, string> = {
  'validate-request': 'Checks a request against its policy and the cluster, and tells the requester',
  'await-approval': 'Keeps the approval task token and posts the approval message',
  'check-approval': 'Reads the decision after the approval wait and routes the workflow',
  'grant-access': 'Creates the ONTAP JIT entry for the approved window',
  'await-end': 'Keeps the end-of-window task token ("Revoke now" completes it)',
  'revoke-access': 'Removes the ONTAP JIT entry and closes the request',
  'record-outcome': 'Records a failed validation, grant or revoke and tells the people concerned',
};

/** What a task reaches beyond its own log group; the construct grants exactly this. */
export interface TaskNeeds {
  /** Calls a cluster: runs in the customer's VPC when one is configured, reads the cluster secrets. */
  readonly ontap: boolean;
  /** Posts or updates Slack messages: reads the Slack secret. */
  readonly slack: boolean;
  /** Takes or releases grant locks (GetItem, PutItem and DeleteItem on `LOCK#` items). */
  readonly locks: boolean;
  /** Completes its own task token when the request moved on before the wait began (states:SendTaskSuccess). */
  readonly taskToken: boolean;
}

/** Each task's needs, read from lambdas/lifecycle/ (which store, ONTAP, Slack and workflow calls it makes). */
export const TASK_NEEDS: Readonly<Record<WorkflowTask, TaskNeeds>> = {
  'validate-request': { ontap: true, slack: true, locks: false, taskToken: false },
  'await-approval': { ontap: false, slack: true, locks: false, taskToken: true },
  'check-approval': { ontap: false, slack: true, locks: false, taskToken: false },
  'grant-access': { ontap: true, slack: true, locks: true, taskToken: false },
  'await-end': { ontap: false, slack: false, locks: false, taskToken: true },
  'revoke-access': { ontap: true, slack: true, locks: true, taskToken: false },
  // Cleans up after a failed grant: removes the partial JIT entry and releases the lock.
  'record-outcome': { ontap: true, slack: true, locks: true, taskToken: false },
};

/** Properties of the workflow construct. */
export interface WorkflowProps {
  /**
   * The requests table; each task function gets the item actions it uses on it.
   * @default no table access (the local runner's definition)
   */
  readonly table?: dynamodb.ITable;
  /**
   * Days the functions' and the state machine's logs are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * VPC placement of the functions that call a cluster (`TASK_NEEDS[task].ontap`); the others stay outside.
   * @default outside any VPC
   */
  readonly vpc?: VpcPlacement;
  /**
   * The Slack secret (`{"signingSecret","botToken"}`): its ARN and read access go to the tasks that post to Slack.
   * @default none
   */
  readonly slackSecret?: secretsmanager.ISecret;
  /**
   * Each cluster's credentials secret, by cluster name: its ARN and read access go to the tasks that call a cluster.
   * @default none
   */
  readonly clusterSecrets?: ReadonlyMap<string, secretsmanager.ISecret>;
  /**
   * Extra environment for every function (see lambdas/runtime/env.ts for the variables).
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The state machine's name, fixed so functions can be granted on it without a dependency cycle.
   * @default `<stack name>-workflow`
   */
  readonly stateMachineName?: string;
  /**
   * The validated configuration as JSON (lambdas/config/compile.ts), compiled into every function bundle.
   * @default none (the functions read JIT_CONFIG)
   */
  readonly bundledConfig?: string;
}

/** The task functions and the state machine of the request workflow, logged and traced. */
export class Workflow extends Construct {
  /** One function per task, by task name. */
  public readonly functions: Readonly<Record<WorkflowTask, lambda.IFunction>>;
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's ARN, known without referencing the state machine (functions use it). */
  public readonly stateMachineArn: string;
  /** The state machine's execution history log (every event, no execution data). */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = props.stateMachineName ?? `${stack.stackName}-workflow`;
    this.stateMachineArn = Arn.format(
      {
        service: 'states',
        resource: 'stateMachine',
        resourceName: stateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      stack,
    );
    const logRetentionDays = props.logRetentionDays ?? 90;
    const clusterSecrets = props.clusterSecrets ?? new Map<string, secretsmanager.ISecret>();

    const functions = {} as Record<WorkflowTask, lambda.IFunction>;
    for (const task of WORKFLOW_TASKS) {
      const needs = TASK_NEEDS[task];
      const { fn } = new JitFunction(this, `${pascal(task)}Function`, {
        handler: task,
        description: DESCRIPTIONS[task],
        timeout: Duration.seconds(60),
        environment: {
          STATE_MACHINE_ARN: this.stateMachineArn,
          ...(props.table ? { JIT_TABLE_NAME: props.table.tableName } : {}),
          ...(needs.slack && props.slackSecret ? { SLACK_SECRET_ARN: props.slackSecret.secretArn } : {}),
          ...(needs.ontap ? clusterSecretsEnvironment(this, clusterSecrets) : {}),
          ...props.environment,
        },
        logRetentionDays,
        ...(needs.ontap && props.vpc ? { vpc: props.vpc } : {}),
        ...(props.bundledConfig !== undefined ? { bundledConfig: props.bundledConfig } : {}),
      });
      if (props.table) {
        const items: ItemAccess[] = [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], keys: [ITEM_KEYS.requests] }];
        // Only a task that takes or releases grant locks touches them, and deletes nothing else.
        const lockActions: TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];
        if (needs.locks) items.push({ actions: lockActions, keys: [ITEM_KEYS.locks] });
        grantTableAccess(props.table, fn, { items });
      }
      if (needs.slack && props.slackSecret) grantSecretValue(props.slackSecret, fn);
      if (needs.ontap) for (const secret of clusterSecrets.values()) grantSecretValue(secret, fn);
      if (needs.taskToken) {
        // The WorkflowClient completes tokens with SendTaskSuccess only (lambdas/stepfunctions/client.ts).
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [this.stateMachineArn] }),
        );
      }
      functions[task] = fn;
    }
    this.functions = functions;

    // Every event (ALL), but no execution data: the waits' parameters carry task tokens, and inputs
    // and outputs carry who asked for what; the request's own record is the audit trail in DynamoDB.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: vendedLogGroupName('states', stateMachineName),
      retention: toRetention(logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const definition = buildWorkflowDefinition(this, { functions });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: definition.definitionBody,
      comment: 'ontap-jit-approvals: one execution per access request',
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const machineRole = Validations.of(this.stateMachine.role);
    machineRole.acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery and the other delivery actions) and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules) accept no resource ARN; the log group itself is named in the logging configuration.',
    });
    for (const task of WORKFLOW_TASKS) {
      const logicalId = stack.getLogicalId(functions[task].node.defaultChild as lambda.CfnFunction);
      machineRole.acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: `The LambdaInvoke task grants its function and the function's qualified ARNs (<arn>:*); the state machine invokes only the ${task} function of this workflow.`,
      });
    }
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
}
