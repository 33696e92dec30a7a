/**
 * The local change feed in front of dynalite: the store's writes come out as DynamoDB Streams records
 * (INSERT, MODIFY, REMOVE with the new image), a batch the consumer fails in part is delivered again
 * from its first failure, and a record that keeps failing goes to the dead-letter list.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type EmbeddedDynamo, localDynamoClient, startEmbeddedDynamo } from '../../local/dynamodb';
import { type ChangeFeed, type ChangeRecord, startChangeFeed } from '../../local/dynamodb-change-feed';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(() => dynamo.close());

async function withFeed(
  consume: (records: ChangeRecord[]) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  work: (feed: ChangeFeed, send: ReturnType<typeof localDynamoClient>) => Promise<void>,
): Promise<void> {
  const feed = await startChangeFeed(dynamo.endpoint, { consume, maxAttempts: 3 });
  const client = localDynamoClient(feed.url);
  try {
    await work(feed, client);
  } finally {
    client.destroy();
    await feed.close();
  }
}

test('each accepted write is one record, in order: INSERT, MODIFY, REMOVE; a refused or empty write none', async () => {
  const seen: ChangeRecord[] = [];
  await withFeed(
    async (records) => {
      seen.push(...records);
      return { batchItemFailures: [] };
    },
    async (feed, client) => {
      const TableName = dynamo.tableName;
      const Key = { pk: { S: 'REQ#feed-1' }, sk: { S: 'AUDIT#000000' } };
      await client.send(new PutItemCommand({ TableName, Item: { ...Key, to: { S: 'PENDING' } } }));
      await expect(
        client.send(
          new PutItemCommand({
            TableName,
            Item: { ...Key, to: { S: 'X' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toThrow();
      await client.send(
        new UpdateItemCommand({
          TableName,
          Key,
          UpdateExpression: 'SET #t = :t',
          ExpressionAttributeNames: { '#t': 'to' },
          ExpressionAttributeValues: { ':t': { S: 'APPROVED' } },
        }),
      );
      await client.send(new PutItemCommand({ TableName, Item: { ...Key, to: { S: 'APPROVED' } } }));
      await client.send(new DeleteItemCommand({ TableName, Key }));
      await feed.drain();
    },
  );
  expect(seen.map((r) => [r.eventName, r.dynamodb.NewImage?.to?.S])).toEqual([
    ['INSERT', 'PENDING'],
    ['MODIFY', 'APPROVED'],
    ['REMOVE', undefined],
  ]);
  const sequences = seen.map((r) => r.dynamodb.SequenceNumber);
  expect([...sequences].sort()).toEqual(sequences);
});

test('a writer gets the answer it asked for (old image only when asked); writes to one item at once keep their order', async () => {
  const seen: ChangeRecord[] = [];
  await withFeed(
    async (records) => {
      seen.push(...records);
      return { batchItemFailures: [] };
    },
    async (feed, client) => {
      const TableName = dynamo.tableName;
      const Key = { pk: { S: 'REQ#feed-2' }, sk: { S: 'AUDIT#000000' } };
      const first = await client.send(new PutItemCommand({ TableName, Item: { ...Key, to: { S: 'PENDING' } } }));
      expect(first.Attributes).toBeUndefined();
      const second = await client.send(new PutItemCommand({ TableName, Item: { ...Key, to: { S: 'APPROVED' } } }));
      expect(second.Attributes).toBeUndefined();
      const asked = await client.send(
        new PutItemCommand({ TableName, Item: { ...Key, to: { S: 'ACTIVE' } }, ReturnValues: 'ALL_OLD' }),
      );
      expect(asked.Attributes?.to).toEqual({ S: 'APPROVED' });
      // Sent together: each write's record carries its own image, in the order the writes were made.
      const states = ['REVOKED', 'EXPIRED', 'FAILED'];
      await Promise.all(
        states.map((to) => client.send(new PutItemCommand({ TableName, Item: { ...Key, to: { S: to } } }))),
      );
      await feed.drain();
      const images = seen.map((r) => r.dynamodb.NewImage?.to?.S);
      expect(images.slice(0, 3)).toEqual(['PENDING', 'APPROVED', 'ACTIVE']);
      expect([...images.slice(3)].sort()).toEqual([...states].sort());
      const stored = await client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }));
      expect(stored.Item?.to?.S).toBe(images.at(-1));
      expect(seen.map((r) => r.eventName)).toEqual(['INSERT', ...Array(5).fill('MODIFY')]);
    },
  );
});

test('a failed record is delivered again with the ones after it; one never succeeding is dead-lettered', async () => {
  const deliveries = new Map<string, number>();
  await withFeed(
    async (records) => {
      for (const r of records)
        deliveries.set(r.dynamodb.Keys.sk?.S ?? '', (deliveries.get(r.dynamodb.Keys.sk?.S ?? '') ?? 0) + 1);
      const poison = records.find((r) => r.dynamodb.Keys.sk?.S === 'AUDIT#000001');
      const flaky = records.find((r) => r.dynamodb.Keys.sk?.S === 'AUDIT#000002');
      const failures = [poison, flaky && deliveries.get('AUDIT#000002') === 1 ? flaky : undefined]
        .filter((r) => r !== undefined)
        .map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber }));
      return { batchItemFailures: failures };
    },
    async (feed, client) => {
      for (const seq of ['000000', '000001', '000002']) {
        await client.send(
          new PutItemCommand({
            TableName: dynamo.tableName,
            Item: { pk: { S: 'REQ#feed-2' }, sk: { S: `AUDIT#${seq}` } },
          }),
        );
      }
      await feed.drain();
      expect(feed.deadLetters.map((r) => r.dynamodb.Keys.sk?.S)).toEqual(['AUDIT#000001']);
    },
  );
  expect(deliveries.get('AUDIT#000000')).toBeGreaterThanOrEqual(1);
  expect(deliveries.get('AUDIT#000001')).toBeGreaterThanOrEqual(3);
  expect(deliveries.get('AUDIT#000002')).toBeGreaterThanOrEqual(2);
});
