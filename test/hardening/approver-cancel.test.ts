/**
 * An approver stops an approved request before its access starts: through the signed Slack
 * ingress (the confirmation on the button, then a reason modal), the real workflow waiting for the
 * scheduled start, and the ONTAP simulator. The reason is recorded, the requester is told at once,
 * and the workflow ends at the start without granting anything.
 */
import { toUtcSecond } from '../../lambdas/domain/durations';
import { nowOf } from '../../lambdas/runtime/clock';
import { trail } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true });

const REASON = 'The storage migration moved to next week';
const dmTexts = (userId: string): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(userId))
    .map((m) => m.text);
const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

/** A request starting in three hours, approved by U0BOB through the ingress; the workflow waits for its start. */
async function approvedAhead(): Promise<{ id: string; executionArn: string }> {
  const requestedStart = toUtcSecond(nowOf(env().clock).plus({ hours: 3 }));
  const made = await env().submit({ requestedStart, durationSeconds: 2 * 3600 });
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().ingress.click('U0BOB', 'jit_approve', made.id);
  await env().local.sfn.whenEntered(made.executionArn, 'WaitForStart');
  expect(await env().store.get(made.id)).toMatchObject({ status: 'APPROVED' });
  return made;
}

/** Clicks Cancel as `user`; the reason modal it opened, if any. */
async function clickCancel(user: string, id: string): Promise<{ viewId?: string; reply: string }> {
  const before = new Set(env().slack.views.keys());
  const { responses } = await env().ingress.click(user, 'jit_cancel', id);
  const opened = [...env().slack.views.keys()].filter((k) => !before.has(k));
  return { ...(opened[0] !== undefined ? { viewId: opened[0] } : {}), reply: texts(responses()) };
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

describe('an approver cancelling an approved request before its start', () => {
  it('confirms, asks why, records the reason, tells the requester at once, and nothing is granted', async () => {
    const { id, executionArn } = await approvedAhead();
    const message = env().slack.messages.find((m) => m.channel === 'C0APPROVALS' && m.text.includes(id));
    // The approved message keeps one button: Cancel, asking to confirm first.
    expect(JSON.stringify(message?.blocks)).toContain('"action_id":"jit_cancel"');
    expect(JSON.stringify(message?.blocks)).toContain('Cancel this request?');

    const { viewId } = await clickCancel('U0CAROL', id);
    if (!viewId) throw new Error('no reason modal opened');
    // An empty reason is refused in the modal and changes nothing.
    const empty = await env().ingress.submitView('U0CAROL', viewId, { reason: '   ' });
    const refusal = { response_action: 'errors', errors: { reason: 'Say why the request is cancelled.' } };
    expect(empty.json()).toEqual(refusal);
    expect(await env().store.get(id)).toMatchObject({ status: 'APPROVED' });

    expect((await env().ingress.submitView('U0CAROL', viewId, { reason: REASON })).body).toBe('');
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0CAROL', reason: REASON });
    // Told before the workflow gets to the start: a new DM with who and why.
    expect(dmTexts('U0ALICE').join('\n')).toContain(`<@U0CAROL> cancelled your approved request \`${id}\``);
    expect(dmTexts('U0ALICE').join('\n')).toContain(REASON);
    expect(JSON.stringify(env().slack.messages.find((m) => m.ts === message?.ts)?.blocks)).toContain(REASON);

    // The same modal sent again (a double submit or a Slack retry) is refused and changes nothing.
    const again = await env().ingress.submitView('U0CAROL', viewId, { reason: 'again' });
    expect(JSON.stringify(again.json())).toContain('already cancelled by @U0CAROL');

    // The workflow re-reads the record at the start and ends without granting.
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const entered = env().local.counters.execution(executionArn).statesEntered;
    expect(entered).toMatchObject({ CheckBeforeGrant: 1, Cancelled: 1 });
    expect(entered.Grant).toBeUndefined();
    expect(env().jitCalls('POST')).toEqual([]);
    expect(env().sim.jitEntries()).toEqual([]);
    expect(await trail(env().store, id)).toEqual(['REQUESTED:PENDING', 'APPROVE:APPROVED', 'CANCEL:CANCELLED']);
  });

  it('the requester cancels their approved request at once, without a reason', async () => {
    const { id, executionArn } = await approvedAhead();
    const { viewId } = await clickCancel('U0ALICE', id);
    expect(viewId).toBeUndefined();
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0ALICE' });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().jitCalls('POST')).toEqual([]);
  });

  it('is refused to someone who is not an approver, and to an approver once the access is live', async () => {
    const { id, executionArn } = await approvedAhead();
    const stranger = await clickCancel('U0EVE', id);
    expect(stranger.viewId).toBeUndefined();
    expect(stranger.reply).toMatch(/Only the requester, or an approver/);
    expect(await env().store.get(id)).toMatchObject({ status: 'APPROVED' });

    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST')).toHaveLength(1);
    const late = await clickCancel('U0BOB', id);
    expect(late.viewId).toBeUndefined();
    expect(late.reply).toMatch(/This request has already been granted/);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });

    await env().ingress.click('U0BOB', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().sim.jitEntries()).toEqual([]);
  });
});
