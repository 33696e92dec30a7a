import type { GrantKey } from '../../lambdas/store/table';
import { useDynamo } from '../support/dynamo';
import { at } from '../support/requests';

const ctx = useDynamo();
const REQUESTS = Array.from({ length: 20 }, (_, i) => `REQ-${String(i).padStart(2, '0')}`);

describe('grant locks', () => {
  const key: GrantKey = { cluster: 'cluster1', svmUuid: 'uuid-1', account: 'alice', application: 'ssh' };

  it('two overlapping grants for one key cannot both hold the lock', async () => {
    const { store } = ctx();
    const results = await Promise.all([
      store.acquireGrantLock(key, 'REQ-A', at(60)),
      store.acquireGrantLock(key, 'REQ-B', at(90)),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const holder = (await store.lockHolder(key))!.requestId;
    const loser = results.find((r) => !r.ok);
    expect(loser && !loser.ok && loser.heldBy).toBe(holder);
    const other = holder === 'REQ-A' ? 'REQ-B' : 'REQ-A';
    // The loser's release (its revoke) cannot remove the holder's lock.
    expect(await store.releaseGrantLock(key, other)).toBe(false);
    expect((await store.lockHolder(key))?.requestId).toBe(holder);
    // Taking it again for the holder is a safe retry.
    expect((await store.acquireGrantLock(key, holder, at(60))).ok).toBe(true);
    expect(await store.releaseGrantLock(key, holder)).toBe(true);
    expect(await store.lockHolder(key)).toBeUndefined();
    expect((await store.acquireGrantLock(key, other, at(90))).ok).toBe(true);
    await store.releaseGrantLock(key, other);
  });

  it('20 concurrent requests for one key: exactly one holds it', async () => {
    const { store } = ctx();
    const key20 = { ...key, account: 'bob' };
    const results = await Promise.all(REQUESTS.map((id) => store.acquireGrantLock(key20, id, at(60))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('keeps different keys apart, even with separator characters in names', async () => {
    const { store } = ctx();
    const a = { ...key, account: 'x#y', svmUuid: 'z' };
    const b = { ...key, account: 'x', svmUuid: 'y#z' };
    expect((await store.acquireGrantLock(a, 'REQ-1', at(60))).ok).toBe(true);
    expect((await store.acquireGrantLock(b, 'REQ-2', at(60))).ok).toBe(true);
  });
});
