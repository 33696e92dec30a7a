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
    policy('svm1-operators', {
      approvalTimeout: '4h',
      reminders: { every: '1h', escalateAfter: '2h', escalateTo: { channel: 'C0ESCALATE' } },
    }),
    policy('svm1-quick', {
      approvalTimeout: '30m',
      reminders: { every: '10m', escalateAfter: '20m', escalateTo: { userGroup: 'S0ONCALL' } },
    }),
  ],
);
const env = useWorkflowEnv({ ingress: true, config });
const HOUR = 3600_000;

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
  it('remind every hour mentioning the approvers, escalate once at two hours, until it expires at four', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600 });
    const created = Date.parse((await env().store.get(id)).createdAt);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const expired = await env().store.get(id);
    expect(expired).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout', reminders: 3 });

    expect(reminders()).toEqual([1, 2, 3].map((n) => expect.stringContaining(`Reminder ${n}:`)));
    for (const text of reminders()) expect(text).toMatch(/^<@U0BOB> <@U0CAROL> :bell:/);
    const times = seen.filter((s) => s.text.includes(':bell:')).map((s) => s.at);
    // At the configured times: never early, each before the next is due.
    times.forEach((at, k) => {
      expect(at).toBeGreaterThanOrEqual(created + (k + 1) * HOUR);
      expect(at).toBeLessThan(created + (k + 2) * HOUR);
    });
    const escalations = seen.filter((s) => s.text.includes('Escalated'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.at).toBeGreaterThanOrEqual(created + 2 * HOUR);
    const escalation = env().slack.messages.find((m) => m.channel === 'C0ESCALATE');
    const approval = expired.slack.approval;
    expect(escalation?.text).toContain(`<http://localhost/archives/C0APPROVALS/p${approval?.ts.replace('.', '')}|`);
    // Each reminder is a new wait with a fresh token; the nudges never added an approval.
    const entered = env().local.counters.execution(executionArn).statesEntered;
    expect(entered).toMatchObject({ AwaitApproval: 4, CheckApproval: 4, ApprovalExpired: 1 });
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
    const nudges = seen.filter((s) => s.text.includes(':bell:') || s.text.includes('Escalated')).length;
    expect(nudges).toBe(1);
    // Well past where the next reminders and the escalation would be due.
    await new Promise<void>((resolve) => {
      const until = env().clock.now() + 3 * HOUR;
      const timer = setInterval(() => {
        if (env().clock.now() >= until) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    expect(seen.filter((s) => s.text.includes(':bell:') || s.text.includes('Escalated'))).toHaveLength(nudges);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', reminders: 1 });
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('approved before the first reminder: the eight transitions of an approved lifecycle, no nudge', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 2 * 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).stateTransitions).toBe(8);
    expect(seen.filter((s) => s.text.includes(':bell:'))).toEqual([]);
  });

  it('a decision recorded while no wait took it (a click on an old token) is taken up at the next step', async () => {
    const { id, executionArn } = await env().submit({ durationSeconds: 8 * 3600 });
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
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', reminders: 2 });
    const escalations = env().slack.messages.filter((m) => m.text.startsWith('<!subteam^S0ONCALL> :rotating_light:'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.threadTs).toBe((await env().store.get(id)).slack.approval?.ts);
  });
});
