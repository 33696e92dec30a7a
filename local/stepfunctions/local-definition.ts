/**
 * The workflow's ASL as the local runner needs it: synthesized from the same Workflow construct
 * the stack deploys (in a throwaway app, bundling skipped), with each task function's ARN made
 * concrete as `arn:aws:lambda:us-east-1:000000000000:function:<task>`, so a task's function name
 * is its handler file under lambdas/handlers/.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Workflow } from '../../lib/constructs/workflow';
import { WORKFLOW_TASKS, type WorkflowTask } from '../../lib/workflow-definition';

/** The fake account and region the local ARNs use. */
export const LOCAL_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:';

/** The rendered definition. */
export interface LocalWorkflowDefinition {
  /** The ASL, ready for aws-local-stepfunctions. */
  readonly asl: Record<string, unknown>;
  /** The function name each task's Lambda has in `asl`. */
  readonly functionNames: Readonly<Record<WorkflowTask, string>>;
}

let cached: LocalWorkflowDefinition | undefined;

/** Synthesizes the workflow once per process and returns its plain ASL. */
export function renderLocalWorkflowDefinition(): LocalWorkflowDefinition {
  cached ??= render();
  return cached;
}

function render(): LocalWorkflowDefinition {
  // Bundling only the stacks listed here: none, so synth needs no esbuild run.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LocalWorkflow');
  const workflow = new Workflow(stack, 'Workflow', { stateMachineName: 'ontap-jit-workflow' });
  const byLogicalId = new Map<string, string>();
  for (const task of WORKFLOW_TASKS) {
    const cfn = workflow.functions[task].node.defaultChild as CfnFunction;
    byLogicalId.set(stack.getLogicalId(cfn), `${LOCAL_ARN_PREFIX}${task}`);
  }
  const template = synthWithoutValidation(app).getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('The workflow construct synthesized no state machine.');
  const text = resolveIntrinsics(machine.Properties.DefinitionString, byLogicalId);
  const functionNames = Object.fromEntries(WORKFLOW_TASKS.map((t) => [t, t])) as Record<WorkflowTask, string>;
  return { asl: JSON.parse(text) as Record<string, unknown>, functionNames };
}

/**
 * Synthesizes without CDK's CloudFormation schema validation: the deployed stack is validated by
 * `cdk synth` and the infrastructure tests; here only the state machine's definition is read, and the
 * validation costs over ten seconds of every local start.
 */
function synthWithoutValidation(app: App): ReturnType<App['synth']> {
  const saved = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return app.synth();
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the few intrinsics a synthesized definition string holds: Fn::Join, Ref to pseudo
 * parameters, Fn::GetAtt of a function's Arn (given by logical id in `functions`).
 */
export function resolveIntrinsics(value: unknown, functions: ReadonlyMap<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, functions)).join(separator);
    }
    if (typeof node.Ref === 'string' && PSEUDO[node.Ref]) return PSEUDO[node.Ref] as string;
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
      const arn = functions.get(logicalId);
      if (arn && attribute === 'Arn') return arn;
    }
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition.`);
}
