/**
 * What the store reads back from its indexes is what the table holds: every query sees the request
 * whole, in every status, with every optional attribute set (an index that stops projecting one
 * fails here), and the reconciler sees a due request with its history and task tokens.
 */
import { type AccessRequest, STATUSES } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { GrantKeySchema, LockItemSchema } from '../../lambdas/store/items';
import { LOCK_ATTRIBUTES } from '../../lambdas/store/table';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest, requestIn } from '../support/requests';

const ctx = useDynamo();
const REQUESTER = 'U0INDEXED';

/** A PENDING request with every optional attribute a request can carry before it is decided. */
function fullRequest(): AccessRequest {
  return {
    ...pendingRequest({
      requester: { slackUserId: REQUESTER, ontapAccount: 'indexed', name: 'Ida Indexed' },
      ticket: 'CHG-1234',
      requestedStart: at(5),
    }),
    roleSummary: 'volume, snapmirror: all',
    slack: { approval: { channel: 'C0APPROVE', ts: '1.000100' }, requester: { channel: 'D0IDA', ts: '1.000200' } },
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:jit:run-1',
  };
}

/** A request in every status, and the extra shapes: a revoke asked for while live, a grant failed with clean-up owed. */
function everyShape(): AccessRequest[] {
  const shapes = STATUSES.filter((s) => s !== 'CANCELLED').map((status) => requestIn(status, fullRequest()));
  shapes.push(transition(fullRequest(), { type: 'CANCEL', by: REQUESTER, at: at(1), reason: 'not needed' }).next);
  const active = requestIn('ACTIVE', fullRequest());
  shapes.push(transition(active, { type: 'REVOKE_REQUESTED', by: REQUESTER, at: at(10) }).next);
  const approved = requestIn('APPROVED', fullRequest());
  const failed = { type: 'GRANT_FAILED', at: at(3), reason: 'cluster refused', cleanupPending: true } as const;
  shapes.push(transition(approved, failed).next);
  return shapes;
}

describe('reads from the indexes', () => {
  it('hand back every request of a requester exactly as the table holds it, in every status', async () => {
    const { store } = ctx();
    const shapes = everyShape();
    for (const request of shapes) await store.create(request);
    const fromTable = await Promise.all(shapes.map((r) => store.get(r.id)));
    const byId = (a: AccessRequest, b: AccessRequest) => a.id.localeCompare(b.id);

    const listed = await store.listByRequester(REQUESTER, 50);
    expect([...listed].sort(byId)).toEqual([...fromTable].sort(byId));
    expect(listed.find((r) => r.status === 'FAILED' && r.stage === 'grant')).toMatchObject({ cleanupPending: true });

    const open = await store.listOpenByRequester(REQUESTER);
    expect([...open].sort(byId)).toEqual(
      fromTable.filter((r) => ['PENDING', 'APPROVED'].includes(r.status)).sort(byId),
    );

    const live = fromTable.filter((r) => r.status === 'ACTIVE' || r.status === 'REVOKE_FAILED');
    expect(live.length).toBeGreaterThanOrEqual(3);
    const ending = await store.listActiveEndingBefore(at(24 * 60));
    expect(ending.filter((r) => r.requester.slackUserId === REQUESTER).sort(byId)).toEqual(live.sort(byId));
  });

  it('hand the reconciler a due request whole: its history and task tokens, read fresh from the table', async () => {
    const { store } = ctx();
    const request = await store.create(pendingRequest());
    await store.setToken(request.id, 'approval', 'token-approval-'.padEnd(900, 'x'), ['PENDING']);
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    const stored = await store.getStored(request.id);
    expect(stored.history).toHaveLength(2);

    const due = (await store.listDue(at(30), 100)).items.filter(
      (item) => item.kind === 'request' && item.stored.request.id === request.id,
    );
    expect(due).toEqual([{ kind: 'request', stored }]);
  });

  it('the needs-attention index holds every attribute of a lock the reconciler reads', () => {
    const read = [...Object.keys(LockItemSchema.shape), ...Object.keys(GrantKeySchema.shape)];
    expect(LOCK_ATTRIBUTES).toEqual(expect.arrayContaining(read));
  });
});
