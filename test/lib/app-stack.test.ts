import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { parseConfigText } from '../../lambdas/config/load';
import { countMetric, publishMetrics } from '../../lambdas/runtime/logger';
import {
  DRIFT_METRICS,
  METRIC_NAMESPACE,
  OVERDUE_GRANTS_METRIC,
  REVOKE_FAILED_METRIC,
} from '../../lambdas/runtime/metrics';
import type { JitAppStack } from '../../lib/app-stack';
import { TASK_NEEDS } from '../../lib/constructs/workflow';
import { addJitStacks } from '../../lib/jit-app';
import { WORKFLOW_TASKS, type WorkflowTask } from '../../lib/workflow-definition';
import { sinkMetrics } from '../../local/local-logger';
import {
  LOCAL_ARN_PREFIX,
  renderLocalWorkflowDefinition,
  resolveIntrinsics,
} from '../../local/stepfunctions/local-definition';
import { EXAMPLE_CONFIG_TEXT, exampleConfigWith, type SynthesizedJit, synthJit } from '../support/cdk';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Record<string, unknown> };

/** The partition keys a statement is limited to (dynamodb:LeadingKeys), as ` [REQ#*]`, or nothing. */
function leadingKeysOf(statement: Statement): string {
  const like = statement.Condition?.['ForAllValues:StringLike'] as Record<string, string[]> | undefined;
  const keys = like?.['dynamodb:LeadingKeys'];
  return keys ? ` [${keys.join(' ')}]` : '';
}

const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};
const plain = synthJit();
const inVpc = synthJit({
  configText: exampleConfigWith([
    [['aws', 'vpc'], VPC],
    [['aws', 'alarmEmail'], 'storage-oncall@example.com'],
    [['aws', 'logRetentionDays'], 30],
  ]),
});

/** Every function of the app stack by a short name: the workflow's tasks, the Slack endpoint and the reconciler. */
function functionsOf(stack: JitAppStack): Record<string, IFunction> {
  return {
    ...stack.workflow.functions,
    'slack-ingress': stack.ingress.fn,
    'audit-export': stack.ingress.exportFn,
    reconcile: stack.reconciler.fn,
    'archive-writer': stack.archiveWriter.fn,
  };
}

const logicalId = (stack: Stack, fn: IFunction): string => stack.getLogicalId(fn.node.defaultChild as CfnFunction);
const resources = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

function functionProps(synth: SynthesizedJit, name: string): Record<string, unknown> {
  const fn = functionsOf(synth.app)[name];
  if (!fn) throw new Error(`no function ${name}`);
  const found = resources(synth.appTemplate, 'AWS::Lambda::Function')[logicalId(synth.app, fn)];
  if (!found) throw new Error(`no resource for ${name}`);
  return found.Properties;
}

/**
 * A role's permissions as "action on resource" pairs, resources named by what they are: `table`,
 * `table/index/<name>`, `slack-secret`, `cluster1-secret`, `state-machine`, `executions` (of the state machine), `own-log-group`, `*`,
 * `function:<task>`. Pairs, so the result does not depend on how CDK merges statements.
 */
