/**
 * The Home tab through the real ingress: `app_home_opened` signed as Slack signs events, the view
 * published to the Slack stand-in (which refuses what Block Kit would), the store on dynalite.
 */
import type { AccessRequest, Status } from '../../lambdas/domain/request';
import { pendingRequest, requestIn } from '../support/requests';
import { signedHeaders, useSlackIngress } from '../support/slack';
import { blocksOf, buttonsOf, buttonsUnder, headersOf, homeClick, homeOf, openHome } from './home-support';

const ingress = useSlackIngress();

async function stored(status: Status, overrides: Parameters<typeof pendingRequest>[0] = {}): Promise<AccessRequest> {
  return ingress().store.create(requestIn(status, pendingRequest(overrides)));
}

const DAVE = { requester: { slackUserId: 'U0DAVE', ontapAccount: 'dave' } };
/** Waiting longer than the others of this file, so it is among the ten shown first. */
const EARLY = { ...DAVE, createdAt: '2026-11-22T09:00:00Z' };

describe('the Home tab, published when opened', () => {
  it('shows a requester their live grants (Revoke now), open requests (Cancel) and ended ones (Request again)', async () => {
    const alice = {
      active: await stored('ACTIVE'),
      pending: await stored('PENDING'),
      approved: await stored('APPROVED'),
      denied: await stored('DENIED'),
      expired: await stored('EXPIRED'),
    };
    const answer = await openHome(ingress(), 'U0ALICE');
    expect(answer.status).toBe(200);
    const home = homeOf(ingress(), 'U0ALICE');
    expect(home.view.type).toBe('home');
    // Alice asks under "anyone" and approves nothing: no "Waiting for me".
    expect(headersOf(home)).toEqual(['ONTAP just-in-time access', 'My access']);
    const mine = buttonsUnder(home, 'My access');
    expect(mine).toEqual(
      expect.arrayContaining([
        `jit_revoke ${alice.active.id}`,
        `jit_cancel ${alice.pending.id}`,
        `jit_cancel ${alice.approved.id}`,
        `jit_request_again ${alice.denied.id}`,
        `jit_request_again ${alice.expired.id}`,
      ]),
    );
    expect(mine.filter((b) => b.startsWith('jit_approve') || b.startsWith('jit_deny'))).toEqual([]);
    expect(buttonsOf(home)[0]).toBe('jit_new_request home');
    const text = JSON.stringify(blocksOf(home));
    expect(text).toContain('security jit-privilege elevate');
    expect(text).toMatch(/left\./);
  });

  it('shows an approver the requests they may decide, with Approve and Deny, never their own by any identity', async () => {
    const fromDave = await stored('PENDING', DAVE);
    const fromAlice = await stored('PENDING');
    const own = await stored('PENDING', { requester: { slackUserId: 'U0BOB', ontapAccount: 'bob' } });
    // Bob's second Slack identity is Bob: his request is not Bob's to approve.
    const second = await stored('PENDING', { requester: { slackUserId: 'U0BOBADM', ontapAccount: 'bob' } });
    const decided = await stored('DENIED', DAVE);
    await openHome(ingress(), 'U0BOB');
    const home = homeOf(ingress(), 'U0BOB');
    expect(headersOf(home)).toEqual(['ONTAP just-in-time access', 'My access', 'Waiting for me']);
    const waiting = buttonsUnder(home, 'Waiting for me');
    for (const r of [fromDave, fromAlice])
      expect(waiting).toEqual(expect.arrayContaining([`jit_approve ${r.id}`, `jit_deny ${r.id}`]));
    for (const r of [own, second, decided]) expect(waiting.join(' ')).not.toContain(r.id);
    // Oldest first: the one waiting longest is decided first.
    expect(waiting.indexOf(`jit_approve ${fromDave.id}`)).toBeLessThan(waiting.indexOf(`jit_approve ${fromAlice.id}`));
    expect(buttonsUnder(home, 'My access')).toEqual(expect.arrayContaining([`jit_cancel ${own.id}`]));
  });

  it('shows a stranger only the request button and My access', async () => {
    await openHome(ingress(), 'U0EVE');
    const home = homeOf(ingress(), 'U0EVE');
    expect(headersOf(home)).toEqual(['ONTAP just-in-time access', 'My access']);
    expect(buttonsOf(home)).toEqual(['jit_new_request home']);
    expect(JSON.stringify(blocksOf(home))).toContain('You have no requests');
  });

  it('publishes for the Home tab only, the same again for a Slack retry, and nothing for an unsigned event', async () => {
    const { slack } = ingress();
    const before = slack.callsTo('views.publish').length;
    expect((await openHome(ingress(), 'U0CAROL', { tab: 'messages' })).status).toBe(200);
    expect(slack.homes.get('U0CAROL')).toBeUndefined();
    await openHome(ingress(), 'U0CAROL');
    const first = JSON.stringify(homeOf(ingress(), 'U0CAROL').view);
    await openHome(ingress(), 'U0CAROL', { retryNum: 1 });
    expect(homeOf(ingress(), 'U0CAROL').published).toBe(2);
    // The footer's time aside, a retried event publishes the same Home.
    const strip = (v: string): string => v.replace(/Updated [^"]*/, '');
    expect(strip(JSON.stringify(homeOf(ingress(), 'U0CAROL').view))).toBe(strip(first));
    expect((await openHome(ingress(), 'U0ERIN', { secret: 'not-the-signing-secret' })).status).toBe(401);
    expect(slack.homes.get('U0ERIN')).toBeUndefined();
    expect(slack.callsTo('views.publish').length).toBe(before + 2);
  });

  it("answers Slack's check of the events URL (url_verification) when signed, as the manifest's events need", async () => {
    const body = JSON.stringify({ token: 'legacy', challenge: 'c-3f1a9', type: 'url_verification' });
    const answer = await ingress().post(body, signedHeaders(body, 'application/json'));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('c-3f1a9');
    const forged = await ingress().post(body, signedHeaders(body, 'application/json', { secret: 'wrong' }));
    expect(forged.status).toBe(401);
  });

  it('stays within Block Kit limits for an approver with a backlog and a requester with a long history', async () => {
    for (let i = 0; i < 25; i++) await stored('PENDING', DAVE);
    for (let i = 0; i < 25; i++) await stored(i % 2 ? 'DENIED' : 'EXPIRED', DAVE);
    for (let i = 0; i < 12; i++) await stored('ACTIVE', DAVE);
    const long = 'x'.repeat(500);
    await stored('PENDING', { ...DAVE, justification: long, role: 'v<a>'.repeat(20) });
    for (const user of ['U0BOB', 'U0DAVE']) {
      expect((await openHome(ingress(), user)).status).toBe(200);
      // The stand-in refuses (invalid_blocks) what Slack would: a publish that landed is within the limits.
      expect(ingress().slack.callsTo('views.publish').at(-1)?.args.user_id).toBe(user);
      expect(blocksOf(homeOf(ingress(), user)).length).toBeLessThanOrEqual(100);
    }
    const dave = JSON.stringify(blocksOf(homeOf(ingress(), 'U0DAVE')));
    expect(dave).toContain('and 2 more live grants');
    expect(
      buttonsUnder(homeOf(ingress(), 'U0DAVE'), 'My access').filter((b) => b.startsWith('jit_request_again')),
    ).toHaveLength(10);
    const bob = homeOf(ingress(), 'U0BOB');
    expect(buttonsUnder(bob, 'Waiting for me').filter((b) => b.startsWith('jit_approve'))).toHaveLength(10);
    expect(JSON.stringify(blocksOf(bob))).toMatch(/and \d+ more waiting/);
  });
});

describe('buttons on the Home tab', () => {
  it("Approve runs the approval and publishes the approver's Home again without it", async () => {
    const request = await stored('PENDING', EARLY);
    await openHome(ingress(), 'U0CAROL');
    const before = homeOf(ingress(), 'U0CAROL').published;
    const { answer } = await ingress().interact(homeClick(ingress(), 'U0CAROL', 'jit_approve', request.id));
    expect(answer.status).toBe(200);
    expect(await ingress().store.get(request.id)).toMatchObject({ status: 'APPROVED', approvals: [{ by: 'U0CAROL' }] });
    const home = homeOf(ingress(), 'U0CAROL');
    expect(home.published).toBe(before + 1);
    expect(buttonsOf(home).join(' ')).not.toContain(request.id);
  });

  it('a refused click changes nothing and says why in a modal (a Home click has no message to answer under)', async () => {
    const request = await stored('PENDING', EARLY);
    await openHome(ingress(), 'U0CAROL');
    const click = homeClick(ingress(), 'U0CAROL', 'jit_approve', request.id);
    await ingress().store.apply(request.id, { type: 'DENY', by: 'U0BOB', at: '2026-11-22T10:05:00Z', reason: 'no' });
    await ingress().interact(click);
    expect((await ingress().store.get(request.id)).status).toBe('DENIED');
    const notice = ingress().slack.callsTo('views.open').at(-1)?.args.view as { title: { text: string } };
    expect(notice.title.text).toBe('ONTAP access');
    expect(JSON.stringify(notice)).toMatch(/denied|already/i);
  });

  it("Revoke now from Home asks for the end of the requester's own grant", async () => {
    const request = await stored('ACTIVE');
    await openHome(ingress(), 'U0ALICE');
    await ingress().interact(homeClick(ingress(), 'U0ALICE', 'jit_revoke', request.id));
    expect(await ingress().store.get(request.id)).toMatchObject({ status: 'ACTIVE', revokeRequestedBy: 'U0ALICE' });
    const line = JSON.stringify(blocksOf(homeOf(ingress(), 'U0ALICE')));
    expect(line).toContain('being removed now');
  });

  it('a decision stands when the Home cannot be published again; the next opening shows it', async () => {
    const request = await stored('PENDING', EARLY);
    await openHome(ingress(), 'U0BOB');
    const click = homeClick(ingress(), 'U0BOB', 'jit_approve', request.id);
    const { slack, store, logs } = ingress();
    slack.faults.chooser = (method) => method === 'views.publish';
    try {
      const { answer } = await ingress().interact(click);
      expect(answer.status).toBe(200);
      expect((await store.get(request.id)).status).toBe('APPROVED');
      expect(logs.some((l) => l.includes('home not refreshed'))).toBe(true);
      // Opening the tab while Slack refuses to publish: answered (Slack would retry otherwise), logged.
      expect((await openHome(ingress(), 'U0BOB')).status).toBe(200);
      expect(logs.some((l) => l.includes('home publish failed'))).toBe(true);
    } finally {
      slack.faults.chooser = undefined;
    }
    await openHome(ingress(), 'U0BOB');
    expect(buttonsOf(homeOf(ingress(), 'U0BOB')).join(' ')).not.toContain(request.id);
  });

  it('a click sent twice (a Slack retry) approves once and publishes the same Home', async () => {
    const request = await stored('PENDING', { ...EARLY, approvalsRequired: 2, policy: 'cluster-admin', role: 'admin' });
    await openHome(ingress(), 'U0CAROL');
    const click = homeClick(ingress(), 'U0CAROL', 'jit_approve', request.id);
    await ingress().interact(click);
    await ingress().interact(click, { retryNum: 1 });
    const after = await ingress().store.get(request.id);
    expect(after.approvals.map((a) => a.by)).toEqual(['U0CAROL']);
    // Approved by her, waiting for a second approver: shown without buttons.
    const home = homeOf(ingress(), 'U0CAROL');
    expect(buttonsOf(home).join(' ')).not.toContain(`jit_approve ${request.id}`);
    expect(JSON.stringify(blocksOf(home))).toContain('You approved it; it waits for another approver.');
  });

  it('Request access opens the form as /jit does, and a stranger is told why not', async () => {
    await openHome(ingress(), 'U0ALICE');
    await ingress().interact(homeClick(ingress(), 'U0ALICE', 'jit_new_request', 'home'));
    const form = ingress().slack.callsTo('views.open').at(-1)?.args.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(form.callback_id).toBe('jit_request');
    expect(JSON.parse(form.private_metadata)).toMatchObject({ account: 'alice', from: 'home' });
    await openHome(ingress(), 'U0EVE');
    await ingress().interact(homeClick(ingress(), 'U0EVE', 'jit_new_request', 'home'));
    const notice = ingress().slack.callsTo('views.open').at(-1)?.args.view;
    expect(JSON.stringify(notice)).toContain('not mapped to an ONTAP account');
  });
});
