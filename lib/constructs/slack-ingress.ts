/** The Slack ingress: one HTTPS route, `POST /slack/events`, in front of the ingress function. */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toRetention, vendedLogGroupName } from './jit-function';

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
  /** The function that verifies and handles Slack's requests. */
  readonly handler: IFunction;
  /** Days to keep access logs. */
  readonly logRetentionDays: number;
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

/** HTTP API with the one route Slack calls, throttled, access-logged, and its URL as a stack output. */
export class SlackIngress extends Construct {
  /** The HTTP API. */
  public readonly api: HttpApi;
  /** The URL to paste into the Slack app (slash command and interactivity). */
  public readonly eventsUrl: string;

  constructor(scope: Construct, id: string, props: SlackIngressProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'Slack ingress of ontap-jit-approvals: POST /slack/events',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: vendedLogGroupName(this, 'apigateway', `${Stack.of(this).stackName}-slack-ingress`),
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
      integration: new HttpLambdaIntegration('SlackEvents', props.handler, { timeout: Duration.seconds(10) }),
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
