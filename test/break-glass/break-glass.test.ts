/**
 * Break-glass, end to end: the request modal through the signed ingress, the real workflow on the
 * local runner (an hour is a real second), the ONTAP simulator and the Slack stand-in. Only the
 * people the policy names get access without approval, only up to its maximum, after every usual
 * check; it is announced loudly once per request and counted; the approvers review it afterwards
 * (never the requester), and a review nobody made is escalated once by the reconciler.
 */
import type { AccessRequest } from '../../lambdas/domain/request';
import { type ReconcileResult, reconcile } from '../../lambdas/lifecycle/reconcile';
import { executionArnFor } from '../../lambdas/stepfunctions/client';
import { checkBlockKit } from '../notifications/block-kit-limits';
import { APPROVAL_CHANNEL, policiesWith } from '../support/configs';
import { submissionOf } from '../support/slack';
import { useWorkflowEnv } from '../support/workflow-env';

const config = policiesWith(
  {
    'svm1-operators': {
      roles: ['vsadmin'],
      endsSoonNotice: 'off',
      breakGlass: {
        who: { users: ['U0ALICE'], groups: ['S0STORAGE'] },
        maxDuration: '2h',
        mention: '@here',
        reviewWithin: '3h',
      },
    },
  },
  { only: true, accounts: { U0ERIN: 'frank-mfa' } },
);
const env = useWorkflowEnv({ ingress: true, config });

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

afterEach(() => {
  for (const call of env().slack.callsTo('chat.postMessage')) expect(checkBlockKit(call.args)).toEqual([]);
  for (const call of env().slack.callsTo('views.open')) expect(checkBlockKit(call.args)).toEqual([]);
});

const REASON = 'INC-4711: svm1 NFS exports down, on-call needs vsadmin';

/** `/jit` as `user`, then the modal it opened, submitted with `answers` (by block kind). */
async function submitModal(user: string, answers: Record<string, string | null>) {
  const before = new Set(env().slack.views.keys());
  await env().ingress.command(user, '');
  const opened = [...env().slack.views.keys()].filter((k) => !before.has(k));
  if (opened.length !== 1) throw new Error('/jit opened no modal');
  const viewId = opened[0] as string;
  const view = JSON.stringify(env().slack.views.get(viewId)?.view);
  const form = {
    target: 'cluster1/svm1',
    role: 'vsadmin',
    duration: '1h',
    start_mode: 'now',
    justification: 'Restore the exports before the batch window',
    ...answers,
  };
  const answer = await env().ingress.submitView(user, viewId, form);
  return { answer, view, viewId };
}

/** Ids of the requests `user` has made so far. */
async function idsOf(user: string): Promise<Set<string>> {
  return new Set((await env().store.listByRequester(user)).map((r) => r.id));
}