function permissionsOf(synth: SynthesizedJit, roleLogicalId: string, ownLogGroup?: string): string[] {
  const stack = synth.app;
  const fnIds = new Map(Object.entries(functionsOf(stack)).map(([name, fn]) => [logicalId(stack, fn), name]));
  const machineId = stack.getLogicalId(stack.workflow.stateMachine.node.defaultChild as never);
  const name = (resource: unknown): string => {
    if (resource === '*') return '*';
    const text = JSON.stringify(resource);
    const index = /\/index\/([a-z-]+)/.exec(text);
    if (text.includes('RequestsTable') && text.includes('StreamArn')) return 'table-stream';
    if (text.includes('RequestsTable')) return index ? `table/index/${index[1]}` : 'table';
    if (text.includes('AuditArchiveWriterDeadLetters')) return 'archive-dead-letters';
    if (text.includes(':s3:::ontap-jit-audit-')) return `archive/${text.includes('/audit/*') ? 'audit/*' : '?'}`;
    if (text.includes('SecretsSlack')) return 'slack-secret';
    for (const [cluster, secret] of synth.data.secrets.clusters) {
      if (text.includes(synth.data.getLogicalId(secret.node.defaultChild as never))) return `${cluster}-secret`;
    }
    if (text.includes(':execution:OntapJitApp-workflow:*')) return 'executions';
    if (text.includes(':stateMachine:OntapJitApp-workflow') || text === JSON.stringify({ Ref: machineId }))
      return 'state-machine';
    if (ownLogGroup && text === JSON.stringify({ 'Fn::GetAtt': [ownLogGroup, 'Arn'] })) return 'own-log-group';
    const getAtt = /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(text);
    if (getAtt?.[1] && fnIds.has(getAtt[1]))
      return `function:${fnIds.get(getAtt[1])}${text.includes('":*"') ? ':*' : ''}`;
    return text;
  };
  const policies = Object.values(resources(synth.appTemplate, 'AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`),
  );
  const pairs = new Set<string>();
  for (const policy of policies) {
    for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = ([] as string[]).concat(statement.Action);
      const targets = ([] as unknown[]).concat(statement.Resource);
      const keys = leadingKeysOf(statement);
      for (const action of actions) for (const target of targets) pairs.add(`${action} on ${name(target)}${keys}`);
    }
  }
  return [...pairs].sort();
}

function functionPermissions(synth: SynthesizedJit, name: string): string[] {
  const props = functionProps(synth, name);
  const roleId = (props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup?.Ref;
  return permissionsOf(synth, roleId, logGroupId);
}

const BASE = ['logs:CreateLogStream on own-log-group', 'logs:PutLogEvents on own-log-group'];
const ITEMS = ['dynamodb:GetItem on table [REQ#*]', 'dynamodb:PutItem on table [REQ#*]'];
const LOCKS = ['GetItem', 'PutItem', 'DeleteItem'].map((a) => `dynamodb:${a} on table [LOCK#*]`);
const SLACK = ['secretsmanager:GetSecretValue on slack-secret'];
const CLUSTERS = ['secretsmanager:GetSecretValue on cluster1-secret'];
const TOKEN = ['states:SendTaskSuccess on state-machine'];
const ENI = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:UnassignPrivateIpAddresses',
].map((a) => `${a} on *`);

