/**
 * The window granted is the window the approver saw: through the signed Slack ingress, the real
 * workflow on the local runner and the ONTAP simulator. A scheduled request keeps its requested
 * end however late it is approved, its approval wait ends before that end, and ONTAP's start_time
 * and jit_validity are the recorded window, to the second.
 */
import { DateTime } from 'luxon';
import { toIsoDuration, toUtcSecond } from '../../lambdas/domain/durations';
import type { AccessRequest } from '../../lambdas/domain/request';
import { checkApproval } from '../../lambdas/lifecycle/await-approval';
import { RequestInvalidError } from '../../lambdas/lifecycle/errors';
import { grantAccess } from '../../lambdas/lifecycle/grant';
import { nowOf } from '../../lambdas/runtime/clock';
import { slackDate } from '../../lambdas/slack/blocks/escape';
import { entriesPastApproval, trail } from '../support/hardening';
import { pendingRequest } from '../support/requests';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true });

const APPROVALS = 'C0APPROVALS';
const hoursFromNow = (hours: number): string => toUtcSecond(nowOf(env().clock).plus({ hours }));
const plusSeconds = (iso: string, seconds: number): string =>
  toUtcSecond(DateTime.fromISO(iso, { zone: 'utc' }).plus({ seconds }));
const seconds = (window: { start: string; end: string }): number =>
  (Date.parse(window.end) - Date.parse(window.start)) / 1000;
const approvalMessageOf = (id: string) =>
  env().slack.messages.find((m) => m.channel === APPROVALS && !m.threadTs && m.text.includes(id));
const dmOf = (userId: string, id: string) =>
  env().slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(userId) && m.text.includes(id));
/** ONTAP's way of writing a UTC instant in a request body. */
const ontapTime = (iso: string): string => `${iso.slice(0, 19)}+00:00`;