/** The request `user` made after `before`, and its execution. */
async function requestOf(user: string, before: Set<string>): Promise<AccessRequest & { executionArn: string }> {
  for (let i = 0; i < 2000; i++) {
    const r = (await env().store.listByRequester(user)).find((x) => !before.has(x.id));
    if (r) return { ...r, executionArn: executionArnFor(env().local.stateMachineArn, r.id) };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no new request of ${user}`);
}

const announcements = () =>
  env()
    .slack.callsTo('chat.postMessage')
    .filter((c) => c.args.channel === APPROVAL_CHANNEL && String(c.args.text).includes('BREAK-GLASS'));
const metric = (name: string) =>
  [...env().logs].filter((l) => l.includes('"_aws"') && l.includes(`"${name}"`)).map((l) => JSON.parse(l)[name]);
const dmsTo = (user: string): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(user))
    .map((m) => m.text);

/** A reconciler pass as the schedule would run it `aheadMs` of business time from now. */
async function pass(aheadMs: number): Promise<ReconcileResult> {
  const rt = env().runtime;
  const clock = { now: () => env().clock.now() + aheadMs };
  return reconcile({ ...rt, clock }, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }));
}

describe('break-glass from the request modal', () => {
  it('grants a named person at once, announces it once with the mention, counts it, and records it', async () => {
    const usedBefore = metric('BreakGlassUsed').length;
    const before = await idsOf('U0ALICE');
    const { answer, view } = await submitModal('U0ALICE', { approval_mode: 'break-glass', break_glass_reason: REASON });
    expect(view).toContain('Break-glass: grant it to me now');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const made = await requestOf('U0ALICE', before);
    await env().waiting(made.executionArn, 'AwaitEnd');

    // On the cluster: alice's entry, for the hour asked, with nobody's approval.
    const entries = env().sim.jitEntries() as { account?: { name?: string }; comment?: string }[];
    expect(entries).toHaveLength(1);
    const live = await env().store.get(made.id);
    expect(live).toMatchObject({ status: 'ACTIVE', approvals: [], breakGlass: { reason: REASON, mention: '@here' } });
    if (live.status !== 'ACTIVE') throw new Error('not granted');
    expect(Date.parse(live.window.end) - Date.parse(live.window.start)).toBe(3600_000);
    expect(live.breakGlass?.usedAt).toBeDefined();
    // Announced once, with the mention in the text Slack notifies with, and the review buttons once granted.
    expect(announcements()).toHaveLength(1);
    expect(String(announcements()[0]?.args.text)).toMatch(/^<!here> BREAK-GLASS/);
    const card = env().slack.messages.find((m) => m.ts === live.slack.approval?.ts);
    expect(JSON.stringify(card?.blocks)).toContain('jit_break_glass_acknowledge');
    expect(JSON.stringify(card?.blocks)).not.toContain('jit_approve');
    expect(metric('BreakGlassUsed').length - usedBefore).toBe(1);
    const trail = await env().store.auditTrail(made.id);
    expect(trail.map((e) => e.type)).toEqual(['REQUESTED', 'BREAK_GLASS', 'GRANTED']);
    expect(trail[1]).toMatchObject({ actor: 'U0ALICE', from: 'PENDING', to: 'APPROVED' });
    expect(trail[1]?.detail).toContain(REASON);
    // The usual path: no more state transitions than an approved lifecycle's (straight to the grant).
    const entered = env().local.counters.execution(made.executionArn).statesEntered;
    expect(entered).toMatchObject({ Validate: 1, AwaitApproval: 1, RouteDecision: 1, Grant: 1 });
    expect(entered.CheckApproval).toBeUndefined();

    // The review: not by the requester, not by someone who is not an approver; once by an approver.
    const own = await env().ingress.click('U0ALICE', 'jit_break_glass_acknowledge', made.id);
    expect(JSON.stringify(own.responses())).toContain('your own request');
    const stranger = await env().ingress.click('U0DAVE', 'jit_break_glass_acknowledge', made.id);
    expect(JSON.stringify(stranger.responses())).toMatch(/not an approver|approvers/);
    expect((await env().store.get(made.id)).breakGlass?.review).toBeUndefined();
    await Promise.all([
      env().ingress.click('U0BOB', 'jit_break_glass_acknowledge', made.id),
      env().ingress.click('U0BOB', 'jit_break_glass_acknowledge', made.id, { retryNum: 1 }),
      env().ingress.click('U0CAROL', 'jit_break_glass_acknowledge', made.id),
    ]);
    const reviewed = await env().store.get(made.id);
    expect(reviewed.breakGlass?.review).toMatchObject({ outcome: 'acknowledged' });
    const reviews = (await env().store.auditTrail(made.id)).filter((e) => e.type === 'BREAK_GLASS_REVIEWED');
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.actor).toBe(reviewed.breakGlass?.review?.by);
    const updated = env().slack.messages.find((m) => m.ts === live.slack.approval?.ts);
    expect(JSON.stringify(updated?.blocks)).toContain('Acknowledged by');
    expect(JSON.stringify(updated?.blocks)).not.toContain('jit_break_glass_acknowledge');
    expect(dmsTo('U0ALICE').filter((t) => t.includes('was :ballot_box_with_check: acknowledged'))).toHaveLength(1);
    // Reviewed: nothing to escalate, however late.
    await pass(24 * 3600_000);
    expect(announcements()).toHaveLength(1);

    await env().ingress.click('U0ALICE', 'jit_revoke', made.id);
    expect((await env().finished(made.executionArn)).status).toBe('SUCCEEDED');
    expect(env().sim.jitEntries()).toHaveLength(0);
    // No state added: the 7 transitions of an approved lifecycle.
    const counts = env().local.counters.execution(made.executionArn);
    expect(counts.stateTransitions).toBe(7);
  });

  it('is not offered to, and refused for, someone the policy does not name: nothing recorded', async () => {
    const before = new Set(env().slack.views.keys());
    await env().ingress.command('U0DAVE', '');
    const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
    expect(JSON.stringify(env().slack.views.get(viewId)?.view)).not.toContain('approval_mode');
    // A forged choice the modal never offered is refused by the app itself.
    const payload = submissionOf(env().slack, 'U0DAVE', viewId, {
      target: 'cluster1/svm1',
      role: 'vsadmin',
      duration: '1h',
      start_mode: 'now',
      justification: 'Restore the exports before the batch window',
    }) as { view: { state: { values: Record<string, unknown> } } };
    const plain = (text: string) => ({ type: 'plain_text', text });
    payload.view.state.values.approval_mode = {
      approval_mode: { type: 'radio_buttons', selected_option: { text: plain('x'), value: 'break-glass' } },
    };
    payload.view.state.values.break_glass_reason = { break_glass_reason: { type: 'plain_text_input', value: REASON } };
    const { answer } = await env().ingress.interact(payload);
    expect(answer.json()).toMatchObject({ response_action: 'errors' });
    expect(answer.body).toContain('not one of the people who may use break-glass');
    expect(await env().store.listByRequester('U0DAVE')).toHaveLength(0);
    expect(env().sim.jitEntries()).toHaveLength(0);
  });

  it('refuses more than its maximum, and a missing reason, in the modal: nothing recorded', async () => {
    const over = await submitModal('U0ALICE', {
      duration: '3h',
      approval_mode: 'break-glass',
      break_glass_reason: REASON,
    });
    const before = await idsOf('U0ALICE');
    expect(over.answer.json()).toMatchObject({
      response_action: 'errors',
      errors: { 'duration@svm1-operators': expect.stringContaining('Break-glass lasts at most 2 hours') },
    });
    const bare = await submitModal('U0ALICE', { approval_mode: 'break-glass', break_glass_reason: null });
    expect(bare.answer.json()).toMatchObject({
      response_action: 'errors',
      errors: { break_glass_reason: expect.stringContaining('Say what the emergency is') },
    });
    expect(await idsOf('U0ALICE')).toEqual(before);
    // `/jit` on one line never does break-glass: it says how to.
    const { responses } = await env().ingress.command('U0ALICE', `break-glass svm1 vsadmin 1h ${REASON}`);
    expect(JSON.stringify(responses())).toContain('type `/jit` alone to open the form');
    expect(await idsOf('U0ALICE')).toEqual(before);
  });

  it('runs every usual check: an account whose ssh login JIT cannot use fails validation', async () => {
    const usedBefore = metric('BreakGlassUsed').length;
    // Erin is named through the S0STORAGE group; her ONTAP account logs in with multi-factor ssh.
    const { answer, view } = await submitModal('U0ERIN', { approval_mode: 'break-glass', break_glass_reason: REASON });
    expect(view).toContain('approval_mode');
    expect(answer.body).toBe('');
    const made = await requestOf('U0ERIN', new Set());
    expect((await env().finished(made.executionArn)).status).toBe('SUCCEEDED');
    const failed = await env().store.get(made.id);
    expect(failed).toMatchObject({ status: 'FAILED', stage: 'validation' });
    expect(failed.breakGlass?.usedAt).toBeUndefined();
    expect(env().jitCalls('POST')).toHaveLength(0);
    expect(announcements()).toHaveLength(0);
    expect(metric('BreakGlassUsed').length - usedBefore).toBe(0);
  });
});

describe('the review afterwards', () => {
  it('a flag needs a note; a missed review is escalated once by the reconciler and counted', async () => {
    const before = await idsOf('U0ALICE');
    await submitModal('U0ALICE', { approval_mode: 'break-glass', break_glass_reason: REASON });
    const made = await requestOf('U0ALICE', before);
    await env().waiting(made.executionArn, 'AwaitEnd');
    const unreviewed = metric('BreakGlassUnreviewed').reduce((a: number, b: number) => a + b, 0);

    // Before its due time (3 hours): nothing.
    await pass(2 * 3600_000);
    const escalations = () =>
      env()
        .slack.messages.filter((m) => m.channel === APPROVAL_CHANNEL && m.text.includes('has not been reviewed'))
        .map((m) => m.text);
    expect(escalations()).toHaveLength(0);
    // Past it: escalated once, under the announcement, with the mention; a later pass does not repeat it.
    const first = await pass(3 * 3600_000 + 60_000);
    expect(first.events['break-glass-escalated']).toBe(1);
    await pass(5 * 3600_000);
    expect(escalations()).toHaveLength(1);
    expect(escalations()[0]).toMatch(/^<!here> /);
    const counted = metric('BreakGlassUnreviewed').reduce((a: number, b: number) => a + b, 0);
    expect(counted - unreviewed).toBe(1);

    // Flag: the person is checked before the modal opens; the note is required.
    const views = new Set(env().slack.views.keys());
    await env().ingress.click('U0CAROL', 'jit_break_glass_flag', made.id);
    const flagView = [...env().slack.views.keys()].find((k) => !views.has(k)) as string;
    const empty = await env().ingress.submitView('U0CAROL', flagView, { break_glass_note: null });
    expect(empty.json()).toMatchObject({ response_action: 'errors' });
    expect((await env().store.get(made.id)).breakGlass?.review).toBeUndefined();
    const flagged = await env().ingress.submitView('U0CAROL', flagView, { break_glass_note: 'No incident was open' });
    expect(flagged.status).toBe(200);
    expect((await env().store.get(made.id)).breakGlass?.review).toMatchObject({
      outcome: 'flagged',
      by: 'U0CAROL',
      note: 'No incident was open',
    });
    const trail = await env().store.auditTrail(made.id);
    expect(trail.find((e) => e.type === 'BREAK_GLASS_REVIEWED')?.detail).toBe(
      'break-glass flagged: No incident was open',
    );
    expect(dmsTo('U0ALICE').some((t) => t.includes('flagged by <@U0CAROL>'))).toBe(true);

    await env().ingress.click('U0ALICE', 'jit_revoke', made.id);
    await env().finished(made.executionArn);
  });
});
