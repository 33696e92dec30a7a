/**
 * The Slack ingress: the function that verifies and handles Slack's requests (lambdas/handlers/slack-ingress.ts),
 * its permissions, and one HTTPS route, `POST /slack/events`, in front of it.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { EventInvokeConfig } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE } from '../../lambdas/store/table';
import { JitFunction, toRetention, vendedLogGroupName } from './jit-function';
import { grantTableAccess, ITEM_KEYS } from './requests-table';
import { grantSecretValue } from './secrets';
import type { Workflow } from './workflow';

/**
 * One JSON line per request, from HTTP API `$context` variables (the REST API's, such as
 * `$context.resourcePath`, are empty on an HTTP API). No body, header or query: Slack puts the
 * request's content there, and never a credential here either.
 */
export const HTTP_API_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

const HTTP_API_ACCESS_LOG_FORMAT = AccessLogFormat.custom(JSON.stringify(HTTP_API_ACCESS_LOG_FIELDS));

/** Properties of the Slack ingress. */
export interface SlackIngressProps {
  /** The requests table: requests and decisions are written; "my requests" reads the by-requester index. */
  readonly table: ITable;
  /** The approval workflow: a request starts an execution; decisions and "Revoke now" complete its waits' tokens. */
  readonly workflow: Workflow;
  /** The Slack secret: the signing secret verifies every request, the bot token answers. */
  readonly slackSecret: ISecret;
  /** Days to keep the function's logs and the API's access logs. */
  readonly logRetentionDays: number;
  /**
   * The validated configuration as JSON (lambdas/config/compile.ts), compiled into the bundle.
   * @default none (the function reads JIT_CONFIG)
   */
  readonly bundledConfig?: string;
  /**
   * Steady-state requests per second the route accepts (Slack's own rate is far below this).
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Burst the route accepts.
   * @default 100
   */
  readonly burstLimit?: number;
}

/**
 * The ingress function with least-privilege grants, and the HTTP API with the one route Slack calls:
 * throttled, access-logged, and its URL as a stack output.
 */
export class SlackIngress extends Construct {
  /** The function behind `POST /slack/events`. */
  public readonly fn: IFunction;
  /** The function `/jit audit` queues its exports for, run after the command is answered. */
  public readonly exportFn: IFunction;
  /** The HTTP API. */
  public readonly api: HttpApi;
  /** The URL to paste into the Slack app (slash command and interactivity). */
  public readonly eventsUrl: string;

  constructor(scope: Construct, id: string, props: SlackIngressProps) {
    super(scope, id);
    this.exportFn = exportFunction(this, props);
    this.fn = ingressFunction(this, props, this.exportFn);
    this.api = new HttpApi(this, 'Api', {
      description: 'Slack ingress of ontap-jit-approvals: POST /slack/events',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: vendedLogGroupName('apigateway', `${Stack.of(this).stackName}-slack-ingress`),
      retention: toRetention(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: HTTP_API_ACCESS_LOG_FORMAT },
    });
    const [route] = this.api.addRoutes({
      path: '/slack/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('SlackEvents', this.fn, { timeout: Duration.seconds(10) }),
    });
    if (route) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          'Slack cannot present AWS credentials or a JWT. Every request is authenticated in the function by its Slack signature (HMAC-SHA256 with the signing secret over timestamp and raw body), and refused with 401 when unsigned, mis-signed or more than 5 minutes old, before the body is parsed.',
      });
    }
    this.eventsUrl = `${stage.url.replace(/\/$/, '')}/slack/events`;
    new CfnOutput(this, 'SlackEventsUrl', {
      value: this.eventsUrl,
      description: 'Paste into the Slack app: slash command URL and interactivity request URL',
    });
  }
}

/** The ingress function, and what it may do: only what lambdas/slack needs, on named resources. */
function ingressFunction(scope: Construct, props: SlackIngressProps, exportFn: IFunction): IFunction {
  const { table, workflow, slackSecret } = props;
  // Slack waits 3 seconds for an answer: memory buys the CPU that a cold start of Bolt needs. Never in the
  // customer's VPC: it calls DynamoDB, Step Functions, Secrets Manager and Slack, never a cluster.
  const { fn } = new JitFunction(scope, 'Function', {
    handler: 'slack-ingress',
    description: 'Slack endpoint: verifies, records requests and decisions, starts and resumes workflows',
    memorySize: 1024,
    timeout: Duration.seconds(10),
    environment: {
      JIT_TABLE_NAME: table.tableName,
      STATE_MACHINE_ARN: workflow.stateMachineArn,
      SLACK_SECRET_ARN: slackSecret.secretArn,
      AUDIT_EXPORT_FUNCTION: exportFn.functionName,
    },
    logRetentionDays: props.logRetentionDays,
    ...(props.bundledConfig !== undefined ? { bundledConfig: props.bundledConfig } : {}),
  });
  // `/jit audit`: the command's claim is written before the answer, the export queued for its function; a claim
  // whose queueing failed is marked so, and taken again by Slack's retry of that command.
  grantTableAccess(table, fn, {
    items: [{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], keys: [ITEM_KEYS.exports] }],
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [exportFn.functionArn] }));
  // Records requests and decisions (request and audit items alone); "my requests" reads the by-requester
  // index, an approver's Home the pending-by-policy index. Never a lock, the cursor, a delete or an update.
  grantTableAccess(table, fn, {
    items: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], keys: [ITEM_KEYS.requests] }],
    queryIndexes: [
      { index: TABLE.byRequester.indexName, keys: ['USER#*'] },
      { index: TABLE.pendingByPolicy.indexName, keys: ['PENDING#*'] },
    ],
  });
  workflow.stateMachine.grantStartExecution(fn);
  // Decisions and "Revoke now" complete the waits' tokens, after the decision is written.
  const signal = new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [workflow.stateMachineArn] });
  fn.addToRolePolicy(signal);
  grantSecretValue(slackSecret, fn);
  return fn;
}

/**
 * The export function: reads the table with one Scan (a Scan names no partition, so it cannot be limited
 * to some; it writes nothing but its export's claim), uploads the CSV to the person's DM. Queued events
 * are not retried by Lambda: the job tells the person of a failure itself, and never throws.
 */
function exportFunction(scope: Construct, props: SlackIngressProps): IFunction {
  const { table, workflow, slackSecret } = props;
  const { fn } = new JitFunction(scope, 'AuditExport', {
    handler: 'audit-export',
    description: '/jit audit: exports the audit trail as CSV to the approver in Slack, after the command is answered',
    memorySize: 512,
    timeout: Duration.minutes(5),
    environment: {
      JIT_TABLE_NAME: table.tableName,
      // The product's common environment (lambdas/runtime/env.ts); the export signals nothing.
      STATE_MACHINE_ARN: workflow.stateMachineArn,
      SLACK_SECRET_ARN: slackSecret.secretArn,
    },
    logRetentionDays: props.logRetentionDays,
    ...(props.bundledConfig !== undefined ? { bundledConfig: props.bundledConfig } : {}),
  });
  new EventInvokeConfig(scope, 'AuditExportInvokeConfig', { function: fn, retryAttempts: 0 });
  grantTableAccess(table, fn, { scan: true, items: [{ actions: ['dynamodb:UpdateItem'], keys: [ITEM_KEYS.exports] }] });
  grantSecretValue(slackSecret, fn);
  return fn;
}
