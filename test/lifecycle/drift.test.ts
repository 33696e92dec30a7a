/**
 * Drift on real parts: JIT entries made on the simulator behind the product's back, the records in
 * dynalite, the reports in the Slack stand-in. Each drift is reported once however many passes see it,
 * removed only where the configuration says so, and an entry of a live request is never touched.
 */

import type { Config } from '../../lambdas/config/schema';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { DRIFT_METRICS } from '../../lambdas/runtime/metrics';
import { useScanEnv } from '../support/cluster-scan';
import { TEST_CONFIG } from '../support/configs';
import { metricValues } from '../support/fakes';
import { pendingRequest, requestIn } from '../support/requests';
import { SVM_UUID } from '../support/workflow-env';

const PERIOD = 120;

/** TEST_CONFIG with cluster1 set to `drift: remove`. */
const REMOVING: Config = {
  ...TEST_CONFIG,
  clusters: TEST_CONFIG.clusters.map((c) => ({ ...c, drift: 'remove' as const })),
};

const pass = (env: ReturnType<ReturnType<typeof useScanEnv>>) =>
  reconcile(env.ports, env.logger, { itemDeadlineMs: 10_000 });

const driftPosts = (env: ReturnType<ReturnType<typeof useScanEnv>>) =>
  env.channelPosts().filter((m) => /drift/.test(m.text));

