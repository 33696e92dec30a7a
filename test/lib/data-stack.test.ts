import { Match } from 'aws-cdk-lib/assertions';
import { INDEXES, projectionOf, REQUEST_ATTRIBUTES, TABLE } from '../../lambdas/store/table';
import { createTableInput } from '../../local/dynamodb';
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

  it('has every index of lambdas/store/table.ts, each projecting what its queries read, as the local table has', () => {
    const local = createTableInput('ontap-jit-requests').GlobalSecondaryIndexes ?? [];
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: INDEXES.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: projectionOf(index),
      })),
    });
    expect(local.map((i) => [i.IndexName, i.Projection])).toEqual(INDEXES.map((i) => [i.indexName, projectionOf(i)]));
    expect(INDEXES.map((i) => [i.indexName, projectionOf(i).ProjectionType])).toEqual([
      ['by-requester', 'INCLUDE'],
      ['active-by-end', 'INCLUDE'],
      ['needs-attention', 'INCLUDE'],
      ['pending-by-policy', 'KEYS_ONLY'],
    ]);
  });

  it('keeps the history, task tokens and repair flags out of the request indexes, and every request attribute in', () => {
    for (const index of [TABLE.byRequester, TABLE.activeByEnd]) {
      expect(index.projects).toEqual(REQUEST_ATTRIBUTES);
      expect(index.projects).toEqual(expect.arrayContaining(['id', 'version', 'status', 'requester', 'window']));
      for (const storeOnly of ['history', 'tokens', 'repair', 'auditRepair', 'notifyRepair', 'expiresAt'])
        expect(index.projects).not.toContain(storeOnly);
    }
    // The needs-attention index holds a lock's attributes; a due request is read whole from the table.
    expect(TABLE.needsAttention.projects).toEqual([
      'requestId',
      'until',
      'cluster',
      'svmUuid',
      'account',
      'application',
    ]);
    // DynamoDB refuses more than 100 projected non-key attributes over all of a table's indexes.
    expect(INDEXES.reduce((n, i) => n + i.projects.length, 0)).toBeLessThanOrEqual(100);
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
