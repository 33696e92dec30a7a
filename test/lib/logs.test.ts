/**
 * The logs AWS services deliver: the state machine's and the HTTP API's log groups are named under
 * /aws/vendedlogs/ (so their delivery never has to grow the account's size-limited CloudWatch Logs
 * resource policy), and the API's access log is built from HTTP API variables.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { HTTP_API_ACCESS_LOG_FIELDS } from '../../lib/constructs/slack-ingress';
import { synthJit } from '../support/cdk';

type LogGroup = { Properties: { LogGroupName?: unknown; RetentionInDays?: number }; DeletionPolicy?: string };
const plain = synthJit();
const groups = plain.appTemplate.findResources('AWS::Logs::LogGroup') as Record<string, LogGroup>;
const nameOf = (prefix: string): string => {
  const found = Object.entries(groups).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no log group ${prefix}`);
  return JSON.stringify(found[1].Properties.LogGroupName);
};
const WORKFLOW_LOGS = Match.stringLikeRegexp('^WorkflowLogs');
/** The stack's creation id: `Fn::Select` 2 of the stack ARN split on `/`. */
const STACK_UUID = JSON.stringify({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });

describe('vended log groups', () => {
  it('names the state machine’s log group /aws/vendedlogs/states/<state machine>-<stack id>', () => {
    const name = nameOf('WorkflowLogs');
    expect(name).toContain('"/aws/vendedlogs/states/OntapJitApp-workflow-"');
    expect(name).toContain(STACK_UUID);
    plain.appTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [WORKFLOW_LOGS, 'Arn'] } } }],
      },
    });
  });

  it('names the HTTP API’s access log group /aws/vendedlogs/apigateway/<stack>-slack-ingress-<stack id>', () => {
    const name = nameOf('SlackIngressAccessLogs');
    expect(name).toContain('"/aws/vendedlogs/apigateway/OntapJitApp-slack-ingress-"');
    expect(name).toContain(STACK_UUID);
  });

  it('keeps both groups, with the configured retention, when the stack goes', () => {
    for (const prefix of ['WorkflowLogs', 'SlackIngressAccessLogs']) {
      const group = Object.entries(groups).find(([id]) => id.startsWith(prefix))?.[1];
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 90 } });
    }
  });
});

describe('the HTTP API access log', () => {
  type Stage = { Properties: { AccessLogSettings: { Format: string } } };
  const stages = plain.appTemplate.findResources('AWS::ApiGatewayV2::Stage') as Record<string, Stage>;
  const format = Object.values(stages)[0]?.Properties.AccessLogSettings.Format;

  it('is one JSON object per request, of HTTP API variables only', () => {
    expect(JSON.parse(format ?? '')).toEqual(HTTP_API_ACCESS_LOG_FIELDS);
    const expected = ['$context.requestId', '$context.routeKey', '$context.status', '$context.integrationErrorMessage'];
    for (const variable of expected) expect(format).toContain(variable);
  });

  it('uses none of the REST API’s variables', () => {
    const used = new Set(format?.match(/\$context\.[A-Za-z.]+/g) ?? []);
    const restOnly = [
      '$context.resourcePath',
      '$context.identity.caller',
      '$context.identity.user',
      '$context.resourceId',
    ];
    for (const rest of restOnly) expect(used.has(rest)).toBe(false);
  });
});
