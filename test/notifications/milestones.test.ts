/**
 * Every milestone reaches the person it concerns as a new message Slack notifies (chat.postMessage
 * to the requester's DM, a thread reply mentioning the approvers), not only an edit of a card:
 * through the signed ingress, the real workflow on the scaled clock, and the Slack stand-in. Each is
 * told once: a reconciler pass or a task that runs again posts nothing more, and a post Slack lost
 * is told by the reconciler.
 */
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { NOTICE_GRACE_SECONDS } from '../../lambdas/domain/milestones';
import { announce } from '../../lambdas/lifecycle/notify';
import { type ReconcileResult, reconcile } from '../../lambdas/lifecycle/reconcile';
import { useWorkflowEnv } from '../support/workflow-env';
import { checkBlockKit } from './block-kit-limits';

const env = useWorkflowEnv({ ingress: true });

const WHY = 'Rebuild the snapmirror schedule';

/**
 * New messages Slack notifies `userId` of, as they stand in Slack (a post Slack refused is not
 * there): in their DM apart from their status card (posted once, then edited), or mentioning them.
 * The text is what the person reads: the notification's text and the blocks shown.
 */
function postsTo(userId: string): { text: string; channel: string; thread?: string }[] {
  const dm = env().slack.dmChannelOf(userId);
  const cards = new Set(cardTs);
  return env()
    .slack.messages.filter((m) => m.visibleTo === undefined && !cards.has(m.ts))
    .map((m) => ({
      text: `${m.text}\n${JSON.stringify(m.blocks)}`,
      channel: m.channel,
      ...(m.threadTs !== undefined ? { thread: m.threadTs } : {}),
    }))
    .filter((m) => m.channel === dm || m.text.includes(`<@${userId}>`));
}

/** The requesters' status cards (updated in place): kept apart from the new messages. */
const cardTs: string[] = [];
async function noteCard(id: string): Promise<void> {
  const ref = (await env().store.get(id)).slack.requester;
  if (ref) cardTs.push(ref.ts);
}

const dmPosts = (userId: string): string[] =>
  postsTo(userId)
    .filter((m) => m.channel === env().slack.dmChannelOf(userId))
    .map((m) => m.text);
const threadPosts = (userId: string): string[] =>
  postsTo(userId)
    .filter((m) => m.thread !== undefined)
    .map((m) => m.text);

/** One reconciler pass, as the schedule runs it `aheadMs` of business time from now (or at `at`, ISO). */
async function pass(aheadMs: number, at?: string): Promise<ReconcileResult> {
  const rt = env().runtime;
  const clock = { now: () => (at !== undefined ? Date.parse(at) : env().clock.now()) + aheadMs };
  return reconcile({ ...rt, clock }, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }));
}

/** Alice asks through `/jit`, Bob approves through the button; the grant is live. */
async function granted(text = `svm1 vsadmin 2h ${WHY}`): Promise<{ id: string; executionArn: string }> {
  const made = await env().ingress.request('U0ALICE', text);
  await env().waiting(made.executionArn, 'AwaitApproval');
  await noteCard(made.id);
  await env().ingress.click('U0BOB', 'jit_approve', made.id);
  await env().waiting(made.executionArn, 'AwaitEnd');
  return made;
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().slack.faults.chooser = undefined;
});

afterEach(() => {
  // Every message the product posted or updated stays within Block Kit's limits.
  for (const call of [...env().slack.callsTo('chat.postMessage'), ...env().slack.callsTo('chat.update')]) {
    expect(checkBlockKit(call.args)).toEqual([]);
  }
});