/** What each function may do: the table of the README, checked against every role. */
const EXPECTED: Record<string, string[]> = {
  'validate-request': [...BASE, ...ITEMS, ...SLACK, ...CLUSTERS],
  'await-approval': [...BASE, ...ITEMS, ...SLACK, ...TOKEN],
  'check-approval': [...BASE, ...ITEMS, ...SLACK],
  'grant-access': [...BASE, ...ITEMS, ...LOCKS, ...SLACK, ...CLUSTERS],
  'await-end': [...BASE, ...ITEMS, ...TOKEN],
  'revoke-access': [...BASE, ...ITEMS, ...LOCKS, ...SLACK, ...CLUSTERS],
  'record-outcome': [...BASE, ...ITEMS, ...LOCKS, ...SLACK, ...CLUSTERS],
  'slack-ingress': [
    ...BASE,
    ...ITEMS,
    'dynamodb:Query on table/index/by-requester [USER#*]',
    'dynamodb:Query on table/index/pending-by-policy [PENDING#*]',
    'dynamodb:PutItem on table [EXPORT#*]',
    'dynamodb:UpdateItem on table [EXPORT#*]',
    'lambda:InvokeFunction on function:audit-export',
    'states:StartExecution on state-machine',
    ...TOKEN,
    ...SLACK,
  ],
  // A Scan names no partition: the export reads every item, and writes only its own claim.
  'audit-export': [...BASE, 'dynamodb:Scan on table', 'dynamodb:UpdateItem on table [EXPORT#*]', ...SLACK],
  reconcile: [
    ...BASE,
    ...ITEMS,
    ...LOCKS,
    'dynamodb:BatchGetItem on table [REQ#*]',
    'dynamodb:UpdateItem on table [REQ#*]',
    'dynamodb:Query on table [REQ#*]',
    'dynamodb:UpdateItem on table [LOCK#*]',
    ...['GetItem', 'PutItem', 'DeleteItem'].map((a) => `dynamodb:${a} on table [RECONCILER]`),
    ...['Query', 'PutItem', 'UpdateItem', 'DeleteItem'].map((a) => `dynamodb:${a} on table [DRIFT#*]`),
    'dynamodb:Query on table/index/needs-attention [DUE]',
    ...TOKEN,
    'states:DescribeExecution on executions',
    ...SLACK,
    ...CLUSTERS,
  ],
  // The table's stream, read; the archive, create-only puts (and reads to compare a redelivery), under audit/.
  'archive-writer': [
    ...BASE,
    'dynamodb:DescribeStream on table-stream',
    'dynamodb:GetRecords on table-stream',
    'dynamodb:GetShardIterator on table-stream',
    'dynamodb:ListStreams on *',
    's3:GetObject on archive/audit/*',
    's3:PutObject on archive/audit/*',
    // Lambda sends a record that failed every retry to the dead-letter queue with the function's role.
    'sqs:GetQueueAttributes on archive-dead-letters',
    'sqs:GetQueueUrl on archive-dead-letters',
    'sqs:SendMessage on archive-dead-letters',
  ],
};
const ONTAP_TASKS = WORKFLOW_TASKS.filter((t) => TASK_NEEDS[t].ontap);
/** Every function that calls a cluster: the workflow's ONTAP tasks and the reconciler, which runs revokes and clean-ups again. */
const CLUSTER_CALLERS: readonly string[] = [...ONTAP_TASKS, 'reconcile'];

describe('a cluster without an endpoint', () => {
  /** The stack's warnings mentioning an endpoint, synthesized without the tests' acknowledgement of them. */
  const endpointWarnings = (configText: string): string[] => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = addJitStacks(app, { config: parseConfigText(configText), configText });
    return Annotations.fromStack(stacks.app)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data))
      .filter((w) => w.includes('endpoint'));
  };

  it('is named in a warning at synth (its field, not a stand-in), and the synth still succeeds', () => {
    const named = endpointWarnings(EXAMPLE_CONFIG_TEXT);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(
      /Cluster "cluster1" has no endpoint \(clusters\[0\]\.endpoint\); deployed functions cannot/,
    );
    expect(named[0]).not.toMatch(/simulator|embedded/i);
  });

  it('is not warned about once it has one', () => {
    const configText = exampleConfigWith([[['clusters', 0, 'endpoint'], 'https://cluster1-mgmt.example.com']]);
    expect(endpointWarnings(configText)).toEqual([]);
  });
});

describe('the functions', () => {
  it('are ten Node.js 22 arm64 functions with explicit memory and timeout, JSON logs and no X-Ray tracing', () => {
    const all = resources(plain.appTemplate, 'AWS::Lambda::Function');
    expect(Object.keys(all)).toHaveLength(Object.keys(EXPECTED).length);
    for (const name of Object.keys(EXPECTED)) {
      expect(functionProps(plain, name)).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: expect.any(Number),
        Timeout: expect.any(Number),
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      // Nothing is instrumented: no trace is sent, and no role may send one (see BASE: no xray:* permission).
      expect(functionProps(plain, name).TracingConfig).toBeUndefined();
    }
    expect(functionProps(plain, 'slack-ingress')).toMatchObject({ MemorySize: 1024, Timeout: 10 });
    expect(functionProps(plain, 'grant-access')).toMatchObject({ MemorySize: 256, Timeout: 60 });
  });

  it('keep their logs as long as the configuration says, and keep the log groups when the stack goes', () => {
    plain.appTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    inVpc.appTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    plain.appTemplate.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });
});

