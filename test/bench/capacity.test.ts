import { type AttributeValue, BatchGetItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CapacityMeter, itemSize } from '../../bench/capacity';
import { RequestStore } from '../../lambdas/store/requests';
import { useDynamo } from '../support/dynamo';
import { pendingRequest } from '../support/requests';

const db = useDynamo();

// dynalite's own item size, the one it reports ConsumedCapacity with.
const { itemSize: dynaliteItemSize } = require('dynalite/db') as {
  itemSize: (item: Record<string, AttributeValue>) => number;
};

const WIRE: Record<string, AttributeValue> = {
  pk: { S: 'REQ#JIT-ABC' },
  sk: { S: 'REQUEST' },
  version: { N: '12' },
  big: { N: '-1234567.891' },
  ok: { BOOL: true },
  none: { NULL: true },
  list: { L: [{ S: 'a' }, { N: '1' }, { M: { x: { S: 'yz' } } }] },
  map: { M: { inner: { M: { deep: { S: 'e' } } }, n: { N: '0' } } },
};
const PLAIN = {
  pk: 'REQ#JIT-ABC',
  sk: 'REQUEST',
  version: 12,
  big: -1234567.891,
  ok: true,
  none: null,
  list: ['a', 1, { x: 'yz' }],
  map: { inner: { deep: 'e' }, n: 0 },
};

describe('DynamoDB item size', () => {
  it('counts an item on the wire as DynamoDB (and dynalite) does', () => {
    expect(itemSize(WIRE)).toBe(dynaliteItemSize(WIRE));
  });

  it('counts the same item handed over by the document client the same way', () => {
    expect(itemSize(PLAIN)).toBe(itemSize(WIRE));
  });

  it('counts strings in UTF-8 bytes (dynalite counts UTF-16 units)', () => {
    expect(itemSize({ pk: { S: 'Ä' }, sk: { S: 'é' } })).toBe(2 + 2 + 2 + 2);
    expect(itemSize({ pk: 'Ä', sk: 'é' })).toBe(8);
  });
});

describe('the capacity meter', () => {
  it('bills a put by the started kilobyte, as the table reports it, and an index entry by what the index projects', async () => {
    const { dynamo } = db();
    const meter = new CapacityMeter(dynamo.client);
    try {
      const item: Record<string, AttributeValue> = { pk: { S: 'X#1' }, sk: { S: 'X' }, pad: { S: 'p'.repeat(2500) } };
      const out = await dynamo.client.send(
        new PutItemCommand({ TableName: dynamo.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      );
      expect(meter.total.wru).toBe(out.ConsumedCapacity?.CapacityUnits);
      expect(meter.total.wru).toBe(3);

      // In the by-requester index too: the table's write, and the index's entry, which holds its keys alone
      // (the by-requester index does not project `pad`).
      const indexed = { ...item, pk: { S: 'X#2' }, gsi1pk: { S: 'USER#U1' }, gsi1sk: { S: '2026#X' } };
      await dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item: indexed }));
      expect(meter.total.wru).toBe(3 + 3 + 1);

      // A projected attribute of 2.5 KB makes the index entry 3 units.
      const projected = { ...indexed, pk: { S: 'X#3' }, justification: { S: 'j'.repeat(2500) } };
      await dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item: projected }));
      expect(meter.total.wru).toBe(7 + 5 + 3);
    } finally {
      meter.stop();
    }
  });

  it('bills an index nothing when a write leaves its entry as it was, once when it changes it, twice when it moves', async () => {
    const { dynamo } = db();
    const meter = new CapacityMeter(dynamo.client);
    const put = (Item: Record<string, AttributeValue>) =>
      dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item }));
    try {
      const item: Record<string, AttributeValue> = {
        pk: { S: 'Y#1' },
        sk: { S: 'Y' },
        gsi1pk: { S: 'USER#U1' },
        gsi1sk: { S: '2026#Y' },
        status: { S: 'PENDING' },
        tokens: { M: { approval: { S: 't'.repeat(1500) } } },
      };
      await put(item);
      const spent = () => meter.total.wru;
      expect(spent()).toBe(2 + 1);
      // Only the tokens (not projected) change: the table's write alone.
      await put({ ...item, tokens: { M: { approval: { S: 'u'.repeat(1500) } } } });
      expect(spent()).toBe(3 + 2);
      // The status (projected) changes: the table's write and the entry's.
      await put({ ...item, status: { S: 'APPROVED' } });
      expect(spent()).toBe(5 + 2 + 1);
      // The index key changes: the old entry removed, the new one written.
      await put({ ...item, status: { S: 'APPROVED' }, gsi1sk: { S: '2027#Y' } });
      expect(spent()).toBe(8 + 2 + 2);
    } finally {
      meter.stop();
    }
  });

  it('meters the store: a new request is its item, its three index entries (by requester; needs-attention until its workflow records its execution; the keys-only pending-by-policy) and its first audit event; a consistent read is 4 KB a unit', async () => {
    const { dynamo } = db();
    const store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 86_400 });
    const meter = new CapacityMeter(dynamo.client);
    try {
      const request = pendingRequest();
      await store.create(request, request.requester.slackUserId);
      // The item, by-requester, needs-attention, the keys-only pending-by-policy entry, the audit event.
      expect(meter.byOperation.PutItem?.wru).toBe(5);
      await store.get(request.id);
      expect(meter.byOperation.GetItem).toEqual({ rru: 1, wru: 0 });
      // An update while it waits leaves its keys-only and needs-attention entries as they are: the item,
      // and by-requester (its version and time of change are the request's own attributes).
      await store.setToken(request.id, 'approval', 'token', ['PENDING']);
      expect(meter.byOperation.PutItem?.wru).toBe(7);
      // Leaving the wait removes the keys-only entry (1 WRU) besides the item, its by-requester entry,
      // its needs-attention entry moved (filed as unstarted, now an approval the workflow must pick up:
      // the old entry removed and the new one written, a lock-sized entry each) and the audit event.
      const units = async () => {
        const key = { pk: { S: `REQ#${request.id}` }, sk: { S: 'REQUEST' } };
        const out = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: key }));
        return Math.ceil(itemSize(out.Item ?? {}) / 1024);
      };
      const before = await units();
      await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: request.createdAt });
      const after = await units();
      expect((meter.byOperation.PutItem?.wru ?? 0) - 7).toBe(Math.max(before, after) + after + 2 + 1 + 1);
    } finally {
      meter.stop();
    }
  });

  it('bills a consistent batch read by the started 4 KB of each item it returns', async () => {
    const { dynamo } = db();
    const put = (pk: string, size: number) =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: dynamo.tableName,
          Item: { pk: { S: pk }, sk: { S: 'B' }, pad: { S: 'b'.repeat(size) } },
        }),
      );
    await put('B#1', 100);
    await put('B#2', 5000);
    const meter = new CapacityMeter(dynamo.client);
    try {
      const keys = ['B#1', 'B#2', 'B#none'].map((pk) => ({ pk: { S: pk }, sk: { S: 'B' } }));
      await dynamo.client.send(
        new BatchGetItemCommand({ RequestItems: { [dynamo.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      expect(meter.byOperation.BatchGetItem).toEqual({ rru: 1 + 2, wru: 0 });
    } finally {
      meter.stop();
    }
  });
});
