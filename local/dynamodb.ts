/** The embedded DynamoDB: dynalite in memory on loopback, with the product's table created. */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { INDEXES, projectionOf, TABLE } from '../lambdas/store/table';

/** A running embedded DynamoDB. */
export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`: where the DynamoDB API is served. */
  readonly endpoint: string;
  /** A client for it (any credentials are accepted). */
  readonly client: DynamoDBClient;
  /** The table the product uses, already created. */
  readonly tableName: string;
  /** Stops the server and the client. */
  close(): Promise<void>;
}

/** A DynamoDB client for a local endpoint; dynalite accepts any credentials. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

/** Starts dynalite on loopback (port 0 = any free port) and creates the table. */
export async function startEmbeddedDynamo(
  options: { port?: number; tableName?: string } = {},
): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const tableName = options.tableName ?? 'ontap-jit-requests';
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  return {
    endpoint,
    client,
    tableName,
    async close() {
      // The server first: it stops taking requests and waits for those in flight to be answered. Destroying
      // the client first would cut them off mid-write, and dynalite would then write to a closed database.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.destroy();
    },
  };
}

/** CreateTable input for the embedded DynamoDB and tests (on-demand, same keys and indexes as AWS). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyAttributes = [TABLE.partitionKey, TABLE.sortKey, ...INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: projectionOf(index),
    })),
  };
}
