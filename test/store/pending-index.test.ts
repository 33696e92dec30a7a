/** The keys-only pending-by-policy index: what an approver's Home reads to find what waits for them. */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../lambdas/store/table';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const db = useDynamo();

describe('requests waiting for approval, by policy', () => {
  it('holds a request while it is pending and drops it at the decision, whatever happened meanwhile', async () => {
    const { store } = db();
    const first = await store.create(pendingRequest({ policy: 'p-index', createdAt: at(1) }));
    const second = await store.create(
      pendingRequest({
        policy: 'p-index',
        createdAt: at(0),
        requester: { slackUserId: 'U0DAVE', ontapAccount: 'dave' },
      }),
    );
    await store.create(pendingRequest({ policy: 'p-other' }));
    // Updates while it waits (its token, an approval of two) keep it where it is.
    await store.setToken(first.id, 'approval', 'token-1', ['PENDING']);
    const listed = await store.listPendingUnder('p-index');
    expect(listed).toEqual({
      entries: [
        { id: second.id, requester: 'U0DAVE', createdAt: at(0) },
        { id: first.id, requester: 'U0ALICE', createdAt: at(1) },
      ],
      more: false,
    });
    await store.apply(first.id, { type: 'APPROVE', by: 'U0BOB', at: at(2) });
    await store.apply(second.id, { type: 'CANCEL', by: 'U0DAVE', at: at(2) });
    expect(await store.listPendingUnder('p-index')).toEqual({ entries: [], more: false });
  });

  it('reads every page up to its limit, and says when there were more', async () => {
    const { store } = db();
    for (let i = 0; i < 5; i++) await store.create(pendingRequest({ policy: 'p-many', createdAt: at(i) }));
    const three = await store.listPendingUnder('p-many', 3);
    expect(three.entries.map((e) => e.createdAt)).toEqual([at(0), at(1), at(2)]);
    expect(three.more).toBe(true);
    expect((await store.listPendingUnder('p-many', 5)).entries).toHaveLength(5);
  });

  it('projects the keys only: nothing of the request is copied into the index', async () => {
    const { dynamo } = db();
    const out = await dynamo.client.send(
      new QueryCommand({
        TableName: dynamo.tableName,
        IndexName: TABLE.pendingByPolicy.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.pendingByPolicy.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: 'PENDING#p-many' } },
        Limit: 1,
      }),
    );
    expect(Object.keys(out.Items?.[0] ?? {}).sort()).toEqual(['gsi4pk', 'gsi4sk', 'pk', 'sk']);
  });
});

describe("a requester's unfinished requests", () => {
  it('are read from a point in time on, newest first, in the statuses asked for', async () => {
    const { store } = db();
    const dave = { slackUserId: 'U0DAVE', ontapAccount: 'dave' };
    const old = await store.create(pendingRequest({ requester: dave, createdAt: '2026-01-01T00:00:00Z' }));
    const recent = await store.create(pendingRequest({ requester: dave, createdAt: at(5) }));
    const newest = await store.create(pendingRequest({ requester: dave, createdAt: at(9) }));
    await store.apply(newest.id, { type: 'CANCEL', by: 'U0DAVE', at: at(10) });
    const found = await store.listByRequesterIn('U0DAVE', ['PENDING', 'ACTIVE'], at(0));
    expect(found.map((r) => r.id)).toEqual([recent.id]);
    expect((await store.listByRequesterIn('U0DAVE', ['PENDING'], '2025-12-31T00:00:00Z')).map((r) => r.id)).toEqual([
      recent.id,
      old.id,
    ]);
  });
});
