/**
 * Reminders and escalation of a pending request, per policy, through the signed ingress and the
 * real workflow on the scaled clock (an hour is a real second): thread replies mentioning the
 * approvers at the configured times, one escalation, none of them with a button, and all of it
 * stopping at the decision. A request approved before the first reminder costs what it did.
 */
import { configWith, rawPolicy } from '../support/configs';
import { useWorkflowEnv } from '../support/workflow-env';
import { checkBlockKit } from './block-kit-limits';

const policy = (name: string, changes: Record<string, unknown>) => ({
  ...rawPolicy(),
  name,
  approvers: { users: ['U0BOB', 'U0CAROL'] },
  endsSoonNotice: 'off',
  ...changes,
});
const config = configWith(
  [],
  [
    // Two real seconds between steps: a busy machine does not make them late enough to skip one.
    policy('svm1-operators', {
      approvalTimeout: '8h',
      reminders: { every: '2h', escalateAfter: '4h', escalateTo: { channel: 'C0ESCALATE' } },
    }),
    policy('svm1-quick', {
      approvalTimeout: '8h',
      reminders: { every: '2h', escalateAfter: '4h', escalateTo: { userGroup: 'S0ONCALL' } },
    }),
    // Three real seconds before the first reminder: room for a click on a busy machine.
    policy('svm1-slow', { approvalTimeout: '4h', reminders: { every: '3h' } }),
  ],
);
const env = useWorkflowEnv({ ingress: true, config });
const HOUR = 3600_000;
/** The reminder period of the policies with reminders. */
const EVERY = 2 * HOUR;

/** Replies in the approval thread that remind, with the business time each appeared in Slack. */
const seen: { text: string; at: number }[] = [];
const reminders = (): string[] => seen.filter((s) => s.text.includes(':bell: Reminder')).map((s) => s.text);

const seenTs = new Set<string>();
beforeAll(() => {
  env().slack.events.on('change', () => {
    const replies = env().slack.messages.filter((m) => m.threadTs !== undefined || m.channel === 'C0ESCALATE');
    for (const m of replies.filter((r) => !seenTs.has(`${r.channel}/${r.ts}`))) {
      seenTs.add(`${m.channel}/${m.ts}`);
      seen.push({ text: m.text, at: env().clock.now() });
    }
  });
});

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  seen.length = 0;
  seenTs.clear();
});

afterEach(() => {
  const posts = env().slack.callsTo('chat.postMessage');
  for (const call of posts) expect(checkBlockKit(call.args)).toEqual([]);
  // No reminder or escalation carries a button: approving happens on the approval message only.
  for (const call of posts.filter((c) => String(c.args.text).includes('Reminder') || c.args.channel === 'C0ESCALATE'))
    expect(JSON.stringify(call.args.blocks)).not.toContain('"actions"');
});

/** The next thread reply or escalation post to appear in Slack. */
function nextNudge(): Promise<void> {
  const before = seen.length;
  return new Promise((resolve) => {
    const check = (): void => {
      if (seen.length > before) {
        env().slack.events.off('change', check);
        resolve();
      }
    };
    env().slack.events.on('change', check);
  });
}

describe('reminders and escalation', () => {
  it('remind every two hours mentioning the approvers, escalate once at four, until it expires at eight', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600 });
    const created = Date.parse((await env().store.get(id)).createdAt);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const expired = await env().store.get(id);
    expect(expired).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout', reminders: 3 });

    // One a period (a step a busy machine made late sends one, numbered as the time says).
    const numbers = reminders().map((text) => Number(/Reminder (\d+):/.exec(text)?.[1]));
    expect(numbers.at(-1)).toBe(3);
    expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => a - b));
    for (const text of reminders()) expect(text).toMatch(/^<@U0BOB> <@U0CAROL> :bell:/);
    // At the configured times: reminder k never before k periods.
    const times = seen.filter((s) => s.text.includes(':bell:')).map((s) => s.at);
    for (const [i, at] of times.entries()) expect(at).toBeGreaterThanOrEqual(created + (numbers[i] ?? 0) * EVERY);
    const escalations = seen.filter((s) => s.text.includes('Escalated'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.at).toBeGreaterThanOrEqual(created + 2 * EVERY);
    const escalation = env().slack.messages.find((m) => m.channel === 'C0ESCALATE');
    const approval = expired.slack.approval;
    expect(escalation?.text).toContain(`<http://localhost/archives/C0APPROVALS/p${approval?.ts.replace('.', '')}|`);
    // Each reminder is a new wait with a fresh token; the nudges never added an approval.
    const entered = env().local.counters.execution(executionArn).statesEntered;
    expect(entered).toMatchObject({ CheckApproval: entered.AwaitApproval, ApprovalExpired: 1 });
    expect(entered.AwaitApproval).toBeGreaterThanOrEqual(3);
    expect(expired.approvals).toEqual([]);
  });

  it('shows on the requester’s card when the approvers were last reminded', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600 });
    await nextNudge();
    await env().waiting(executionArn, 'AwaitApproval');
    const pending = await env().store.get(id);
    expect(pending.remindedAt).toBeDefined();
    const card = env().slack.messages.find((m) => m.ts === pending.slack.requester?.ts);
    expect(JSON.stringify(card?.blocks)).toContain('Approvers last reminded <!date^');
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    await env().finished(executionArn);
  });

  it('stop at the decision: approved after the first reminder, nothing more is posted and access is granted', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 8 * 3600 });
    await nextNudge();
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    const decided = await env().store.get(id);
    if (decided.status !== 'ACTIVE') throw new Error(decided.status);
    const nudges = seen.filter((s) => s.text.includes(':bell:') || s.text.includes('Escalated')).length;
    expect(nudges).toBeGreaterThanOrEqual(1);
    // Well past where the next reminders and the escalation would be due.
    await new Promise<void>((resolve) => {
      const until = env().clock.now() + 2 * EVERY;
      const timer = setInterval(() => {
        if (env().clock.now() >= until) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const all = seen.filter((s) => s.text.includes(':bell:') || s.text.includes('Escalated'));
    expect(all).toHaveLength(nudges);
    // Nothing after the decision was recorded.
    for (const s of all) expect(s.at).toBeLessThanOrEqual(Date.parse(decided.decidedAt) + 1000);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', reminders: decided.reminders });
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('approved before the first reminder: the seven transitions of an approved lifecycle, no nudge', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600, policy: 'svm1-slow' });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).stateTransitions).toBe(7);
    expect(seen.filter((s) => s.text.includes(':bell:'))).toEqual([]);
  });

  it('a decision recorded while no wait took it (a click on an old token) is taken up at the next step', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 8 * 3600, policy: 'svm1-slow' });
    await env().waiting(executionArn, 'AwaitApproval');
    // Recorded, never signalled: the store alone knows.
    const at = new Date(env().clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect((await env().store.apply(id, { type: 'APPROVE', by: 'U0BOB', at })).ok).toBe(true);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(env().jitCalls('POST')).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('escalates to a user group in the approval thread, mentioning it', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600, policy: 'svm1-quick' });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', reminders: 3 });
    const escalations = env().slack.messages.filter((m) => m.text.startsWith('<!subteam^S0ONCALL> :rotating_light:'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.threadTs).toBe((await env().store.get(id)).slack.approval?.ts);
  });
});