describe('least privilege, per function role', () => {
  it.each(Object.keys(EXPECTED))('%s may do exactly what it does, on named resources', (name) => {
    expect(functionPermissions(plain, name)).toEqual([...new Set(EXPECTED[name])].sort());
  });

  it.each(Object.keys(EXPECTED))(
    '%s in the customer VPC may also manage its network interfaces, and only if it calls a cluster',
    (name) => {
      const extra = CLUSTER_CALLERS.includes(name) ? ENI : [];
      expect(functionPermissions(inVpc, name)).toEqual([...new Set([...(EXPECTED[name] ?? []), ...extra])].sort());
    },
  );

  it('limits every table action of every role to the partitions of the item types it writes', () => {
    for (const name of Object.keys(EXPECTED)) {
      // The archive writer reads the table's stream, not its items: stream actions name no partition.
      const onTable = functionPermissions(plain, name).filter((p) => /^dynamodb:\w+ on table(\/index\/|\s|$)/.test(p));
      for (const permission of onTable.filter((p) => p !== 'dynamodb:Scan on table')) {
        expect(permission).toMatch(/ \[[^\]]+\]$/);
      }
      // Nothing deletes a request or an audit item; only grant locks, the reconciler's cursor and drift records
      // (once the entry is gone from the cluster) are ever deleted.
      for (const permission of onTable.filter((p) => p.startsWith('dynamodb:DeleteItem'))) {
        expect(permission).toMatch(/\[(LOCK#\*|RECONCILER|DRIFT#\*)\]$/);
      }
    }
    const ingress = functionPermissions(plain, 'slack-ingress').filter((p) => p.startsWith('dynamodb:'));
    // The ingress updates nothing but a `/jit audit` claim of its own.
    const beyondClaims = ingress.filter((p) => p !== 'dynamodb:UpdateItem on table [EXPORT#*]');
    expect(beyondClaims.filter((p) => /Delete|Update|Batch|Scan|LOCK|RECONCILER/.test(p))).toEqual([]);
  });

  it('gives no role an AWS managed policy', () => {
    for (const role of Object.values(resources(inVpc.appTemplate, 'AWS::IAM::Role')))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the state machine invoke only its seven task functions, and deliver its logs and traces', () => {
    const stack = plain.app;
    const roleId = stack.getLogicalId(stack.workflow.stateMachine.role.node.defaultChild as CfnRole);
    const invokes = WORKFLOW_TASKS.flatMap((t) => [
      `lambda:InvokeFunction on function:${t}`,
      `lambda:InvokeFunction on function:${t}:*`,
    ]);
    const delivery = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ].map((a) => `${a} on *`);
    expect(permissionsOf(plain, roleId)).toEqual([...invokes, ...delivery].sort());
  });
});

describe('the secrets wiring', () => {
  it('puts the Slack secret ARN (a reference, never a value) only where Slack is used, and no secret value anywhere', () => {
    for (const name of Object.keys(EXPECTED)) {
      const variables = (functionProps(plain, name).Environment as { Variables: Record<string, unknown> }).Variables;
      const usesSlack =
        name === 'slack-ingress' ||
        name === 'audit-export' ||
        name === 'reconcile' ||
        (name in TASK_NEEDS && TASK_NEEDS[name as WorkflowTask].slack);
      if (usesSlack) {
        expect(variables.SLACK_SECRET_ARN).toEqual({
          'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OntapJitData' }),
        });
        expect(JSON.stringify(variables.SLACK_SECRET_ARN)).toContain('SecretsSlack');
      } else {
        expect(variables.SLACK_SECRET_ARN).toBeUndefined();
      }
      for (const [key, value] of Object.entries(variables)) {
        expect(key).not.toMatch(/TOKEN|SIGNING|PASSWORD|USERNAME/);
        if (typeof value === 'string') expect(value).not.toMatch(/xoxb-|-----BEGIN/);
      }
    }
  });

  it('tells each function its table and, where it needs it, the state machine by the name the state machine has', () => {
    plain.appTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'OntapJitApp-workflow',
    });
    // The archive writer reads the table's stream, not the table: it is told only its bucket.
    for (const name of Object.keys(EXPECTED).filter((n) => n !== 'archive-writer')) {
      const variables = (functionProps(plain, name).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(variables.JIT_TABLE_NAME)).toContain('RequestsTable');
      expect(JSON.stringify(variables.STATE_MACHINE_ARN)).toContain(':stateMachine:OntapJitApp-workflow');
    }
  });
});

