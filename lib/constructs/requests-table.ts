/** The requests table: the one table of DESIGN.md, built from the same definition the local stack uses. */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INDEXES, TABLE } from '../../lambdas/store/table';

/** Properties of the requests table. */
export interface RequestsTableProps {
  /**
   * What happens to the table when the stack is deleted: the audit trail is a record, so it stays.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable while set.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Customer-managed KMS key; AWS-managed encryption when absent.
   * @default AWS managed key
   */
  readonly encryptionKey?: IKey;
}

/**
 * On-demand, point-in-time-recoverable, encrypted table with TTL, its indexes from `lambdas/store/table.ts`,
 * and a stream of new images: the audit archive's writer reads the audit items inserted (audit-archive.ts).
 */
export class RequestsTable extends Construct {
  /** The table. */
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: RequestsTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: TABLE.ttlAttribute,
      stream: StreamViewType.NEW_IMAGE,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.projects.length === 0
          ? { projectionType: ProjectionType.KEYS_ONLY }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projects] }),
      });
    }
  }
}

/** A DynamoDB action the product's functions use on the table (lambdas/store/ sends no other). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query';

/** What one function may do on the requests table. */
export interface TableAccess {
  /**
   * Actions on the table's items.
   * @default none
   */
  readonly items?: readonly TableAction[];
  /**
   * Indexes the function queries (`dynamodb:Query` on each, by name).
   * @default none
   */
  readonly queryIndexes?: readonly string[];
}

/**
 * Grants exactly `access` on `table`, naming every resource: the table for item actions, each index
 * by name for queries (where `table.grant` would add `<table>/index/*`).
 */
export function grantTableAccess(table: ITable, grantee: IGrantable, access: TableAccess): void {
  if (access.items?.length)
    Grant.addToPrincipal({ grantee, actions: [...access.items], resourceArns: [table.tableArn] });
  if (access.queryIndexes?.length) {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: access.queryIndexes.map((index) => `${table.tableArn}/index/${index}`),
    });
  }
}
