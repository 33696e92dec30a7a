/**
 * The audit archive: every audit event copied from the table's stream to a write-once bucket.
 *
 * AuditArchive (data stack, retained): the bucket, with Object Lock in compliance mode for
 * `archiveRetention`, versioned, encrypted, private, TLS only, and a policy that refuses any put without
 * `If-None-Match` (so nothing, the writer included, can replace an archived object with a new version)
 * and every delete, retention change or governance bypass, to everyone. The Glue database and table let
 * Athena query the JSON lines at once (partition projection on `date`, no crawler).
 *
 * AuditArchiveWriter (app stack): the writer function on the table's stream (inserts of audit items
 * only, by an event filter), reporting failed records one by one, retried, then sent to a dead-letter
 * queue; alarms on that queue, on an archive conflict and on a writer falling behind.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX } from '../../lambdas/archive/layout';
import { ARCHIVE_METRICS } from '../../lambdas/archive/metrics';
import { ARCHIVE_STREAM_FILTER } from '../../lambdas/archive/stream-records';
import { METRIC_NAMESPACE } from '../../lambdas/runtime/metrics';
import { JitFunction } from './jit-function';

/** Object actions refused to every principal: an archived event is never deleted, unlocked or shortened. */
export const ARCHIVE_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
] as const;

/**
 * The archive bucket's name, one per account and region (as the stacks are): both stacks derive it, so
 * the writer's grant names the bucket without a cross-stack reference.
 */
export function archiveBucketName(): string {
  return `ontap-jit-audit-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** Properties of the archive bucket. */
export interface AuditArchiveProps {
  /** Seconds each archived event is locked (the configuration's `archiveRetention`, whole days). */
  readonly retentionSeconds: number;
}

/** The archive bucket, its policy, and the Glue table Athena queries. */
export class AuditArchive extends Construct {
  /** The bucket (AUDIT_ARCHIVE_BUCKET). */
  public readonly bucket: Bucket;
  /** The Glue table over `audit/`, partitioned by `date`. */
  public readonly glueTable: CfnTable;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: archiveBucketName(),
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.retentionSeconds / 86_400)),
      versioned: true,
      // S3-managed keys: every reader is in this account, and a KMS key would bill each put and get.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const objects = this.bucket.arnForObjects('*');
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyPutWithoutIfNoneMatch',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        // A put that may replace a key would make a new version on top of the locked one: only creates pass.
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyDeleteAndUnlock',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...ARCHIVE_DENIED_ACTIONS],
        resources: [objects],
      }),
    );
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'Every object is written once by the archive writer and can be neither deleted nor replaced; reads are ' +
        'audited by CloudTrail data events where the account enables them, without a second bucket to keep.',
    });

    const database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: 'ontap_jit_audit', description: 'ontap-jit-approvals audit archive' },
    });
    const location = `s3://${this.bucket.bucketName}/${ARCHIVE_PREFIX}`;
    this.glueTable = new CfnTable(this, 'Events', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: 'ontap_jit_audit',
      tableInput: {
        name: 'events',
        description: 'One audit event per row (lambdas/archive/layout.ts)',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'date', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2024-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${location}date=\${date}/`,
        },
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns: [
            { name: 'requestid', type: 'string' },
            { name: 'seq', type: 'int' },
            { name: 'at', type: 'string' },
            { name: 'type', type: 'string' },
            { name: 'actor', type: 'string' },
            { name: 'from', type: 'string' },
            { name: 'to', type: 'string' },
            { name: 'detail', type: 'string' },
          ],
        },
      },
    });
    this.glueTable.node.addDependency(database);
    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'The audit archive bucket (AUDIT_ARCHIVE_BUCKET)',
    });
  }
}

/** The writer's objects as cdk-nag writes them in a finding. */
const NAG_OBJECTS = `arn:<AWS::Partition>:s3:::ontap-jit-audit-<AWS::AccountId>-<AWS::Region>/${ARCHIVE_PREFIX}*`;

/** Properties of the archive writer. */
export interface AuditArchiveWriterProps {
  /** The requests table, with its stream (NEW_IMAGE). */
  readonly table: ITable;
  /** The archive bucket. */
  readonly bucket: IBucket;
  /** Where the alarms publish. */
  readonly alarmTopic: ITopic;
  /** Days to keep the writer's logs. */
  readonly logRetentionDays: number;
}

/** The writer on the table's stream, its dead-letter queue and alarms. */
export class AuditArchiveWriter extends Construct {
  /** The writer function (lambdas/handlers/archive-writer.ts). */
  public readonly fn: IFunction;
  /** Records that failed every retry (their stream positions, to replay). */
  public readonly deadLetterQueue: Queue;
  /** The alarms, by short name. */
  public readonly alarms: Readonly<Record<'deadLetters' | 'conflicts' | 'behind', Alarm>>;

  constructor(scope: Construct, id: string, props: AuditArchiveWriterProps) {
    super(scope, id);
    const { fn } = new JitFunction(this, 'Function', {
      handler: 'archive-writer',
      description: 'Copies each audit event from the table stream to the write-once audit archive bucket',
      timeout: Duration.seconds(60),
      environment: { AUDIT_ARCHIVE_BUCKET: props.bucket.bucketName },
      logRetentionDays: props.logRetentionDays,
    });
    const objects = props.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`);
    // Create only (the bucket policy refuses a put without If-None-Match); the read is what compares a
    // redelivered event with the one archived under its key. No delete, no retention, no listing.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }));

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [FilterCriteria.filter(ARCHIVE_STREAM_FILTER as unknown as Record<string, unknown>)],
      }),
    );
    this.fn = fn;
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams (added by the stream event source) has no resource-level permission; ' +
          'reading the stream itself is granted on the table stream ARN only.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${NAG_OBJECTS}]`,
        reason: 'The writer puts (create only) and reads one object per audit event under audit/*, the layout prefix.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter destination of the stream event source; it needs none of its own.',
      },
    );

    const action = new SnsAction(props.alarmTopic);
    const make = (name: string, alarm: ConstructorParameters<typeof Alarm>[2]): Alarm => {
      const made = new Alarm(this, name, alarm);
      made.addAlarmAction(action);
      return made;
    };
    this.alarms = {
      deadLetters: make('DeadLettersAlarm', {
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'Audit events were not archived after every retry: replay them from the dead-letter queue',
      }),
      conflicts: make('ConflictsAlarm', {
        metric: new Metric({
          namespace: METRIC_NAMESPACE,
          metricName: ARCHIVE_METRICS.conflicts,
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'An audit item in the table differs from its archived copy: the table was altered',
      }),
      behind: make('IteratorAgeAlarm', {
        metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: Duration.hours(1).toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'The archive writer is more than an hour behind the table stream',
      }),
    };
  }
}
