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
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
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
  | 'dynamodb:Query'
  | 'dynamodb:Scan';

/**
 * The partition key prefixes of the table's item types (lambdas/store/table.ts): requests with their audit
 * items (`REQ#`), grant locks (`LOCK#`), the reconciler's cursor (`RECONCILER`), `/jit audit` claims (`EXPORT#`),
 * the drift the reconciler found on a cluster (`DRIFT#`).
 */
export const ITEM_KEYS = {
  requests: 'REQ#*',
  locks: 'LOCK#*',
  cursor: 'RECONCILER',
  exports: 'EXPORT#*',
  drift: 'DRIFT#*',
} as const;

/** The partition key prefix of one item type. */
export type ItemKey = (typeof ITEM_KEYS)[keyof typeof ITEM_KEYS];

/** Actions on the items whose partition key matches one of `keys` (IAM's dynamodb:LeadingKeys). */
export interface ItemAccess {
  readonly actions: readonly TableAction[];
  readonly keys: readonly ItemKey[];
}

/** An index the function queries, and the partition key values it may query (dynamodb:LeadingKeys). */
export interface IndexAccess {
  readonly index: string;
  readonly keys: readonly string[];
}

/** What one function may do on the requests table. */
export interface TableAccess {
  /**
   * Actions on the table's items, each on the item types named.
   * @default none
   */
  readonly items?: readonly ItemAccess[];
  /**
   * Indexes the function queries (`dynamodb:Query` on each, by name, on the partitions named).
   * @default none
   */
  readonly queryIndexes?: readonly IndexAccess[];
  /**
   * Scans the table (the audit export): on every partition, as a Scan names none.
   * @default false
   */
  readonly scan?: boolean;
}

/**
 * Grants exactly `access` on `table`, naming every resource (the table for item actions, each index by
 * name for queries, where `table.grant` would add `<table>/index/*`) and every partition: a statement
 * per item type, conditioned on `dynamodb:LeadingKeys`, so a role that writes requests cannot write a
 * grant lock and one that holds no lock rights cannot delete anything.
 */
export function grantTableAccess(table: ITable, grantee: IGrantable, access: TableAccess): void {
  for (const { actions, keys } of access.items ?? []) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...actions], resources: [table.tableArn], conditions: leading(keys) }),
    );
  }
  if (access.scan) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
    );
  }
  for (const { index, keys } of access.queryIndexes ?? []) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${index}`],
        conditions: leading(keys),
      }),
    );
  }
}

function leading(keys: readonly string[]): Record<string, unknown> {
  // ForAllValues: every partition key the request names must match (a BatchGetItem names several).
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...keys] } };
}