describe('drift, reported', () => {
  const env = useScanEnv();

  it('reports an entry made behind the back once, not every pass, counts it once, clears it when gone', async () => {
    await env().entryBehindTheBack('bob');
    const first = await pass(env());
    expect(first.drift).toMatchObject({ found: 1, reported: 1, removed: 0, skipped: [] });
    const [report] = driftPosts(env());
    expect(report?.text).toContain('JIT entry drift on cluster1 / svm1');
    expect(report?.text).toContain('`bob` may elevate as `vsadmin`, not made by this product');
    expect(report?.text).toContain('drift: report');

    for (let i = 0; i < 3; i++) {
      env().advance(PERIOD);
      expect((await pass(env())).drift).toMatchObject({ found: 0, reported: 0 });
    }
    expect(driftPosts(env())).toHaveLength(1);
    // Reported, and left in place: this cluster only reports.
    expect(env().sim.jitEntries()).toEqual([
      expect.objectContaining({ account: { name: 'bob', _links: expect.anything() } }),
    ]);
    expect(metricValues(env().logger, DRIFT_METRICS.found)).toEqual([1, 0, 0, 0]);

    // Gone from the cluster: the record goes, and an entry made again later is a new drift.
    await env().ontap.deleteJitUser(SVM_UUID.svm1, 'bob');
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ cleared: 1 });
    expect(await env().store.listDriftRecords('cluster1')).not.toContainEqual(
      expect.objectContaining({ account: 'bob' }),
    );
    await env().entryBehindTheBack('bob');
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ found: 1, reported: 1 });
    expect(driftPosts(env())).toHaveLength(2);
  });

  it('reports an entry a finished request left (before the listing) and one naming a request not its own', async () => {
    const finished = requestIn(
      'REVOKED',
      pendingRequest({ requester: { slackUserId: 'U0CAROL', ontapAccount: 'carol' } }),
    );
    const stored = await env().grantedOnCluster(finished);
    // Names carol's finished request, but grants bob.
    await env().entryBehindTheBack('bob', `ontap-jit-approvals request ${stored.id} for U0CAROL`);
    // Listed before the request finished (its revoke may have removed the entry since): the next pass decides.
    expect((await pass(env())).drift).toMatchObject({ found: 1, reported: 1 });
    env().advance(3600);
    const result = await pass(env());
    expect(result.drift).toMatchObject({ found: 1, reported: 1 });
    const texts = driftPosts(env()).map((m) => m.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `\`carol\` may elevate as \`vsadmin\`, left on the cluster by request \`${stored.id}\`, which is finished`,
        ),
        expect.stringContaining(
          `\`bob\` may elevate as \`vsadmin\`, naming request \`${stored.id}\`, which it does not belong to`,
        ),
      ]),
    );
  });

  it('never reports an entry of a live request, the grant still in flight included', async () => {
    const active = await env().grantedOnCluster(requestIn('ACTIVE'));
    // The grant's POST went through but ACTIVE is not recorded yet: the request is still APPROVED.
    const inFlight = await env().grantedOnCluster(
      requestIn('APPROVED', pendingRequest({ requester: { slackUserId: 'U0ERIN', ontapAccount: 'carol' } })),
    );
    const cleaning = await env().grantedOnCluster({
      ...requestIn('FAILED', pendingRequest({ requester: { slackUserId: 'U0ERIN', ontapAccount: 'joe.smith' } })),
      stage: 'grant',
      cleanupPending: true,
    } as never);
    const result = await pass(env());
    expect(result.drift).toMatchObject({ found: 0, reported: 0, removed: 0 });
    expect(driftPosts(env())).toEqual([]);
    expect(env().sim.jitEntries()).toHaveLength(3);
    expect([active.status, inFlight.status, cleaning.status]).toEqual(['ACTIVE', 'APPROVED', 'FAILED']);
  });

  it('reports a JIT maximum changed past the policies once; the value first seen is not drift', async () => {
    // First pass: ONTAP's default (P90D on the cluster) is where it starts, not drift.
    expect((await pass(env())).drift).toMatchObject({ found: 0, reported: 0 });
    // svm2's maximum (PT8H) raised to 30 days: longer than any policy on cluster1 grants (1 day).
    const { username, password } = env().sim.credentials;
    const patch = await fetch(`${env().sim.url}/api/security/jit-privileges/${SVM_UUID.svm2}/ssh`, {
      method: 'PATCH',
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ max_jit_validity_period: 'P30D' }),
    });
    expect(patch.status).toBe(200);
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ found: 1, reported: 1 });
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ found: 0, reported: 0 });
    const posts = driftPosts(env());
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toContain('JIT settings drift on cluster1 / svm2');
    expect(posts[0]?.text).toContain('changed from `PT8H` to `P30D`');
    expect(metricValues(env().logger, DRIFT_METRICS.found)).toEqual([0, 1, 0]);
  });

  it('retries a report whose post failed on a later pass, and never posts one twice once recorded', async () => {
    await env().entryBehindTheBack('bob');
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    expect((await pass(env())).drift).toMatchObject({ found: 1, reported: 0, reportsFailed: 1 });
    env().slack.faults.chooser = undefined;
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ found: 0, reported: 1 });
    // A doubled pass (two at once) and later passes find it reported.
    env().advance(PERIOD);
    const both = await Promise.all([pass(env()), pass(env())]);
    expect(both.map((r) => r.drift?.reported)).toEqual([0, 0]);
    expect(driftPosts(env())).toHaveLength(1);
  });

  it('lets only one of two passes at once post a new drift', async () => {
    await env().entryBehindTheBack('bob');
    const both = await Promise.all([pass(env()), pass(env())]);
    expect(both.map((r) => r.drift?.found ?? 0).reduce((a, b) => a + b)).toBe(1);
    expect(both.map((r) => r.drift?.reported ?? 0).reduce((a, b) => a + b)).toBe(1);
    expect(driftPosts(env())).toHaveLength(1);
  });

  it('skips a cluster that does not answer, counted, and reports nothing about it', async () => {
    await env().entryBehindTheBack('bob');
    env().sim.faults.add({
      method: 'GET',
      path: '/api/security/jit-privilege-users',
      times: 1,
      type: 'status',
      status: 503,
    });
    const result = await pass(env());
    expect(result.drift).toMatchObject({ found: 0, skipped: ['cluster1'] });
    expect(metricValues(env().logger, DRIFT_METRICS.clustersSkipped)).toEqual([1]);
    expect(driftPosts(env())).toEqual([]);
  });
});

