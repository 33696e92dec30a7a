/**
 * The fake store the use-case unit tests run on answers as the real RequestStore over dynalite does:
 * the same script of calls (conditional transitions, refusals, store-only updates, tokens, grant
 * locks, snoozes, flags and what falls due) gives the same results on both.
 */
import { authorizeApproval } from '../../lambdas/domain/policy';
import type { AccessRequest } from '../../lambdas/domain/request';
import type { GrantKey } from '../../lambdas/store/table';
import { TEST_CONFIG } from './configs';
import { useDynamo } from './dynamo';
import { FakeStore, type StorePort } from './fake-store';
import { at, pendingRequest } from './requests';

const db = useDynamo();

/** What a store did with the script, in terms both stores share. */
async function script(store: StorePort, request: AccessRequest, key: GrantKey): Promise<unknown[]> {
  const out: unknown[] = [];
  const settle = async (work: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await work();
    } catch (error) {
      return { threw: (error as Error).name };
    }
  };
  const id = request.id;
  const policy = TEST_CONFIG.policies[0];
  if (!policy) throw new Error('no policy');
  const bob = { userId: 'U0BOB', groups: new Set<string>() };
  const alice = { userId: 'U0ALICE', groups: new Set<string>() };

  out.push(await settle(async () => (await store.create(request, 'U0ALICE')).status));
  out.push(await settle(() => store.create(request, 'U0ALICE')));
  out.push(await store.setToken(id, 'approval', 'tok-1', ['PENDING']));
  out.push(await store.setToken(id, 'end', 'tok-2', ['ACTIVE']));
  // The requester approving their own request: refused by the authorization, nothing written.
  const own = await store.apply(id, { type: 'APPROVE', by: 'U0ALICE', at: at(1) }, (current) =>
    authorizeApproval(policy, current, alice, ['slack:U0ALICE']),
  );
  out.push(own.ok ? own.to : own.error.name);
  const approve = await store.apply(id, { type: 'APPROVE', by: 'U0BOB', at: at(1) }, (current) =>
    authorizeApproval(policy, current, bob, ['slack:U0ALICE']),
  );
  out.push(approve.ok ? [approve.from, approve.to, approve.event.seq, approve.event.actor] : approve.error.name);
  const twice = await store.apply(id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
  out.push(twice.ok ? twice.to : [twice.error.name, twice.request.status, twice.lastEvent?.type]);
  out.push((await store.update(id, ['PENDING'], (s) => s)).ok);
  const stored = await store.getStored(id);
  out.push([stored.request.status, stored.request.version, stored.tokens, stored.history.map((e) => e.type)]);
  out.push(await store.snooze(id, stored.request.version - 1, { attempts: 1, nextAt: at(5) }));
  out.push(await store.snooze(id, stored.request.version, { attempts: 1, nextAt: at(5) }));
  await store.flagNotify(id);
  out.push((await store.getStored(id)).notifyRepair);
  const due = await store.listDue(at(10), 10);
  out.push(due.items.map((item) => (item.kind === 'request' ? item.stored.request.id : item.kind)));
  // The grant: a lock taken, refused to another, taken again on a retry, released only by its holder.
  out.push(await store.acquireGrantLock(key, id, at(62)));
  out.push(await store.acquireGrantLock(key, 'JIT-OTHER', at(90)));
  out.push(await store.acquireGrantLock(key, id, at(62)));
  out.push(await store.releaseGrantLock(key, 'JIT-OTHER'));
  out.push(await store.lockHolder(key));
  const granted = await store.apply(id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
  out.push(granted.ok ? granted.request.status : granted.error.name);
  out.push((await store.getStored(id)).repair);
  out.push(await store.setToken(id, 'end', 'tok-2', ['ACTIVE']));
  out.push((await store.listOpenByRequester('U0ALICE')).map((r) => r.status));
  out.push(await store.releaseGrantLock(key, id));
  out.push(await store.lockHolder(key));
  out.push(await settle(() => store.get('JIT-NONE')));
  return out;
}

describe('FakeStore', () => {
  it('answers the script of calls the use cases make as the real store does', async () => {
    const request = pendingRequest();
    const key: GrantKey = { cluster: 'cluster1', svmUuid: 'uuid-contract', account: 'alice', application: 'ssh' };
    const real = await script(db().store, request, key);
    const fake = await script(new FakeStore(), request, key);
    expect(fake).toEqual(real);
    // The script exercised what it means to: a refusal, a lost double approval, a lock held by another.
    expect(real[4]).toMatch(/Error$/);
    expect(real[6]).toEqual([expect.stringMatching(/Error$/), 'APPROVED', 'APPROVE']);
    expect(real).toContainEqual({ ok: false, heldBy: request.id, until: at(62) });
  });

  it('makes a write that lost its race re-read and re-apply the rule, as the real store does', async () => {
    const store = new FakeStore();
    const request = pendingRequest();
    store.put(request);
    store.interleave(() => store.force(request.id, { type: 'CANCEL', by: 'U0ALICE', at: at(1) }));
    const result = await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    expect(result).toMatchObject({ ok: false, request: { status: 'CANCELLED' }, lastEvent: { type: 'CANCEL' } });
    expect(store.conflicts).toBe(1);
  });
});
