/**
 * The alarms can reach someone on AWS: the topic's own policy (from enforceSSL) replaces SNS's
 * default one, so CloudWatch must be let in explicitly, on the topic and on its key, and only for
 * this account's alarms.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { countMetric, publishMetrics } from '../../../lambdas/runtime/logger';
import { BREAK_GLASS_METRICS, METRIC_NAMESPACE } from '../../../lambdas/runtime/metrics';
import { sinkMetrics } from '../../../local/local-logger';
import { synthJit } from '../../support/cdk';

const plain = synthJit();
const ACCOUNT = { Ref: 'AWS::AccountId' };
const ownAlarms = {
  StringEquals: { 'aws:SourceAccount': ACCOUNT },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', ACCOUNT, ':alarm:*'],
      ],
    },
  },
};

describe('the alarm topic', () => {
  it('lets CloudWatch publish, for this account’s alarms only', () => {
    plain.appTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^AlarmsTopic') },
            Condition: ownAlarms,
          }),
        ]),
      },
    });
  });

  it('still refuses publishing without TLS', () => {
    plain.appTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch use the topic’s key with the same conditions, and no wider', () => {
    type Key = { Properties: { KeyPolicy: { Statement: Record<string, unknown>[] } } };
    const keys = plain.appTemplate.findResources('AWS::KMS::Key') as Record<string, Key>;
    const statements = Object.values(keys).flatMap((k) => k.Properties.KeyPolicy.Statement);
    const forCloudWatch = statements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: ownAlarms,
      }),
    ]);
  });
});

describe('the break-glass alarms', () => {
  const alarmOf = (prefix: string): Record<string, unknown> => {
    const all = plain.appTemplate.findResources('AWS::CloudWatch::Alarm');
    const found = Object.entries(all).find(([logical]) => logical.startsWith(`Alarms${prefix}`));
    if (!found) throw new Error(`no alarm ${prefix}`);
    return (found[1] as { Properties: Record<string, unknown> }).Properties;
  };

  it.each([
    ['BreakGlassUsed', BREAK_GLASS_METRICS.used, /granted without approval/],
    ['BreakGlassUnreviewed', BREAK_GLASS_METRICS.unreviewed, /not reviewed in time/],
  ])('%s pages on one datapoint of the metric the functions publish', (id, metricName, description) => {
    const lines: Record<string, unknown>[] = [];
    const metrics = sinkMetrics((line) => lines.push(JSON.parse(line) as Record<string, unknown>), 'test');
    countMetric(metrics, metricName, 1);
    publishMetrics(metrics);
    const emf = lines[0]?._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    const published = emf.CloudWatchMetrics[0];
    expect(published).toMatchObject({ Namespace: METRIC_NAMESPACE, Metrics: [{ Name: id }] });
    expect(alarmOf(id)).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: id,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(description),
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
    });
    expect(alarmOf(id).Dimensions).toBeUndefined();
  });
});
