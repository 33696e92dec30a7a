/**
 * The reconciler's audit repair racing a new event of the same request (in AWS a pass repairs a flagged
 * request while its workflow goes on): dynalite behind the DynamoDB fault proxy, the store as it runs.
 * The repair writes the missing items it read; an event recorded after its read, whose own audit item
 * could not be written, flags the request again. The repair must not clear that flag: the event's
 * audit item would then be missing for good.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { RequestStore } from '../../lambdas/store/requests';
import { auditSk, REQUEST_SK, requestPk } from '../../lambdas/store/table';
import { localDynamoClient } from '../../local/dynamodb';
import { type DynamoFaultProxy, startDynamoFaultProxy } from '../../local/dynamodb-fault-proxy';
import { useDynamo } from '../support/dynamo';
import { quietLogger } from '../support/fakes';
import { latch } from '../support/latch';
import { at, pendingRequest } from '../support/requests';

const dynamo = useDynamo();
let proxy: DynamoFaultProxy;
let store: RequestStore;
let client: ReturnType<typeof localDynamoClient>;

beforeAll(async () => {
  proxy = await startDynamoFaultProxy(dynamo().dynamo.endpoint);
  client = localDynamoClient(proxy.url);
  // The failed audit writes are logged and counted; the test reads the flag and the items instead.
  const logger = quietLogger();
  store = new RequestStore({
    client,
    tableName: dynamo().dynamo.tableName,
    retentionSeconds: 400 * 86400,
    logger,
    metrics: logger.metrics,
  });
});
afterAll(async () => {
  client.destroy();
  await proxy.close();
});
afterEach(() => {
  proxy.chooser = undefined;
  proxy.holder = undefined;
});

type Body = Record<string, unknown>;
const skOf = (body: Body, key: 'Item' | 'Key'): string | undefined =>
  (body[key] as Record<string, { S?: string }> | undefined)?.sk?.S;

/** Fails every write of the audit item `seq` of any request (a server error on each try). */
function failAuditItem(seq: number): void {
  proxy.chooser = (operation, body) =>
    operation === 'PutItem' && skOf(body, 'Item') === auditSk(seq) ? 'server-error' : undefined;
}

async function auditItem(id: string, seq: number): Promise<unknown> {
  const doc = DynamoDBDocumentClient.from(dynamo().dynamo.client);
  const { Item } = await doc.send(
    new GetCommand({ TableName: dynamo().dynamo.tableName, Key: { pk: requestPk(id), sk: auditSk(seq) } }),
  );
  return Item;
}

describe('audit repair racing a new event', () => {
  it('keeps the flag of an event recorded after its read, so that event is repaired too', async () => {
    const request = await store.create(pendingRequest());
    // APPROVE's audit item cannot be written: the request is flagged.
    failAuditItem(1);
    expect((await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) })).ok).toBe(true);
    proxy.chooser = undefined;
    expect((await store.getStored(request.id)).auditRepair).toBe(true);

    // The repair reads the trail and writes APPROVE's item; its read of the request is held...
    const reached = latch();
    const released = latch();
    let holding = true;
    proxy.holder = (operation, body) => {
      if (!holding || operation !== 'GetItem' || skOf(body, 'Key') !== REQUEST_SK) return undefined;
      holding = false;
      reached.open();
      return released.opened;
    };
    const repairing = store.repairAudit(request.id);
    await reached.opened;
    // ...while the workflow records GRANTED, whose audit item cannot be written either (flagged again).
    failAuditItem(2);
    const granted = { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } } as const;
    expect((await store.apply(request.id, granted)).ok).toBe(true);
    proxy.chooser = undefined;
    released.open();
    expect(await repairing).toBe(1);

    expect(await auditItem(request.id, 1)).toMatchObject({ type: 'APPROVE' });
    // GRANTED's item is not there yet: the flag that brings the reconciler back for it must still be set.
    expect(await auditItem(request.id, 2)).toBeUndefined();
    expect((await store.getStored(request.id)).auditRepair).toBe(true);
    // The next repair writes it and clears the flag.
    expect(await store.repairAudit(request.id)).toBe(1);
    expect(await auditItem(request.id, 2)).toMatchObject({ type: 'GRANTED' });
    expect((await store.getStored(request.id)).auditRepair).toBeFalsy();
  });

  it('clears the flag when everything the request records has its item', async () => {
    const request = await store.create(pendingRequest());
    failAuditItem(1);
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    proxy.chooser = undefined;
    expect(await store.repairAudit(request.id)).toBe(1);
    expect((await store.getStored(request.id)).auditRepair).toBeFalsy();
  });
});
