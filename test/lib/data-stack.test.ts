import { Match } from 'aws-cdk-lib/assertions';
import { INDEXES, projectionOf, TABLE } from '../../lambdas/store/table';
import { exampleConfigWith, synthJit } from '../support/cdk';

const { dataTemplate: template } = synthJit();

describe('the requests table', () => {
  it('is on-demand, point-in-time recoverable, encrypted, with TTL on expiresAt', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
    });
    expect(TABLE.ttlAttribute).toBe('expiresAt');
  });

  it('survives the stack: deletion protection on, retained on delete and on replacement', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has every index of lambdas/store/table.ts, projecting everything but the keys-only pending index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: INDEXES.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: projectionOf(index) },
      })),
    });
    expect(INDEXES.map((i) => [i.indexName, projectionOf(i)])).toEqual([
      ['by-requester', 'ALL'],
      ['active-by-end', 'ALL'],
      ['needs-attention', 'ALL'],
      ['pending-by-policy', 'KEYS_ONLY'],
    ]);
  });
});

describe('the secrets', () => {
  it('hold no value in the template (a random placeholder until the operator puts the real one) and are retained', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const name of ['ontap-jit-approvals/slack', 'ontap-jit-approvals/cluster1']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({ Name: name, SecretString: Match.absent(), GenerateSecretString: {} }),
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('reference a cluster secret given by ARN instead of creating one', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:storage/cluster1-AbCdEf';
    const { dataTemplate, appTemplate } = synthJit({
      configText: exampleConfigWith([[['clusters', 0, 'credentials', 'secret'], arn]]),
    });
    dataTemplate.resourceCountIs('AWS::SecretsManager::Secret', 1);
    appTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: Match.arrayWith([arn]) }),
        ]),
      },
    });
  });
});
