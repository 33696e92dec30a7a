/**
 * A live grant's elevation state on real parts: the grant on the simulator, the record in dynalite,
 * the approval message in the Slack stand-in. The card shows `preactive`, then `idle`, then `active`
 * after an elevate; a pass that finds nothing new writes nothing and redraws nothing; a cluster that
 * cannot be read leaves the last known state shown as such.
 */
import type { AccessRequest } from '../../lambdas/domain/request';
import { grantAccess } from '../../lambdas/lifecycle/grant';
import { homeOf } from '../../lambdas/lifecycle/home';
import { nextLiveState } from '../../lambdas/lifecycle/live-state';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { homeView } from '../../lambdas/slack/blocks/home';
import { type ScanEnv, useScanEnv } from '../support/cluster-scan';
import { APPROVAL_CHANNEL } from '../support/configs';
import { at, pendingRequest, requestIn, T0 } from '../support/requests';
import { SVM_UUID } from '../support/workflow-env';

const PERIOD = 120;

describe('nextLiveState', () => {
  const idle = { state: 'idle' as const, since: at(1) };

  it('changes only when the state read differs, or when a read fails for the first time', () => {
    expect(nextLiveState(undefined, { state: 'preactive' }, at(0))).toEqual({ state: 'preactive', since: at(0) });
    expect(nextLiveState(idle, { state: 'idle' }, at(5))).toBeUndefined();
    expect(nextLiveState(idle, { state: 'active' }, at(5))).toEqual({ state: 'active', since: at(5) });
    expect(nextLiveState(idle, { unread: true }, at(5))).toEqual({ ...idle, unreadSince: at(5) });
    expect(nextLiveState({ ...idle, unreadSince: at(5) }, { unread: true }, at(7))).toBeUndefined();
    expect(nextLiveState(undefined, { unread: true }, at(7))).toBeUndefined();
    // Read again after a failure: the same state is no longer "last known".
    expect(nextLiveState({ ...idle, unreadSince: at(5) }, { state: 'idle' }, at(9))).toEqual(idle);
  });
});