describe('drift, removed', () => {
  const env = useScanEnv(REMOVING);

  it('removes an entry made behind the back once reported, says so under the report, and counts it', async () => {
    await env().entryBehindTheBack('bob');
    const live = await env().grantedOnCluster(requestIn('ACTIVE'));
    const result = await pass(env());
    expect(result.drift).toMatchObject({ found: 1, reported: 1, removed: 1 });
    expect(
      env()
        .sim.jitEntries()
        .map((e) => (e.account as { name: string }).name),
    ).toEqual(['alice']);
    expect((await env().store.get(live.id)).status).toBe('ACTIVE');
    const [report] = driftPosts(env());
    expect(report?.text).toContain('drift: remove');
    const replies = env().slack.messages.filter((m) => m.threadTs === report?.ts);
    expect(replies.map((m) => m.text)).toEqual([expect.stringContaining('Removed from the cluster')]);
    expect(metricValues(env().logger, DRIFT_METRICS.removed)).toEqual([1]);
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ found: 0, reported: 0, removed: 0, cleared: 1 });
  });

  it('never removes an entry of a live request, the grant whose POST went through before ACTIVE included', async () => {
    const inFlight = await env().grantedOnCluster(requestIn('APPROVED'));
    for (let i = 0; i < 2; i++) {
      expect((await pass(env())).drift).toMatchObject({ found: 0, removed: 0 });
      env().advance(PERIOD);
    }
    expect(env().sim.jitEntries()).toHaveLength(1);
    expect((await env().store.get(inFlight.id)).status).toBe('APPROVED');
  });

  it('does not remove before the report is posted: a failed post keeps the entry for a later pass', async () => {
    await env().entryBehindTheBack('bob');
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    expect((await pass(env())).drift).toMatchObject({ found: 1, reported: 0, removed: 0 });
    expect(env().sim.jitEntries()).toHaveLength(1);
    env().slack.faults.chooser = undefined;
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ reported: 1, removed: 1 });
    expect(env().sim.jitEntries()).toEqual([]);
  });

  it('leaves an entry replaced between the listing and the removal: its comment is checked first', async () => {
    await env().entryBehindTheBack('bob');
    const live = requestIn('ACTIVE', pendingRequest({ requester: { slackUserId: 'U0BOB', ontapAccount: 'bob' } }));
    const client = env().ontap;
    // A grant of bob's replaces the foreign entry just as the pass is about to remove it.
    const racing = new Proxy(client, {
      get(target, name) {
        if (name !== 'removeJitUser') {
          const value: unknown = Reflect.get(target, name);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: Parameters<typeof client.removeJitUser>) => {
          await client.deleteJitUser(SVM_UUID.svm1, 'bob');
          await env().grantedOnCluster(live);
          return client.removeJitUser(...args);
        };
      },
    });
    const result = await reconcile({ ...env().ports, ontap: async () => racing }, env().logger);
    expect(result.drift).toMatchObject({ found: 1, reported: 1, removed: 0 });
    expect(env().sim.jitEntries()).toEqual([expect.objectContaining({ comment: expect.stringContaining(live.id) })]);
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ removed: 0, cleared: 1 });
    expect(env().sim.jitEntries()).toHaveLength(1);
  });

  it("clears the record of an entry replaced by a live request's grant before it could be removed", async () => {
    await env().entryBehindTheBack('bob');
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    await pass(env());
    env().slack.faults.chooser = undefined;
    // Replaced on the cluster by an entry naming a live request before the next pass.
    await env().ontap.deleteJitUser(SVM_UUID.svm1, 'bob');
    const live = await env().grantedOnCluster(
      requestIn('ACTIVE', pendingRequest({ requester: { slackUserId: 'U0BOB', ontapAccount: 'bob' } })),
    );
    env().advance(PERIOD);
    expect((await pass(env())).drift).toMatchObject({ removed: 0, cleared: 1 });
    expect(env().sim.jitEntries()).toHaveLength(1);
    expect((await env().store.get(live.id)).status).toBe('ACTIVE');
  });
});
