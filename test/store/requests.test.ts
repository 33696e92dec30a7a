import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyApprovedError, IllegalTransitionError, NotApproverError } from '../../lambdas/domain/errors';
import { CorruptItemError, DuplicateRequestError, RequestNotFoundError } from '../../lambdas/store/errors';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();
const APPROVERS = Array.from({ length: 20 }, (_, i) => `U0APPR${String(i).padStart(2, '0')}`);

describe('RequestStore', () => {
  it('creates a request once and reads it back', async () => {
    const { store } = ctx();
    const request = pendingRequest();
    await store.create(request, 'U0ALICE');
    expect(await store.get(request.id)).toEqual(request);
    await expect(store.create(request)).rejects.toThrow(DuplicateRequestError);
    await expect(store.get('20261122-NOSUCHREQ')).rejects.toThrow(RequestNotFoundError);
    expect(await store.auditTrail(request.id)).toEqual([
      {
        requestId: request.id,
        seq: 0,
        at: request.createdAt,
        type: 'REQUESTED',
        to: 'PENDING',
        actor: 'U0ALICE',
        // What was asked for, so the trail alone (the archive keeps no request item) tells the request.
        facts: {
          slackUserId: 'U0ALICE',
          ontapAccount: 'alice',
          cluster: 'cluster1',
          svm: 'svm1',
          role: 'vsadmin',
          policy: 'svm1-operators',
          durationSeconds: 3600,
        },
      },
    ]);
  });

  it('refuses to write a malformed request', async () => {
    const { store } = ctx();
    const bad = { ...pendingRequest(), durationSeconds: -1 };
    await expect(store.create(bad)).rejects.toThrow();
    await expect(store.get(bad.id)).rejects.toThrow(RequestNotFoundError);
  });

  it('20 concurrent approvals by 20 approvers of a 1-approval request: one transition, 19 told who won', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    const results = await Promise.all(
      APPROVERS.map((by, i) => store.apply(request.id, { type: 'APPROVE', by, at: at(1 + i / 100) })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    expect(winner.ok && [winner.from, winner.to]).toEqual(['PENDING', 'APPROVED']);
    const losers = results.filter((r) => !r.ok);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      if (loser.ok) continue;
      expect(loser.error).toBeInstanceOf(IllegalTransitionError);
      expect(loser.error.message).toBe('This request has already been approved.');
      expect(loser.request.status).toBe('APPROVED');
      expect(loser.lastEvent).toMatchObject({ type: 'APPROVE', to: 'APPROVED' });
    }
    const stored = await store.get(request.id);
    expect(stored.status).toBe('APPROVED');
    expect(stored.approvals).toHaveLength(1);
    expect(stored.version).toBe(1);
    const trail = await store.auditTrail(request.id);
    expect(trail.map((e) => e.type)).toEqual(['REQUESTED', 'APPROVE']);
  });

  it('20 concurrent clicks by one approver count once', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest({ approvalsRequired: 2 }));
    const results = await Promise.all(
      APPROVERS.map(() => store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(!r.ok && r.error).toBeInstanceOf(AlreadyApprovedError);
    expect(await store.get(request.id)).toMatchObject({ status: 'PENDING', approvals: [{ by: 'U0BOB' }] });
  });

  it('2-of-M with concurrent distinct approvers: both counted, approved once', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest({ approvalsRequired: 2 }));
    const results = await Promise.all(
      ['U0BOB', 'U0CAROL'].map((by) => store.apply(request.id, { type: 'APPROVE', by, at: at(1) })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.ok && r.to).sort()).toEqual(['APPROVED', 'PENDING']);
    const stored = await store.get(request.id);
    expect(stored.status).toBe('APPROVED');
    expect(stored.approvals.map((a) => a.by).sort()).toEqual(['U0BOB', 'U0CAROL']);
  });

  it('approve racing deny: exactly one wins, the other is told and changes nothing', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    const [approve, deny] = await Promise.all([
      store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) }),
      store.apply(request.id, { type: 'DENY', by: 'U0CAROL', at: at(1), reason: 'freeze' }),
    ]);
    expect([approve.ok, deny.ok].filter(Boolean)).toHaveLength(1);
    const stored = await store.get(request.id);
    expect(stored.status).toBe(approve.ok ? 'APPROVED' : 'DENIED');
    expect((await store.auditTrail(request.id)).length).toBe(2);
  });

  it('runs the authorization on every fresh copy and returns its refusal unwritten', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    const result = await store.apply(request.id, { type: 'APPROVE', by: 'U0EVE', at: at(1) }, () => {
      throw new NotApproverError('svm1-operators');
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBeInstanceOf(NotApproverError);
    expect(await store.get(request.id)).toEqual(request);
  });

  it('lists a requester’s requests newest first', async () => {
    const { store } = ctx();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = pendingRequest({ requester: { slackUserId: 'U0LISTER', ontapAccount: 'lister' }, createdAt: at(i) });
      await store.create(r);
      ids.push(r.id);
    }
    expect((await store.listByRequester('U0LISTER')).map((r) => r.id)).toEqual(ids.reverse());
    expect(await store.listByRequester('U0NOBODY')).toEqual([]);
  });

  it('indexes live grants by end time, and only while live', async () => {
    const { store } = ctx();
    const soon = await store.create(pendingRequest());
    const later = await store.create(pendingRequest());
    for (const [r, end] of [
      [soon, at(30)],
      [later, at(90)],
    ] as const) {
      await store.apply(r.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
      await store.apply(r.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end } });
    }
    const due = (await store.listActiveEndingBefore(at(60))).map((r) => r.id);
    expect(due).toContain(soon.id);
    expect(due).not.toContain(later.id);
    await store.apply(soon.id, { type: 'REVOKED', at: at(30), alreadyGone: false });
    expect((await store.listActiveEndingBefore(at(60))).map((r) => r.id)).not.toContain(soon.id);
  });

  it('keeps task tokens with the request, only in the expected status, without losing a concurrent transition', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    const [tokenSet, approved] = await Promise.all([
      store.setToken(request.id, 'approval', 'token-abc', ['PENDING', 'APPROVED']),
      store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) }),
    ]);
    expect(tokenSet).toBe(true);
    expect(approved.ok).toBe(true);
    const stored = await store.getStored(request.id);
    expect(stored.tokens.approval).toBe('token-abc');
    expect(stored.request.status).toBe('APPROVED');
    expect(await store.setToken(request.id, 'end', 'token-end', ['ACTIVE'])).toBe(false);
  });

  it('keeps a task token only while its wait can still use it', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    await store.setToken(request.id, 'approval', 'token-approval', ['PENDING']);
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    // Approved and not yet granted: the reconciler may still need to re-send the approval signal.
    expect((await store.getStored(request.id)).tokens).toEqual({ approval: 'token-approval' });
    await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(60) } });
    expect((await store.getStored(request.id)).tokens).toEqual({});
    await store.setToken(request.id, 'end', 'token-end', ['ACTIVE']);
    await store.apply(request.id, { type: 'REVOKE_FAILED', at: at(60), reason: 'cluster down' });
    expect((await store.getStored(request.id)).tokens).toEqual({ end: 'token-end' });
    await store.apply(request.id, { type: 'REVOKED', at: at(61), alreadyGone: false });
    expect((await store.getStored(request.id)).tokens).toEqual({});
  });

  it('sets a TTL only once a request is finished', async () => {
    const { store, dynamo } = ctx();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const request = await store.create(pendingRequest());
    const read = async () =>
      (await doc.send(new GetCommand({ TableName: dynamo.tableName, Key: { pk: `REQ#${request.id}`, sk: 'REQUEST' } })))
        .Item;
    expect((await read())?.expiresAt).toBeUndefined();
    await store.apply(request.id, { type: 'DENY', by: 'U0BOB', at: at(1), reason: 'no' });
    expect((await read())?.expiresAt).toBe(Date.parse(at(1)) / 1000 + 400 * 86400);
  });

  it('refuses to use an item that does not match the schema', async () => {
    const { store, dynamo } = ctx();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    await doc.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: { pk: 'REQ#20261122-CORRUPT01', sk: 'REQUEST', status: 'ACTIVE' },
      }),
    );
    await expect(store.get('20261122-CORRUPT01')).rejects.toThrow(CorruptItemError);
  });
});
