/**
 * The audit archive as deployed: a write-once bucket (Object Lock in compliance mode, versioned,
 * encrypted, private, TLS only, a policy refusing overwrites and deletes to everyone), the table's
 * stream and the writer on it (inserts of audit items only, failures reported per record, retried,
 * then a dead-letter queue with an alarm), the writer's narrow permissions, and the Glue table.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { ARCHIVE_STREAM_FILTER } from '../../../lambdas/archive/stream-records';
import { ARCHIVE_DENIED_ACTIONS } from '../../../lib/constructs/audit-archive';
import { exampleConfigWith, synthJit } from '../../support/cdk';

const jit = synthJit();

type Statement = {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, string>>;
};
const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function bucketPolicy(): Statement[] {
  const policies = jit.dataTemplate.findResources('AWS::S3::BucketPolicy');
  const [policy] = Object.values(policies) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  if (!policy) throw new Error('no bucket policy');
  return policy.Properties.PolicyDocument.Statement;
}

function writerStatements(): Statement[] {
  const policies = jit.appTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AuditArchiveWriterFunctionRole') }] },
  }) as Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }>;
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/**
 * Whether a put by the writer is allowed, as IAM decides: allowed by its role, and not denied by the
 * bucket policy (a Deny with `Null: { s3:if-none-match: true }` matches a put without the header).
 */
function putAllowed(withIfNoneMatch: boolean): boolean {
  const allowed = writerStatements().some((s) => s.Effect === 'Allow' && actionsOf(s).includes('s3:PutObject'));
  const denied = bucketPolicy().some((s) => {
    if (s.Effect !== 'Deny' || !actionsOf(s).some((a) => a === 's3:PutObject' || a === 's3:*')) return false;
    const nullCheck = s.Condition?.Null?.['s3:if-none-match'];
    if (nullCheck === 'true') return !withIfNoneMatch;
    return s.Condition === undefined;
  });
  return allowed && !denied;
}

describe('the archive bucket', () => {
  it('locks every object in compliance mode for archiveRetention, and is versioned and retained', () => {
    jit.dataTemplate.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1100 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });

  it('takes its retention from the configuration', () => {
    const longer = synthJit({ configText: exampleConfigWith([[['archiveRetention'], '2555d']]) });
    longer.dataTemplate.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
    });
  });

  it('is encrypted and blocks every kind of public access', () => {
    jit.dataTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('refuses every request without TLS', () => {
    expect(bucketPolicy()).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('refuses deletes, retention changes and governance bypass to everyone', () => {
    const denied = bucketPolicy().find((s) => s.Effect === 'Deny' && actionsOf(s).includes('s3:DeleteObject'));
    expect(denied).toEqual(expect.objectContaining({ Principal: { AWS: '*' } }));
    expect(actionsOf(denied as Statement).sort()).toEqual([...ARCHIVE_DENIED_ACTIONS].sort());
    expect(denied?.Condition).toBeUndefined();
  });

  it('refuses an overwrite by the writer: only a put with If-None-Match passes, refused by S3 on a taken key', () => {
    expect(putAllowed(true)).toBe(true);
    expect(putAllowed(false)).toBe(false);
  });
});

describe('the writer', () => {
  it('may only put and read archived events: no delete, no retention, no listing, nothing outside audit/', () => {
    const s3 = writerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':s3:::ontap-jit-audit-',
              { Ref: 'AWS::AccountId' },
              '-',
              { Ref: 'AWS::Region' },
              '/audit/*',
            ],
          ],
        },
      }),
    ]);
    const all = writerStatements().flatMap(actionsOf);
    expect(all.filter((a) => /^s3:(Delete|PutObjectRetention|PutObjectLegalHold|Bypass|\*)/.test(a))).toEqual([]);
    // On the table: reading its stream, nothing else (no item read or write).
    const streamRead = [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ];
    expect(all.filter((a) => a.startsWith('dynamodb:') && !streamRead.includes(a))).toEqual([]);
  });

  it('reads the table stream of new images, inserts of audit items only, reporting failures per record', () => {
    jit.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    jit.appTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^AuditArchiveWriterFunction') },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(ARCHIVE_STREAM_FILTER) }] },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditArchiveWriterDeadLetters'), 'Arn'] } },
      },
    });
  });

  it('has an encrypted dead-letter queue, and an alarm on it that pages', () => {
    jit.appTemplate.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    jit.appTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditArchiveWriterDeadLetters'), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

  it('alarms on an archive conflict (an audit item altered in the table) and on a writer falling behind', () => {
    jit.appTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'OntapJitApprovals',
      MetricName: 'ArchiveConflicts',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
    jit.appTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });
});

describe('Athena', () => {
  it('has a Glue table over audit/ with partition projection on date, so no crawler is needed', () => {
    jit.dataTemplate.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'ontap_jit_audit',
      TableInput: Match.objectLike({
        Name: 'events',
        PartitionKeys: [{ Name: 'date', Type: 'string' }],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
        }),
        StorageDescriptor: Match.objectLike({
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        }),
      }),
    });
  });

  it('names the bucket in a stack output for operators', () => {
    jit.dataTemplate.hasOutput('*', { Description: Match.stringLikeRegexp('AUDIT_ARCHIVE_BUCKET') });
  });
});
