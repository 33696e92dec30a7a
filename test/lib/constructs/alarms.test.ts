/**
 * The alarms can reach someone on AWS: the topic's own policy (from enforceSSL) replaces SNS's
 * default one, so CloudWatch must be let in explicitly, on the topic and on its key, and only for
 * this account's alarms.
 */
import { Match } from 'aws-cdk-lib/assertions';
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