describe('the VPC option', () => {
  it('leaves every function outside any VPC when aws.vpc is unset', () => {
    for (const name of Object.keys(EXPECTED)) expect(functionProps(plain, name).VpcConfig).toBeUndefined();
  });

  it('puts exactly the functions that call a cluster in the configured subnets and security groups, creating nothing', () => {
    expect([...ONTAP_TASKS].sort()).toEqual(['grant-access', 'record-outcome', 'revoke-access', 'validate-request']);
    for (const name of Object.keys(EXPECTED)) {
      const config = functionProps(inVpc, name).VpcConfig;
      if (CLUSTER_CALLERS.includes(name))
        expect(config).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
      else expect(config).toBeUndefined();
    }
    expect(
      Object.keys(inVpc.appTemplate.toJSON().Resources as object).filter((id) => /SecurityGroup|Subnet|Vpc/.test(id)),
    ).toEqual([]);
  });
});

describe('the state machine', () => {
  it('is Standard, traced, and logs every event without execution data (task tokens stay out of the logs)', () => {
    plain.appTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkflowLogs'), 'Arn'] } },
          },
        ],
      },
    });
  });

  it('runs the very definition the local runner executes', () => {
    const stack = plain.app;
    const byLogicalId = new Map(
      WORKFLOW_TASKS.map((t) => [logicalId(stack, stack.workflow.functions[t]), `${LOCAL_ARN_PREFIX}${t}`]),
    );
    const machine = Object.values(resources(plain.appTemplate, 'AWS::StepFunctions::StateMachine'))[0];
    const deployed = JSON.parse(resolveIntrinsics(machine?.Properties.DefinitionString, byLogicalId)) as {
      StartAt: string;
      States: Record<string, unknown>;
    };
    const { asl } = renderLocalWorkflowDefinition();
    const local = asl as typeof deployed;
    expect(deployed.StartAt).toBe(local.StartAt);
    expect(Object.keys(deployed.States).sort()).toEqual(Object.keys(local.States).sort());
    for (const name of Object.keys(local.States))
      expect({ name, state: deployed.States[name] }).toEqual({ name, state: local.States[name] });
  });
});

