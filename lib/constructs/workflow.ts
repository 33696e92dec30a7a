/** The request workflow: one Lambda function per task, and the Standard state machine that runs them. */
import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildWorkflowDefinition, WORKFLOW_TASKS, type WorkflowTask } from '../workflow-definition';
import { JitFunction, type VpcPlacement } from './jit-function';

const DESCRIPTIONS: Record<WorkflowTask, string> = {
  'validate-request': 'Checks a request against its policy and the cluster, and tells the requester',
  'await-approval': 'Keeps the approval task token and posts the approval message',
  'check-approval': 'Reads the decision after the approval wait and routes the workflow',
  'grant-access': 'Creates the ONTAP JIT entry for the approved window',
  'await-end': 'Keeps the end-of-window task token ("Revoke now" completes it)',
  'revoke-access': 'Removes the ONTAP JIT entry and closes the request',
  'record-outcome': 'Records a failed validation, grant or revoke and tells the people concerned',
};

/** Properties of the workflow construct. */
export interface WorkflowProps {
  /** The requests table; every task function gets read/write on it. @default no table access (tests) */
  readonly table?: dynamodb.ITable;
  /** Days the functions' logs are kept. @default 90 */
  readonly logRetentionDays?: number;
  /** VPC placement (functions that reach a cluster's private management interface). @default outside any VPC */
  readonly vpc?: VpcPlacement;
  /** Secrets the functions read (Slack token, ONTAP credentials); their ARNs go in `environment`. @default none */
  readonly secrets?: readonly secretsmanager.ISecret[];
  /** Extra environment for every function (see lambdas/runtime/env.ts for the variables). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** The state machine's name, fixed so functions can be granted on it without a dependency cycle. @default `<stack name>-workflow` */
  readonly stateMachineName?: string;
}

/** The task functions and the state machine of the request workflow. */
export class Workflow extends Construct {
  /** One function per task, by task name. */
  public readonly functions: Readonly<Record<WorkflowTask, lambda.IFunction>>;
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's ARN, known without referencing the state machine (functions use it). */
  public readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: WorkflowProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = props.stateMachineName ?? `${stack.stackName}-workflow`;
    this.stateMachineArn = Arn.format(
      { service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
      stack,
    );
    const environment: Record<string, string> = {
      STATE_MACHINE_ARN: this.stateMachineArn,
      ...(props.table ? { JIT_TABLE_NAME: props.table.tableName } : {}),
      ...props.environment,
    };

    const functions = {} as Record<WorkflowTask, lambda.IFunction>;
    for (const task of WORKFLOW_TASKS) {
      const { fn } = new JitFunction(this, `${pascal(task)}Function`, {
        handler: task,
        description: DESCRIPTIONS[task],
        timeout: Duration.seconds(60),
        environment,
        logRetentionDays: props.logRetentionDays ?? 90,
        ...(props.vpc ? { vpc: props.vpc } : {}),
      });
      props.table?.grantReadWriteData(fn);
      for (const secret of props.secrets ?? []) secret.grantRead(fn);
      functions[task] = fn;
    }
    // The token-keeping tasks complete their own token when the request moved on before they ran.
    for (const task of ['await-approval', 'await-end'] as const) {
      functions[task].addToRolePolicy(
        new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [this.stateMachineArn] }),
      );
    }
    this.functions = functions;

    const definition = buildWorkflowDefinition(this, { functions });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: definition.definitionBody,
      comment: 'ontap-jit-approvals: one execution per access request',
    });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
}
