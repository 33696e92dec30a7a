/**
 * One hung cluster cannot starve the rest: with 20 overdue grants on a cluster that never answers
 * and 20 on a healthy one, the first reconciler pass ends every healthy one. The grants are on two
 * ONTAP simulators and in dynalite, as the workflow leaves them when its own revoke was lost.
 */
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import type { AccessRequest } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { entryComment, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { OntapClient } from '../../lambdas/ontap';
import { type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { fixtureWith, names } from '../support/hardening';
import { pendingRequest, requestIn } from '../support/requests';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

const ACCOUNTS = names('ops', 20);
const env = useWorkflowEnv({ fixture: fixtureWith(ACCOUNTS) });

let hung: OntapSimulator;
const clients: OntapClient[] = [];
const clientFor = (sim: OntapSimulator, timeoutMs: number): OntapClient => {
  const client = new OntapClient({
    endpoint: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    ...(sim.caPem ? { ca: sim.caPem } : {}),
    timeoutMs,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
  });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  hung = await startOntapSimulator({ clock: env().clock, fixture: fixtureWith(ACCOUNTS) });
});

afterAll(async () => {
  // Closing the hung cluster ends the calls still waiting on it.
  await hung.close();
  for (const client of clients) client.close();
});

/** A grant on `cluster` whose window ended an hour ago (business time), with its entry and lock. */
async function overdueGrant(cluster: string, account: string, ontap: OntapClient): Promise<AccessRequest> {
  const ended = env().clock.now() - 3600_000;
  const start = new Date(ended - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const end = new Date(ended).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const approved = requestIn(
    'APPROVED',
    pendingRequest({
      cluster,
      requester: { slackUserId: 'U0ALICE', ontapAccount: account },
      svm: { name: 'svm1', uuid: SVM_UUID.svm1 },
    }),
  );
  const request = transition(approved, { type: 'GRANTED', at: start, window: { start, end } }).next;
  await env().store.create(request);
  await env().store.acquireGrantLock(grantKeyOf(request), request.id, end);
  await ontap.ensureJitUser({
    ownerUuid: SVM_UUID.svm1,
    account,
    application: 'ssh',
    role: 'vsadmin',
    jitValidity: 3600,
    sessionValidity: 3600,
    startTime: start,
    comment: entryComment(request),
  });
  return request;
}

describe('a reconciler pass with a hung cluster', () => {
  it('ends every overdue grant of the healthy cluster in its first pass, and puts the hung cluster off', async () => {
    const healthyClient = clientFor(env().sim, 5000);
    const hungClient = clientFor(hung, 60_000);
    const onHung = await Promise.all(ACCOUNTS.map((a) => overdueGrant('hung', a, clientFor(hung, 5000))));
    const onHealthy = await Promise.all(ACCOUNTS.map((a) => overdueGrant('cluster1', a, healthyClient)));
    hung.faults.add({ path: '/api/*', type: 'hang', times: 100_000 });
    const callsBefore = hung.calls().length;

    const rt = env().runtime;
    const clock = { now: () => env().clock.now() + RECONCILE_PERIOD_SECONDS * 1000 };
    const result = await reconcile(
      { ...rt, clock, ontap: async (cluster) => (cluster === 'hung' ? hungClient : healthyClient) },
      rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }),
      // Ample for a healthy revoke on a busy machine; the hung cluster never answers at all.
      { itemDeadlineMs: 5000 },
    );

    for (const request of onHealthy)
      expect(await env().store.get(request.id)).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended' });
    expect(
      env()
        .sim.jitEntries()
        .filter((e) => JSON.stringify(e).includes('ontap-jit-approvals request')),
    ).toEqual([]);
    for (const request of onHealthy) expect(await env().store.lockHolder(grantKeyOf(request))).toBeUndefined();
    expect(result.events.revoked).toBe(20);
    // The hung cluster's grants are still live and counted, and most were never even tried this pass.
    expect([...result.overdueStillLive].sort()).toEqual(onHung.map((r) => r.id).sort());
    expect(hung.calls().length - callsBefore).toBeLessThanOrEqual(4);
    for (const request of onHung) expect(await env().store.get(request.id)).toMatchObject({ status: 'ACTIVE' });
  });
});
