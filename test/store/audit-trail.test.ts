import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();

describe('audit trail', () => {
  it('walks a whole lifecycle and keeps the audit trail in order', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    const steps = [
      { type: 'APPROVE', by: 'U0BOB', at: at(1) },
      { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } },
      { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(10) },
      { type: 'REVOKED', at: at(10), alreadyGone: false },
    ] as const;
    for (const step of steps) expect((await store.apply(request.id, step)).ok).toBe(true);
    const trail = await store.auditTrail(request.id);
    expect(trail.map((e) => `${e.type}:${e.from ?? ''}>${e.to}`)).toEqual([
      'REQUESTED:>PENDING',
      'APPROVE:PENDING>APPROVED',
      'GRANTED:APPROVED>ACTIVE',
      'REVOKE_REQUESTED:ACTIVE>ACTIVE',
      'REVOKED:ACTIVE>REVOKED',
    ]);
    expect(trail[2]?.detail).toBe(`${at(2)} to ${at(62)}`);
  });

  it('repairs an audit trail whose item write was lost, from the request’s own history', async () => {
    const { store, dynamo } = ctx();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const request = await store.create(pendingRequest());
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    await dynamo.client.send(
      new (await import('@aws-sdk/client-dynamodb')).DeleteItemCommand({
        TableName: dynamo.tableName,
        Key: { pk: { S: `REQ#${request.id}` }, sk: { S: 'AUDIT#000001' } },
      }),
    );
    expect((await store.auditTrail(request.id)).map((e) => e.type)).toEqual(['REQUESTED', 'APPROVE']);
    const repaired = await doc.send(
      new GetCommand({ TableName: dynamo.tableName, Key: { pk: `REQ#${request.id}`, sk: 'AUDIT#000001' } }),
    );
    expect(repaired.Item?.type).toBe('APPROVE');
  });
});