async function granted(id: string): Promise<Extract<AccessRequest, { status: 'ACTIVE' }>> {
  const request = await env().store.get(id);
  if (request.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${request.status}`);
  return request;
}

/** Clicks "Revoke now" through the ingress and waits for the workflow to end. */
async function endIt(id: string, executionArn: string): Promise<void> {
  await env().ingress.click('U0ALICE', 'jit_revoke', id);
  expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  expect(env().sim.jitEntries()).toEqual([]);
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

describe('an immediate request', () => {
  it('is shown as "for 2 hours from approval", and granted for exactly 2 hours from the grant', async () => {
    const asked = 'svm1 vsadmin 2h Resync the mirror of vol_finance';
    const { id, executionArn } = await env().ingress.request('U0ALICE', asked);
    await env().waiting(executionArn, 'AwaitApproval');
    const message = approvalMessageOf(id);
    expect(JSON.stringify(message?.blocks)).toContain('for *2 hours* from approval');

    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    const active = await granted(id);
    expect(seconds(active.window)).toBe(2 * 3600);
    const [post] = env().jitCalls('POST');
    expect(post?.body).toMatchObject({ start_time: ontapTime(active.window.start), jit_validity: 'PT2H' });
    await endIt(id, executionArn);
  });
});

describe('a scheduled request', () => {
  it('approved before its start is granted exactly the requested window', async () => {
    const requestedStart = hoursFromNow(1);
    const { id, executionArn } = await env().submit({ requestedStart, durationSeconds: 2 * 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    const requestedEnd = plusSeconds(requestedStart, 2 * 3600);
    // Start and end, in each reader's time zone.
    const shown = `from ${slackDate(requestedStart)} to ${slackDate(requestedEnd)}`;
    expect(JSON.stringify(approvalMessageOf(id)?.blocks)).toContain(shown);

    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    const active = await granted(id);
    expect(active.window).toEqual({ start: requestedStart, end: requestedEnd });
    const [post] = env().jitCalls('POST');
    expect(post?.body).toMatchObject({ start_time: ontapTime(requestedStart), jit_validity: 'PT2H' });
    await endIt(id, executionArn);
  });

  it('approved after its start keeps its requested end: ONTAP gets what is left, shown the same', async () => {
    // Asked for 6 hours from an hour ago (approval took that long): 5 hours are left.
    const requestedStart = hoursFromNow(-1);
    const requestedEnd = plusSeconds(requestedStart, 6 * 3600);
    const { id, executionArn } = await env().submit({ requestedStart, durationSeconds: 6 * 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    expect(JSON.stringify(approvalMessageOf(id)?.blocks)).toContain(`to ${slackDate(requestedEnd)}`);

    const approvedAt = nowOf(env().clock).toMillis();
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    const active = await granted(id);

    // The end is the one approved, not the approval time plus the full duration.
    expect(active.window.end).toBe(requestedEnd);
    expect(Date.parse(active.window.start)).toBeGreaterThanOrEqual(Math.floor(approvedAt / 1000) * 1000);
    const left = seconds(active.window);
    expect(left).toBeLessThan(5 * 3600);
    expect(left).toBeGreaterThan(3600);

    // ONTAP's entry is the recorded window, to the second.
    const posts = env().jitCalls('POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({
      owner: { uuid: SVM_UUID.svm1 },
      account: { name: 'alice' },
      start_time: ontapTime(active.window.start),
      jit_validity: toIsoDuration(left),
    });
    expect(entriesPastApproval(env().sim.jitEntries(), [active])).toEqual([]);

    // The approval message, the requester's DM and /jit list show that same window.
    const shown = `from ${slackDate(active.window.start)} to ${slackDate(active.window.end)}`;
    expect(JSON.stringify(approvalMessageOf(id)?.blocks)).toContain(shown);
    expect(JSON.stringify(dmOf('U0ALICE', id).at(-1)?.blocks)).toContain(shown);
    const { responses } = await env().ingress.command('U0ALICE', 'list');
    expect(JSON.stringify(responses())).toContain(shown);

    await endIt(id, executionArn);
  });

  it('waits for approval no longer than its window lasts, then expires with nothing sent to ONTAP', async () => {
    // One hour from ten minutes from now; the policy would wait four hours for an approval.
    const requestedStart = toUtcSecond(nowOf(env().clock).plus({ minutes: 10 }));
    const requestedEnd = plusSeconds(requestedStart, 3600);
    const { id, executionArn } = await env().submit({ requestedStart, durationSeconds: 3600 });
    const submitted = await env().store.get(id);
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ ApprovalExpired: 1 });
    const expired = await env().store.get(id);
    expect(expired).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout' });
    // The wait was set to end once less than the policy's minimum (15 minutes) would be left: read from
    // the timeout the workflow used, not from when it fired (a loaded machine moves the scaled clock on).
    const { validation } = JSON.parse(done.output ?? '{}') as { validation?: { approvalTimeoutSeconds?: number } };
    const lastUseful = (Date.parse(requestedEnd) - 15 * 60 * 1000 - Date.parse(submitted.createdAt)) / 1000;
    expect(validation?.approvalTimeoutSeconds).toBeGreaterThan(0);
    expect(validation?.approvalTimeoutSeconds).toBeLessThanOrEqual(lastUseful);

    // A late click changes nothing and reaches nothing.
    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(JSON.stringify(responses())).toContain('expired');
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED' });
    expect(env().jitCalls('POST')).toEqual([]);
    expect(env().sim.jitEntries()).toEqual([]);
  });

  it('waiting again after a partial approval still ends before its window would be used up', async () => {
    // A 2-of-M request from two hours from now, for an hour: the wait may last 2 h 45 min, not the policy's 4 hours.
    // (2.75 s at 3600×: room for the click and the stray signal to land during the first wait on a loaded machine.)
    const requestedStart = toUtcSecond(nowOf(env().clock).plus({ hours: 2 }));
    const requestedEnd = plusSeconds(requestedStart, 3600);
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0DAVE', ontapAccount: 'storage.ops' },
      svm: { name: 'cluster1' },
      role: 'admin',
      policy: 'cluster-admin',
      approvalsRequired: 2,
      requestedStart,
      durationSeconds: 3600,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    // The wait is resumed while the request is still pending (a stray or repeated signal): it waits again.
    const { tokens } = await env().store.getStored(id);
    await env().workflow.resumeApproval(tokens.approval ?? '', { decision: 'APPROVED' });
    await env().local.sfn.whenEntered(executionArn, 'RenewApprovalWait');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const entered = env().local.counters.execution(executionArn).statesEntered;
    expect(entered).toMatchObject({ AwaitApproval: 2, ApprovalExpired: 1 });
    const expired = await env().store.get(id);
    expect(expired).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout' });
    expect(Date.parse(expired.status === 'EXPIRED' ? expired.endedAt : '')).toBeLessThan(Date.parse(requestedEnd));
    expect(env().jitCalls('POST')).toEqual([]);
  });

  it("approved with less than the policy's minimum left expires, nothing granted, the requester told", async () => {
    // 2 h 10 min from two hours ago, approved now: 10 minutes are left, less than the 15-minute minimum.
    const now = nowOf(env().clock).startOf('second');
    const requestedStart = toUtcSecond(now.minus({ hours: 2 }));
    const late = { requestedStart, durationSeconds: 2 * 3600 + 600, svm: { name: 'svm1', uuid: SVM_UUID.svm1 } };
    const request = await env().store.create(pendingRequest(late));
    expect((await env().store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: toUtcSecond(now) })).ok).toBe(true);

    // CheckApproval as the workflow runs it after the approval wait, at a fixed instant.
    const rt = env().runtime;
    const clock = { now: () => now.toMillis() };
    const input = { requestId: request.id, phase: 'approval' as const, wait: { decision: 'APPROVED' } };
    const out = await checkApproval({ ...rt, clock }, input, rt.logger);
    expect(out).toEqual({ route: 'EXPIRED' });
    expect(await env().store.get(request.id)).toMatchObject({ status: 'EXPIRED', expiry: 'window-passed' });
    expect(await trail(env().store, request.id)).toEqual([
      'REQUESTED:PENDING',
      'APPROVE:APPROVED',
      'WINDOW_PASSED:EXPIRED',
    ]);
    const told = dmOf('U0ALICE', request.id)
      .map((m) => m.text)
      .join('\n');
    expect(told).toMatch(/approved too late: too little of the window you asked for was left/);

    // A grant that runs anyway (a retried step) refuses too, before calling the cluster.
    const other = await env().store.create(pendingRequest(late));
    await env().store.apply(other.id, { type: 'APPROVE', by: 'U0BOB', at: toUtcSecond(now) });
    const grant = { requestId: other.id, start: toUtcSecond(now), sessionValiditySeconds: 3600 };
    await expect(grantAccess({ ...rt, clock }, grant, rt.logger)).rejects.toThrow(RequestInvalidError);
    expect(env().jitCalls('POST')).toEqual([]);
    expect(env().sim.jitEntries()).toEqual([]);
  });

  it('whose window has all but passed is refused before anyone is asked, with the reason', async () => {
    const requestedStart = toUtcSecond(nowOf(env().clock).minus({ minutes: 50 }));
    const { id, executionArn } = await env().submit({ requestedStart, durationSeconds: 3600 });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Refused: 1 });
    const failed = await env().store.get(id);
    const reason = failed.status === 'FAILED' && failed.reason;
    expect(reason).toMatch(/ends too soon to be approved and granted \(at least 15 minutes/);
    expect(env().slack.messages.filter((m) => m.channel === APPROVALS)).toEqual([]);
    expect(env().jitCalls('POST')).toEqual([]);
  });
});
