import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DueItem } from '../../lambdas/store/due-items';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();

/** Every due item at `now`, every page read `limit` at a time, and how many pages that took. */
async function readAllDue(now: string, limit: number): Promise<{ items: DueItem[]; pages: number }> {
  const { store } = ctx();
  const items: DueItem[] = [];
  let pages = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.listDue(now, limit, startKey);
    items.push(...page.items);
    pages += 1;
    startKey = page.next;
  } while (startKey);
  return { items, pages };
}

function label(item: DueItem): string {
  if (item.kind === 'request') return item.stored.request.id;
  return item.kind === 'lock' ? `lock:${item.requestId}` : `corrupt:${item.key}`;
}

describe('due items', () => {
  it('lists approved requests and grant locks past their grace, soonest first, page by page', async () => {
    const { store } = ctx();
    const first = await store.create(pendingRequest());
    const second = await store.create(pendingRequest());
    await store.apply(first.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    await store.apply(second.id, { type: 'APPROVE', by: 'U0BOB', at: at(2) });
    const key = { cluster: 'cluster1', svmUuid: 'uuid-due', account: 'alice', application: 'http' };
    expect((await store.acquireGrantLock(key, 'REQ-LOCK', at(3))).ok).toBe(true);

    // Nothing is due before its grace period has passed.
    expect((await store.listDue(at(1), 10)).items).toEqual([]);
    const { items, pages } = await readAllDue(at(10), 1);
    expect(items.map(label)).toEqual([first.id, second.id, 'lock:REQ-LOCK']);
    expect(pages).toBeGreaterThanOrEqual(3);
    const lock = items[2];
    expect(lock?.kind === 'lock' && lock.key).toEqual(key);
    await store.releaseGrantLock(key, 'REQ-LOCK');
  });

  it('reports an item it cannot read as corrupt instead of failing the page', async () => {
    const { dynamo } = ctx();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const item = { pk: 'REQ#20261122-CORRUPT02', sk: 'REQUEST', status: 'ACTIVE', gsi3pk: 'DUE', gsi3sk: `${at(0)}#x` };
    await doc.send(new PutCommand({ TableName: dynamo.tableName, Item: item }));
    const { items } = await readAllDue(at(0.5), 10);
    expect(items.map(label)).toEqual(['corrupt:REQ#20261122-CORRUPT02']);
  });

  it('files a request under a later time after a failed repair, unless it changed since it was read', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(20) });
    const read = await store.getStored(request.id);
    const ids = async (now: string) => (await readAllDue(now, 10)).items.map(label);
    expect(await ids(at(21))).toContain(request.id);

    expect(await store.snooze(request.id, read.request.version, { attempts: 1, nextAt: at(40) })).toBe(true);
    expect(await ids(at(21))).not.toContain(request.id);
    const later = (await readAllDue(at(41), 10)).items.find((i) => label(i) === request.id);
    expect(later?.kind === 'request' && later.stored.repair).toEqual({ attempts: 1, nextAt: at(40) });

    await store.setToken(request.id, 'approval', 'token-1', ['APPROVED']);
    expect(await store.snooze(request.id, read.request.version, { attempts: 2, nextAt: at(60) })).toBe(false);
  });

  it('keeps where the reconciler stopped reading, and forgets it', async () => {
    const { store } = ctx();
    expect(await store.reconcilerCursor()).toBeUndefined();
    const startKey = { pk: 'REQ#X', sk: 'REQUEST', gsi3pk: 'DUE', gsi3sk: `${at(0)}#REQ#X` };
    await store.setReconcilerCursor(startKey);
    expect(await store.reconcilerCursor()).toEqual(startKey);
    await store.setReconcilerCursor(undefined);
    expect(await store.reconcilerCursor()).toBeUndefined();
  });
});