describe('the alarms', () => {
  const alarm = (template: Template, id: string): Record<string, unknown> => {
    const found = Object.entries(resources(template, 'AWS::CloudWatch::Alarm')).find(([logical]) =>
      logical.startsWith(`Alarms${id}`),
    );
    if (!found) throw new Error(`no alarm ${id}`);
    return found[1].Properties;
  };

  it('page on failed, timed-out and throttled executions of this state machine', () => {
    const machineId = plain.app.getLogicalId(plain.app.workflow.stateMachine.node.defaultChild as never);
    for (const [id, metric] of [
      ['ExecutionsFailed', 'ExecutionsFailed'],
      ['ExecutionsTimedOut', 'ExecutionsTimedOut'],
      ['ExecutionsThrottled', 'ExecutionThrottled'],
    ] as const) {
      expect(alarm(plain.appTemplate, id)).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('watch the metrics the functions publish, under the name and namespace they publish them', () => {
    const lines: Record<string, unknown>[] = [];
    // Published as the functions publish them (runtime/logger.ts), one line per publish.
    const metrics = sinkMetrics((line) => lines.push(JSON.parse(line) as Record<string, unknown>), 'test');
    countMetric(metrics, REVOKE_FAILED_METRIC, 1);
    publishMetrics(metrics);
    countMetric(metrics, OVERDUE_GRANTS_METRIC, 2);
    publishMetrics(metrics);
    const published = lines.map(
      (l) =>
        (l._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0],
    );
    expect(published).toEqual([
      { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'RevokeFailed', Unit: 'Count' }] },
      { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'OverdueGrants', Unit: 'Count' }] },
    ]);
    expect(alarm(plain.appTemplate, 'RevokeFailed')).toMatchObject({
      Namespace: 'OntapJitApprovals',
      MetricName: 'RevokeFailed',
      Statistic: 'Sum',
    });
    expect(alarm(plain.appTemplate, 'RevokeFailed').Dimensions).toBeUndefined();
    expect(alarm(plain.appTemplate, 'OverdueGrants')).toMatchObject({
      Namespace: 'OntapJitApprovals',
      MetricName: 'OverdueGrants',
      Statistic: 'Maximum',
      TreatMissingData: 'ignore',
      AlarmDescription: expect.stringContaining('the reconciler retries its revoke'),
    });
  });

  it('page on drift, under the name the reconciler publishes it, once per drift found', () => {
    const lines: Record<string, unknown>[] = [];
    const metrics = sinkMetrics((line) => lines.push(JSON.parse(line) as Record<string, unknown>), 'test');
    countMetric(metrics, DRIFT_METRICS.found, 1);
    publishMetrics(metrics);
    const published = lines.map(
      (l) =>
        (l._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0],
    );
    expect(published).toEqual([
      { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'DriftFound', Unit: 'Count' }] },
    ]);
    expect(alarm(plain.appTemplate, 'DriftFound')).toMatchObject({
      Namespace: 'OntapJitApprovals',
      MetricName: 'DriftFound',
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      AlarmDescription: expect.stringContaining('approval channel has the report'),
    });
  });

  it('go to the encrypted topic, and to the configured e-mail', () => {
    plain.appTemplate.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
    plain.appTemplate.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // Nothing to keep once the stack is gone: the key is scheduled for deletion with it.
    plain.appTemplate.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Delete',
    });
    plain.appTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
    inVpc.appTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'storage-oncall@example.com',
    });
  });
});

describe('the Slack endpoint', () => {
  it('is one route, POST /slack/events, into the ingress function, throttled and access-logged', () => {
    const fnId = logicalId(plain.app, plain.app.ingress.fn);
    plain.appTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    plain.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /slack/events',
      AuthorizationType: 'NONE',
    });
    plain.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    plain.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
    plain.appTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('outputs the URL to paste into the Slack app', () => {
    const outputs = plain.appTemplate.findOutputs('*', { Value: Match.anyValue() });
    const url = Object.entries(outputs).find(([id]) => id.startsWith('SlackIngressSlackEventsUrl'))?.[1];
    expect(JSON.stringify(url?.Value)).toMatch(/execute-api.*\/slack\/events"\]\]\}$/);
  });
});

describe('the reconciler', () => {
  it('runs every 2 minutes, without retries (the next run sees the same work)', () => {
    plain.appTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(plain.app, plain.app.reconciler.fn), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
  });

  it('has a heartbeat alarm on its passes that treats missing data as breaching and notifies the alarm topic', () => {
    plain.appTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReconcilerPasses',
      Namespace: 'OntapJitApprovals',
      Statistic: 'Sum',
      Period: 120,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: plain.app.getLogicalId(plain.app.alarms.topic.node.defaultChild as CfnTopic) }],
    });
  });

  it('may describe only executions of the workflow, and complete only its tokens', () => {
    const statements = JSON.stringify(plain.appTemplate.toJSON());
    expect(statements).toContain(':execution:OntapJitApp-workflow:*');
  });
});

test('each function writes to a log group of its own (plus the state machine and the API access logs)', () => {
  const groups = new Set(
    Object.keys(EXPECTED).map((name) =>
      JSON.stringify((functionProps(plain, name).LoggingConfig as { LogGroup: unknown }).LogGroup),
    ),
  );
  expect(groups.size).toBe(Object.keys(EXPECTED).length);
  expect(Object.keys(resources(plain.appTemplate, 'AWS::Logs::LogGroup')).length).toBe(
    Object.keys(EXPECTED).length + 2,
  );
});
