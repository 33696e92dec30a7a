import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
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
  it('bills a put by the started kilobyte, as the table reports it, and an index write on top', async () => {
    const { dynamo } = db();
    const meter = new CapacityMeter(dynamo.client);
    try {
      const item: Record<string, AttributeValue> = { pk: { S: 'X#1' }, sk: { S: 'X' }, pad: { S: 'p'.repeat(2500) } };
      const out = await dynamo.client.send(
        new PutItemCommand({ TableName: dynamo.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      );
      expect(meter.total.wru).toBe(out.ConsumedCapacity?.CapacityUnits);
      expect(meter.total.wru).toBe(3);

      // In the by-requester index too: the table's write and the index's.
      const indexed = { ...item, pk: { S: 'X#2' }, gsi1pk: { S: 'USER#U1' }, gsi1sk: { S: '2026#X' } };
      await dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item: indexed }));
      expect(meter.total.wru).toBe(3 + 2 * 3);
    } finally {
      meter.stop();
    }
  });

  it('meters the store: a new request is its item, its two index entries and its first audit event; a consistent read is 4 KB a unit', async () => {
    const { dynamo } = db();
    const store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 86_400 });
    const meter = new CapacityMeter(dynamo.client);
    try {
      const request = pendingRequest();
      await store.create(request, request.requester.slackUserId);
      // The item, by-requester, the keys-only pending-by-policy entry, the audit event.
      expect(meter.byOperation.PutItem?.wru).toBe(4);
      await store.get(request.id);
      expect(meter.byOperation.GetItem).toEqual({ rru: 1, wru: 0 });
      // An update while it waits leaves its keys-only entry as it is: the item and by-requester only.
      await store.setToken(request.id, 'approval', 'token', ['PENDING']);
      expect(meter.byOperation.PutItem?.wru).toBe(6);
      // Leaving the wait removes the entry: 1 WRU besides the item, its by-requester entry, its new
      // needs-attention entry (an approval the workflow must pick up) and the audit event.
      const units = async () => {
        const key = { pk: { S: `REQ#${request.id}` }, sk: { S: 'REQUEST' } };
        const out = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: key }));
        return Math.ceil(itemSize(out.Item ?? {}) / 1024);
      };
      const before = await units();
      await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: request.createdAt });
      const after = await units();
      expect((meter.byOperation.PutItem?.wru ?? 0) - 6).toBe(Math.max(before, after) + after + after + 1 + 1);
    } finally {
      meter.stop();
    }
  });
});
