/**
 * Load: many requests through the whole lifecycle at once, in process (the real ingress with
 * Slack-signed requests, the synthesized state machine on the local runner, dynalite, the ONTAP
 * simulator), on the scaled clock. Nothing is lost, nothing is duplicated, every grant is revoked
 * at its end and nothing is left on the cluster. 200 by default; JIT_SOAK=1 runs 500 (or
 * JIT_SOAK=<n>). Figures are printed; speed is not asserted (that is the benchmarks' job).
 */

import { TEST_CONFIG } from '../support/configs';
import { configWith, directoryWith, fixtureWith, names, slackIdOf, Tally, trail } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const SOAK = process.env.JIT_SOAK;
const COUNT = SOAK ? (Number(SOAK) > 1 ? Number(SOAK) : 500) : 200;
const ACCOUNTS = names('load', COUNT);

const policy = TEST_CONFIG.policies[0];
if (!policy) throw new Error('TEST_CONFIG has no policy');
const env = useWorkflowEnv({
  ingress: true,
  // The product's own deadline for a cluster call (30 s), not the tests' 5 s: two hundred lifecycles in one process
  // on a machine running other suites can keep an answer from the simulator waiting for seconds.
  ontapClient: { timeoutMs: 30_000 },
  fixture: fixtureWith(ACCOUNTS),
  directory: directoryWith(ACCOUNTS),
  // Room for every click on a busy machine: the approval wait is a week (168 real seconds; each wait ends at its click).
  config: configWith(ACCOUNTS, [
    {
      name: 'svm1-load',
      clusters: ['cluster1'],
      svms: ['svm1'],
      roles: ['vsadmin'],
      requesters: 'anyone',
      approvers: { users: ['U0BOB', 'U0CAROL'] },
      defaultDuration: '1h',
      maxDuration: '8h',
      approvalTimeout: '7d',
    },
  ]),
});

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T, i);
      }
    }),
  );
  return out;
}

describe(`load: ${COUNT} requests at once`, () => {
  it('every request is granted once, revoked at its end, recorded once; nothing lost, duplicated or left behind', async () => {
    const started = Date.now();
    // Every requester types /jit at once (Slack delivers them concurrently).
    // (A soak sends them 100 at a time: past a few hundred open connections the loopback stand-ins, not the product, refuse.)
    const submitted = await pool(ACCOUNTS, SOAK ? 100 : COUNT, (account, i) =>
      env().ingress.request(slackIdOf(account), `svm1 vsadmin 2h Load test request number ${i + 1}`),
    );
    expect(new Set(submitted.map((s) => s.id)).size).toBe(COUNT);

    // Approvers click as the approval messages come in.
    const clicks = await pool(submitted, 50, async ({ id, executionArn }, i) => {
      // An execution that ends before its approval wait is counted below, not thrown here.
      if (
        (await env()
          .waiting(executionArn, 'AwaitApproval')
          .then(
            () => true,
            () => false,
          )) === false
      )
        return { id, status: 0, refused: 0 };
      const { answer, responses } = await env().ingress.click(i % 2 === 0 ? 'U0BOB' : 'U0CAROL', 'jit_approve', id);
      return { id, status: answer.status, refused: responses().length };
    });

    const ends = await Promise.all(submitted.map(({ executionArn }) => env().finished(executionArn)));
    const wallSeconds = (Date.now() - started) / 1000;

    const figures = new Tally();
    const requests = await pool(submitted, 20, ({ id }) => env().store.get(id));
    for (const r of requests) figures.add(`requests ${r.status}`);
    // Why any did not run their course (an overloaded machine misses scaled deadlines): by reason.
    for (const r of requests) if ('reason' in r) figures.add(`  reason: ${String(r.reason).slice(0, 160)}`);
    for (const r of requests)
      if (r.status === 'EXPIRED' && r.expiry === 'approval-timeout')
        figures.add('  approval timed out before the click');
    for (const e of ends) figures.add(`executions ${e.status}`);
    const posts = env().jitCalls('POST');
    const deletes = env().jitCalls('DELETE');
    const grants = posts.filter((c) => c.status === 201).length;
    const revokes = deletes.filter((c) => c.status === 200).length;
    // A duplicate: a second entry made for a request, or a comment seen on two creations.
    const comments = posts.filter((c) => c.status === 201).map((c) => (c.body as { comment: string }).comment);
    const duplicates = comments.length - new Set(comments).size + Math.max(0, grants - COUNT);
    const leftovers = env().sim.jitEntries().length;
    const trails = await pool(submitted, 20, ({ id }) => trail(env().store, id));
    const badTrails = trails.filter(
      (t) =>
        t.join(',') !== 'REQUESTED:PENDING,APPROVE:APPROVED,GRANTED:ACTIVE,REVOKED:EXPIRED,ACTIVITY_DIGEST:EXPIRED',
    );
    const transitions = submitted.reduce(
      (sum, s) => sum + env().local.counters.execution(s.executionArn).stateTransitions,
      0,
    );

    console.log(
      [
        `Load: ${COUNT} requests through the full lifecycle (2-hour windows at 3600×)`,
        `  requests ${COUNT}, grants ${grants}, revokes ${revokes}, duplicates ${duplicates}, leftovers ${leftovers}, lost ${COUNT - figures.get('requests EXPIRED')}`,
        `  audit trails not exactly REQUESTED→APPROVE→GRANTED→REVOKED→ACTIVITY_DIGEST: ${badTrails.length}`,
        `  state transitions ${transitions}, ONTAP calls ${env().sim.calls().length}, Slack Web API calls ${env().slack.calls.length}`,
        `  wall time ${wallSeconds.toFixed(1)} s`,
        figures.render('  by status:'),
      ].join('\n'),
    );

    expect(clicks.filter((c) => c.status !== 200 || c.refused > 0)).toEqual([]);
    expect(figures.get('requests EXPIRED')).toBe(COUNT);
    expect(figures.get('executions SUCCEEDED')).toBe(COUNT);
    expect(grants).toBe(COUNT);
    expect(revokes).toBe(COUNT);
    expect(duplicates).toBe(0);
    expect(leftovers).toBe(0);
    expect(badTrails).toEqual([]);
    // Each grant was exactly what was approved, on the account that asked.
    for (const [i, account] of ACCOUNTS.entries()) {
      const request = requests[i];
      expect(request?.requester.ontapAccount).toBe(account);
    }
    const accountsGranted = posts
      .filter((c) => c.status === 201)
      .map((c) => (c.body as { account: { name: string } }).account.name);
    expect(new Set(accountsGranted)).toEqual(new Set(ACCOUNTS));
    // Exactly the approved window on ONTAP too: jit_validity is the second lock.
    expect(
      new Set(posts.filter((c) => c.status === 201).map((c) => (c.body as { jit_validity: string }).jit_validity)),
    ).toEqual(new Set(['PT2H']));
    // Revoked at the end, not before: every request ended as "window ended".
    expect(requests.every((r) => r.status === 'EXPIRED' && r.expiry === 'window-ended')).toBe(true);
  }, 600_000);
});
