/**
 * A digest's whole list and its state in the store (dynalite over loopback): a long list split into
 * items within DynamoDB's item limit and read back whole, write-once; the state changed by a
 * conditional write that only one of two racing callers wins; the trail unaffected by the list.
 */
import type { StoredCommand } from '../../lambdas/domain/digest';
import type { AccessRequest } from '../../lambdas/domain/request';
import { DIGEST_PART_BYTES, splitParts } from '../../lambdas/store/digests';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest } from '../support/requests';

const ctx = useDynamo();

const command = (i: number, size = 40): StoredCommand => ({
  at: at(i % 60),
  input: `volume modify -volume v${i} -comment ${'x'.repeat(size)}`,
  state: 'success',
  sessionId: String(1 + (i % 3)),
  message: null,
  ...(i % 100 === 0 ? { destructive: 'delete' } : {}),
});

async function endedRequest(): Promise<AccessRequest> {
  const { store } = ctx();
  const request = await store.create(pendingRequest());
  await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
  await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
  await store.apply(request.id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(10) });
  return (await store.apply(request.id, { type: 'REVOKED', at: at(10), alreadyGone: false })).request;
}

describe('a digest’s whole list', () => {
  it('splits a long list into items within the limit and reads it back whole, in order', async () => {
    const { store } = ctx();
    const r = await endedRequest();
    const lines = Array.from({ length: 3000 }, (_, i) => command(i, 200));
    const parts = splitParts(lines);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts)
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(DIGEST_PART_BYTES + 2);
    expect(await store.putDigestLines(r.id, at(10), at(11), lines)).toBe(parts.length);
    expect(await store.digestLines(r.id, at(10))).toEqual(lines);
    // Write-once: a second write (a retry) leaves the list as it was.
    await store.putDigestLines(r.id, at(10), at(12), lines.slice(0, 5));
    expect(await store.digestLines(r.id, at(10))).toHaveLength(3000);
    // The partition's audit trail is the events alone.
    expect((await store.auditTrail(r.id)).map((e) => e.type)).toEqual([
      'REQUESTED',
      'APPROVE',
      'GRANTED',
      'REVOKE_REQUESTED',
      'REVOKED',
    ]);
  });

  it('keeps a single command larger than a part in a part of its own', () => {
    const huge = command(1, DIGEST_PART_BYTES);
    expect(splitParts([command(0), huge, command(2)]).map((p) => p.length)).toEqual([1, 1, 1]);
  });
});

describe('the digest state', () => {
  it('records the summary as an audit event once, whichever of two racing callers wins', async () => {
    const { store } = ctx();
    const r = await endedRequest();
    const claim = () =>
      store.changeDigest(r.id, (current) =>
        current.digest === undefined
          ? { digest: { state: 'recorded', since: at(11), failures: 0 }, at: at(11), detail: '1 command' }
          : undefined,
      );
    const results = await Promise.all([claim(), claim()]);
    expect(results.map((x) => x.changed).sort()).toEqual([false, true]);
    const trail = await store.auditTrail(r.id);
    expect(trail.filter((e) => e.type === 'ACTIVITY_DIGEST')).toEqual([
      {
        requestId: r.id,
        seq: 5,
        at: at(11),
        type: 'ACTIVITY_DIGEST',
        from: 'REVOKED',
        to: 'REVOKED',
        detail: '1 command',
      },
    ]);
    const after = await store.get(r.id);
    expect(after).toMatchObject({ status: 'REVOKED', updatedAt: r.updatedAt, digest: { state: 'recorded', seq: 5 } });
  });
});