describe('the requester is told each milestone with a new DM', () => {
  it('granted (approved by whom, how to elevate, until when), then revoked by whom; approvers in the thread', async () => {
    const { id, executionArn } = await granted();
    const live = await env().store.get(id);
    if (live.status !== 'ACTIVE') throw new Error(`not granted: ${live.status}`);
    const grantedDm = dmPosts('U0ALICE').find((t) => t.includes('is yours until'));
    expect(grantedDm).toContain('approved by <@U0BOB>');
    expect(grantedDm).toContain('security jit-privilege elevate');
    // The approver who approved is mentioned in the thread under the approval message.
    const approval = live.slack.approval;
    const granting = env()
      .slack.callsTo('chat.postMessage')
      .filter((c) => c.args.thread_ts === approval?.ts && String(c.args.text).startsWith('<@U0BOB>'));
    expect(granting.map((c) => String(c.args.text))).toEqual([expect.stringContaining('Granted')]);

    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const revoked = dmPosts('U0ALICE').filter((t) => t.includes('revoked'));
    expect(revoked).toEqual([expect.stringContaining('<@U0ALICE> revoked')]);
    expect(threadPosts('U0BOB')).toEqual([
      expect.stringContaining('Granted'),
      expect.stringContaining('Revoked by <@U0ALICE>'),
    ]);
    expect((await env().store.get(id)).told).toEqual(
      expect.arrayContaining(['granted', 'thread:granted', 'ended', 'thread:ended']),
    );
  });

  it('denied, with the reason; nothing in the approvers’ thread (they decided it themselves)', async () => {
    const made = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${WHY}`);
    await env().waiting(made.executionArn, 'AwaitApproval');
    await noteCard(made.id);
    await env().ingress.deny('U0CAROL', made.id, 'Use the runbook instead');
    expect((await env().finished(made.executionArn)).status).toBe('SUCCEEDED');
    const denied = dmPosts('U0ALICE').filter((t) => t.includes('denied'));
    expect(denied).toEqual([expect.stringContaining('<@U0CAROL> denied')]);
    expect(denied[0]).toContain('Use the runbook instead');
    expect(threadPosts('U0CAROL')).toEqual([]);
  });

  it('ended at the end of the window, once, and a later reconciler pass or a repeated task tells nothing more', async () => {
    const { id, executionArn } = await granted(`svm1 vsadmin 2h ${WHY}`);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended' });
    const before = env().slack.messages.length;
    expect(dmPosts('U0ALICE').filter((t) => t.includes('ended'))).toHaveLength(1);

    // The reconciler, well past every grace, and the task's announcement run again (a retried task).
    await pass((NOTICE_GRACE_SECONDS + RECONCILE_PERIOD_SECONDS) * 1000);
    const rt = env().runtime;
    await announce(rt, await env().store.get(id), { approval: true, requester: true }, rt.logger);
    expect(env().slack.messages).toHaveLength(before);
  });
});

describe('a lost post', () => {
  it('stays owed in the record and the reconciler tells it after the grace, once', async () => {
    const made = await env().ingress.request('U0ALICE', `svm1 vsadmin 4h ${WHY}`);
    await env().waiting(made.executionArn, 'AwaitApproval');
    await noteCard(made.id);
    // Slack loses every new DM while the grant tells it; the card edits still go through.
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    await env().ingress.click('U0BOB', 'jit_approve', made.id);
    await env().waiting(made.executionArn, 'AwaitEnd');
    env().slack.faults.chooser = undefined;
    const owed = await env().store.get(made.id);
    expect(owed.status).toBe('ACTIVE');
    expect(owed.told ?? []).not.toContain('granted');
    expect(dmPosts('U0ALICE')).toEqual([]);

    // Within the grace the workflow may still be telling it: the reconciler leaves it alone.
    await pass((NOTICE_GRACE_SECONDS - 30) * 1000, owed.updatedAt);
    expect(dmPosts('U0ALICE')).toEqual([]);
    await pass((NOTICE_GRACE_SECONDS + 5) * 1000, owed.updatedAt);
    expect(dmPosts('U0ALICE')).toEqual([expect.stringContaining('is yours until')]);
    expect(threadPosts('U0BOB')).toEqual([expect.stringContaining('Granted')]);
    expect((await env().store.get(made.id)).told).toEqual(expect.arrayContaining(['granted', 'thread:granted']));

    // Told: another pass posts nothing.
    const after = env().slack.messages.length;
    await pass((NOTICE_GRACE_SECONDS + 10) * 1000, owed.updatedAt);
    await pass(0);
    expect(env().slack.messages).toHaveLength(after);
    await env().ingress.click('U0ALICE', 'jit_revoke', made.id);
    await env().finished(made.executionArn);
  });
});
