import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { queryAll, storeContext, writeIf } from '../../lambdas/store/context';
import { TABLE } from '../../lambdas/store/table';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();

describe('store context', () => {
  it('queryAll reads every page of a query, in order', async () => {
    const { store, dynamo } = ctx();
    const requester = { slackUserId: 'U0PAGED', ontapAccount: 'paged' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.create(pendingRequest({ requester, createdAt: at(i) }))).id);
    const context = storeContext({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 60 });
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
});
