import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  conditionalWrite,
  queryAll,
  queryPage,
  type StoreContext,
  storeContext,
  writeIf,
} from '../../lambdas/store/context';
import { byRequester } from '../../lambdas/store/index-queries';
import { TABLE } from '../../lambdas/store/table';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();

/** A context on the test table, and the ids of `count` requests made by `slackUserId`, oldest first. */
async function seeded(slackUserId: string, count: number): Promise<{ context: StoreContext; ids: string[] }> {
  const { store, dynamo } = ctx();
  const requester = { slackUserId, ontapAccount: slackUserId.toLowerCase() };
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await store.create(pendingRequest({ requester, createdAt: at(i) }))).id);
  return { context: storeContext({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 60 }), ids };
}

describe('store context', () => {
  it('queryAll reads every page of a query, in order', async () => {
    const { store } = ctx();
    const { context, ids } = await seeded('U0PAGED', 5);
    const items = await queryAll(context, {
      IndexName: TABLE.byRequester.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.byRequester.partitionKey },
      ExpressionAttributeValues: { ':pk': 'USER#U0PAGED' },
      // Two to a page, so five items take three pages.
      Limit: 2,
    });
    expect(items.map((i) => i.id)).toEqual(ids);
    // The per-person limit counts every open request, however many pages they take.
    expect(await store.listOpenByRequester('U0PAGED')).toHaveLength(5);
  });

  it('writeIf turns a failed condition into false and lets every other failure through', async () => {
    const failed = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    await expect(writeIf(() => Promise.resolve())).resolves.toBe(true);
    await expect(writeIf(() => Promise.reject(failed))).resolves.toBe(false);
    await expect(writeIf(() => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
  });

  it('queryPage reads one page and says where the next starts, and nothing after the last', async () => {
    const { context, ids } = await seeded('U0PAGE1', 3);
    const query = { ...byRequester('U0PAGE1'), Limit: 2 };
    const first = await queryPage(context, query);
    expect(first.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(first.next).toBeDefined();
    const second = await queryPage(context, query, first.next);
    expect(second.items.map((i) => i.id)).toEqual(ids.slice(2));
    // DynamoDB may hand back an empty last page; whatever it does, paging ends without losing an item.
    const rest = second.next ? await queryPage(context, query, second.next) : { items: [], next: undefined };
    expect(rest.items).toEqual([]);
    expect(rest.next).toBeUndefined();
  });

  it('conditionalWrite puts, updates and deletes only while the condition holds', async () => {
    const { dynamo } = ctx();
    const context = storeContext({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 60 });
    const key = { pk: 'TEST#conditional', sk: 'ITEM' };
    const read = async () =>
      (await context.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: key, ConsistentRead: true }))).Item;
    const absent = 'attribute_not_exists(pk)';
    expect(await conditionalWrite(context, { put: { ...key, owner: 'a', n: 1 }, condition: absent })).toBe(true);
    // A second put under the same condition loses, and the first item stays as it was.
    expect(await conditionalWrite(context, { put: { ...key, owner: 'b', n: 9 }, condition: absent })).toBe(false);
    expect(await read()).toEqual({ ...key, owner: 'a', n: 1 });

    const ownedBy = (who: string) => ({
      condition: '#owner = :me',
      names: { '#owner': 'owner' },
      values: { ':me': who },
    });
    const bump = (who: string) => {
      const owned = ownedBy(who);
      return { key, update: 'SET n = n + :one', ...owned, values: { ...owned.values, ':one': 1 } };
    };
    expect(await conditionalWrite(context, bump('b'))).toBe(false);
    expect(await conditionalWrite(context, bump('a'))).toBe(true);
    expect(await read()).toEqual({ ...key, owner: 'a', n: 2 });

    expect(await conditionalWrite(context, { key, remove: true, ...ownedBy('b') })).toBe(false);
    expect(await read()).toBeDefined();
    expect(await conditionalWrite(context, { key, remove: true, ...ownedBy('a') })).toBe(true);
    expect(await read()).toBeUndefined();
    // An update of an item that is gone fails its condition rather than creating a half item.
    expect(await conditionalWrite(context, bump('a'))).toBe(false);
    expect(await read()).toBeUndefined();
  });

  it('conditionalWrite throws what is not a failed condition, and writes nothing', async () => {
    const { dynamo } = ctx();
    const context = storeContext({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 60 });
    const key = { pk: 'TEST#invalid', sk: 'ITEM' };
    // A value the condition names but the write does not give is refused by DynamoDB's validation.
    await expect(conditionalWrite(context, { put: { ...key, n: 1 }, condition: 'n = :missing' })).rejects.toThrow();
    const out = await context.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: key, ConsistentRead: true }));
    expect(out.Item).toBeUndefined();
  });
});
