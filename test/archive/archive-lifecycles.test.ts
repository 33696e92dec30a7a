/**
 * The audit archive end to end on the local stack: the real workflow writes its audit items to
 * dynalite through the change feed, the archive writer (the Lambda's handler) copies each to the
 * local S3 API server (s3rver behind the bucket-policy guard), and faults are injected on S3: 500s,
 * writes whose answer is lost, and writes whose answer never comes (the client times out). Every audit
 * event of every lifecycle is in the archive exactly once, with the body the table holds.
 */
import { archiveBodyOf, archiveKeyOf, parseArchiveKey } from '../../lambdas/archive/layout';
import { ARCHIVE_METRICS } from '../../lambdas/archive/metrics';
import type { S3Fault } from '../../local/s3-server';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ archive: true });

/** A fixed pseudo-random sequence: the same faults on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}

/** Sums a count metric over the EMF lines the handlers logged. */
function metricSum(name: string): number {
  return env()
    .logs.filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .reduce((sum, record) => sum + (typeof record[name] === 'number' ? (record[name] as number) : 0), 0);
}

/** A request denied or cancelled (or refused at validation, past the person's pending limit): its whole trail. */
async function deniedOrCancelled(i: number): Promise<string> {
  const made = await env().submit();
  const waits = await env()
    .waiting(made.executionArn, 'AwaitApproval')
    .then(() => true)
    .catch(() => false);
  if (waits && i % 2 === 0) await env().deny(made.id, 'U0BOB', `not now (${i})`);
  else if (waits) await env().cancel(made.id, made.requester);
  await env().finished(made.executionArn);
  return made.id;
}

async function grantedAndRevoked(): Promise<string> {
  const made = await env().submit();
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().approve(made.id, 'U0BOB');
  await env().waiting(made.executionArn, 'AwaitEnd');
  await env().revokeNow(made.id, 'U0BOB');
  await env().finished(made.executionArn);
  return made.id;
}

test('every audit event of 200 lifecycles is archived exactly once, with 500s, lost answers and timeouts', async () => {
  const random = seeded(18);
  let timeouts = 0;
  const tries = new Map<string, number>();
  env().archive.s3.chooser = (_method, key): S3Fault | undefined => {
    const tried = (tries.get(key) ?? 0) + 1;
    tries.set(key, tried);
    // One key in eight fails more times than the client retries: the batch reports it and it is delivered again.
    if (hash(key) % 8 === 0 && tried <= 3) return 'server-error';
    const roll = random();
    if (roll < 0.1) return 'server-error';
    if (roll < 0.14) return 'lost-answer';
    // A few: each costs the client its whole timeout.
    if (roll < 0.16 && timeouts < 8) {
      timeouts += 1;
      return 'timeout';
    }
    return undefined;
  };

  const ids: string[] = [];
  // Four grants, one after another (one live grant per account), then 196 more lifecycles 28 at a time.
  for (let i = 0; i < 4; i++) ids.push(await grantedAndRevoked());
  for (let start = 0; start < 196; start += 28) {
    const chunk = Array.from({ length: Math.min(28, 196 - start) }, (_, k) => deniedOrCancelled(start + k));
    ids.push(...(await Promise.all(chunk)));
  }
  await env().archive.feed.drain();

  const archived = await env().archive.objects();
  const expected = new Map<string, string>();
  for (const id of ids) {
    for (const event of await env().store.auditTrail(id)) expected.set(archiveKeyOf(event), archiveBodyOf(event));
  }
  expect(ids).toHaveLength(200);
  expect(new Set(ids).size).toBe(200);
  // Exactly once: one object per event, none missing, none extra, each with the table's body.
  expect(archived.map((o) => o.key).sort()).toEqual([...expected.keys()].sort());
  for (const object of archived) expect(object.body).toBe(expected.get(object.key));
  expect(archived.every((o) => parseArchiveKey(o.key) !== undefined)).toBe(true);

  // The faults happened, and were absorbed by retries and the create-only put.
  const injected = env().archive.s3.injected;
  expect(injected.get('server-error PUT')).toBeGreaterThan(0);
  expect(injected.get('lost-answer PUT')).toBeGreaterThan(0);
  expect(injected.get('timeout PUT')).toBeGreaterThan(0);
  expect(env().archive.s3.refused.get('412 PUT')).toBeGreaterThan(0);
  expect(env().archive.feed.counts.failedDeliveries).toBeGreaterThan(0);
  expect(env().archive.feed.deadLetters).toEqual([]);
  expect(metricSum(ARCHIVE_METRICS.conflicts)).toBe(0);
  // Each object was written by one put; a put whose answer was lost shows as "already archived" on its retry.
  expect(metricSum(ARCHIVE_METRICS.archived)).toBeLessThanOrEqual(expected.size);
  expect(metricSum(ARCHIVE_METRICS.archived) + metricSum(ARCHIVE_METRICS.alreadyArchived)).toBeGreaterThanOrEqual(
    expected.size,
  );
}, 400_000);