describe('live elevation state', () => {
  const env = useScanEnv();

  /** An approved request on svm1 (alice's unless told) with its approval message posted. */
  async function approvedWithCard(e: ScanEnv, slackUserId = 'U0ALICE', account = 'alice'): Promise<AccessRequest> {
    const requester = { slackUserId, ontapAccount: account };
    const pending = pendingRequest({ svm: { name: 'svm1', uuid: SVM_UUID.svm1 }, requester });
    const approval = await e.ports.notifier.approval(pending);
    const approved = requestIn('APPROVED', { ...pending, slack: { approval } });
    await e.store.create(pending);
    await e.store.update(pending.id, ['PENDING'], (s) => ({ ...s, request: approved }));
    return approved;
  }

  const card = (e: ScanEnv, request: AccessRequest) => {
    const message = e.slack.messages.find((m) => m.channel === APPROVAL_CHANNEL && m.ts === request.slack.approval?.ts);
    if (!message) throw new Error('no approval message');
    return { text: JSON.stringify(message.blocks), edited: message.edited };
  };
  const entryGets = (e: ScanEnv) =>
    e.sim.calls().filter((c) => c.method === 'GET' && c.path.startsWith('/api/security/jit-privilege-users')).length;
  const pass = (e: ScanEnv) => reconcile(e.ports, e.logger, { itemDeadlineMs: 10_000 });

  it('shows preactive after the grant, then idle, then active after an elevate, redrawn only on a change', async () => {
    const e = env();
    const request = await approvedWithCard(e);
    // The cluster's clock lags the product's by ten minutes: the entry is not open yet there.
    e.simClock.set(Date.parse(T0) - 600_000);
    await grantAccess(e.ports, { requestId: request.id, start: T0, sessionValiditySeconds: 1800 }, e.logger);
    expect(card(e, request).text).toContain('scheduled, not open yet (`preactive`)');
    // The state came with the POST's answer: no GET for it.
    expect(entryGets(e)).toBe(0);

    e.advance(PERIOD);
    e.simClock.set(Date.parse(T0) + 60_000);
    expect((await pass(e)).drift).toMatchObject({ liveChanged: 1, found: 0 });
    expect(card(e, request).text).toContain('ready to elevate, nobody elevated (`idle`)');

    const elevate = await fetch(`${e.sim.url}/__sim/elevate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ owner_uuid: SVM_UUID.svm1, account: 'alice' }),
    });
    expect(elevate.status).toBe(200);
    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ liveChanged: 1 });
    expect(card(e, request).text).toContain('elevated now (`active`)');
    const stored = await e.store.get(request.id);
    expect(stored.live).toEqual({ state: 'active', since: at(4) });

    // Nothing new: one GET of the collection, no write, no redraw.
    const before = { gets: entryGets(e), version: stored.version, edited: card(e, request).edited };
    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ liveChanged: 0 });
    expect(entryGets(e) - before.gets).toBe(1);
    expect((await e.store.get(request.id)).version).toBe(before.version);
    expect(card(e, request).edited).toBe(before.edited);

    // The Home tab shows it too.
    const home = await homeOf(e.ports, request.requester.slackUserId);
    expect(JSON.stringify(homeView(home, APPROVAL_CHANNEL, e.ports.clock.now()))).toContain('elevated now (`active`)');

    // `security jit-privilege reset`: back to idle.
    await fetch(`${e.sim.url}/__sim/session-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ owner_uuid: SVM_UUID.svm1, account: 'alice' }),
    });
    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ liveChanged: 1 });
    expect(card(e, request).text).toContain('(`idle`)');
  });

  it('leaves the last known state shown as such while the cluster cannot be read, marked once', async () => {
    const e = env();
    const request = await approvedWithCard(e, 'U0BOB', 'bob');
    await grantAccess(e.ports, { requestId: request.id, start: T0, sessionValiditySeconds: 1800 }, e.logger);
    expect(card(e, request).text).toContain('(`idle`)');
    e.sim.faults.add({
      method: 'GET',
      path: '/api/security/jit-privilege-users',
      times: 2,
      type: 'status',
      status: 503,
    });

    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ skipped: ['cluster1'] });
    expect(card(e, request).text).toContain('last known: the cluster could not be read since');
    const marked = await e.store.get(request.id);
    expect(marked.live).toMatchObject({ state: 'idle', unreadSince: expect.any(String) });

    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ skipped: ['cluster1'], liveChanged: 0 });
    expect((await e.store.get(request.id)).version).toBe(marked.version);

    e.advance(PERIOD);
    expect((await pass(e)).drift).toMatchObject({ skipped: [] });
    expect(card(e, request).text).not.toContain('last known');
    expect(card(e, request).text).toContain('(`idle`)');
  });

  it('reads every live grant of a cluster with one collection GET a pass: GETs per live grant per hour', async () => {
    const e = env();
    for (const account of ['alice', 'bob', 'carol']) {
      const pending = pendingRequest({
        svm: { name: 'svm1', uuid: SVM_UUID.svm1 },
        requester: { slackUserId: `U0${account.toUpperCase()}`, ontapAccount: account },
      });
      await e.grantedOnCluster(requestIn('ACTIVE', pending));
    }
    e.sim.clearCalls();
    const passesPerHour = 3600 / PERIOD;
    for (let i = 0; i < passesPerHour; i++) {
      await pass(e);
      e.advance(PERIOD);
    }
    const gets = e.sim.calls().filter((c) => c.method === 'GET');
    const entries = gets.filter((c) => c.path.startsWith('/api/security/jit-privilege-users')).length;
    const settings = gets.filter((c) => c.path.startsWith('/api/security/jit-privileges')).length;
    // One collection GET of the entries and one of the settings per pass, whatever the number of grants.
    expect({ entries, settings }).toEqual({ entries: passesPerHour, settings: passesPerHour });
    // 30 GETs of the entries an hour serve the three grants: 10 per live grant per hour (30 for a lone grant).
    expect(entries / 3).toBe(10);
  });
});
