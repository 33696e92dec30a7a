/**
 * "Ends soon": the end wait wakes at end − notice, tells the requester with a new DM (never
 * before that time, never after the end), then waits out the rest; "Revoke now" still ends the
 * grant at once in either wait. Through the signed ingress and the real workflow on the scaled
 * clock. The notice is two hours here (two real seconds), so a busy machine cannot make it late.
 */
import { parseDuration } from '../../lambdas/domain/durations';
import { NOTICE_GRACE_SECONDS } from '../../lambdas/domain/milestones';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { policyWith } from '../support/configs';
import { useWorkflowEnv } from '../support/workflow-env';
import { checkBlockKit } from './block-kit-limits';

const config = policyWith('svm1-operators', { endsSoonNotice: '2h' });
const quick = config.policies.find((p) => p.name === 'svm1-quick');
if (quick) Object.assign(quick, { endsSoonNotice: 'off' });
const env = useWorkflowEnv({ ingress: true, config });
const NOTICE_MS = parseDuration('2h') * 1000;

/** When (business ms) each DM to alice that says her access ends soon appeared in Slack. */
const endsSoonSeen: number[] = [];
const endsSoonDms = (): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf('U0ALICE') && m.text.includes(' ends '))
    .map((m) => JSON.stringify(m.blocks));

beforeAll(() => {
  let seen = 0;
  env().slack.events.on('change', () => {
    const now = endsSoonDms().length;
    for (; seen < now; seen++) endsSoonSeen.push(env().clock.now());
  });
});

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().slack.faults.chooser = undefined;
  endsSoonSeen.length = 0;
});

afterEach(() => {
  for (const call of env().slack.callsTo('chat.postMessage')) expect(checkBlockKit(call.args)).toEqual([]);
});

/** Alice's request, approved by Bob through the button, granted and in its first end wait. */
async function granted(hours: number, policy = 'svm1-operators'): Promise<{ id: string; executionArn: string }> {
  const made = await env().submit({ durationSeconds: hours * 3600, policy });
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().ingress.click('U0BOB', 'jit_approve', made.id);
  await env().waiting(made.executionArn, 'AwaitEnd');
  return made;
}

describe('ends soon', () => {
  it('is told once at end − notice, with the end time; the grant then runs to its exact end', async () => {
    const { id, executionArn } = await granted(5);
    const live = await env().store.get(id);
    if (live.status !== 'ACTIVE') throw new Error(live.status);
    const end = Date.parse(live.window.end);
    expect(live.endsSoonAt).toBe(new Date(end - NOTICE_MS).toISOString().replace('.000Z', 'Z'));

    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(endsSoonDms()).toEqual([expect.stringContaining('ends <!date^')]);
    expect(endsSoonDms()[0]).toContain('in about 2 hours');
    // Never before its time, and before the end.
    expect(endsSoonSeen).toHaveLength(1);
    expect(endsSoonSeen[0]).toBeGreaterThanOrEqual(end - NOTICE_MS);
    expect(endsSoonSeen[0]).toBeLessThan(end);
    const entered = env().local.counters.execution(executionArn).statesEntered;
    expect(entered).toMatchObject({ AwaitEnd: 2, PlanEndWait: 1, Revoke: 2, Ended: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', told: expect.arrayContaining(['ends-soon']) });
    // Removed at the end, not at the notice: one DELETE.
    expect(env().jitCalls('DELETE')).toHaveLength(1);
  });

  it('"Revoke now" in the first wait ends it at once, and "ends soon" is never told', async () => {
    const { id, executionArn } = await granted(5);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED', revokedBy: 'U0ALICE' });
    expect(env().local.counters.execution(executionArn).statesEntered.PlanEndWait).toBeUndefined();
    expect(endsSoonDms()).toEqual([]);
  });

  it('"Revoke now" after the notice ends it at once too', async () => {
    const { id, executionArn } = await granted(5);
    // At the notice: the click lands while the wait is being planned again or once it waits; either way at once.
    await env().local.sfn.whenEntered(executionArn, 'PlanEndWait');
    const live = await env().store.get(id);
    if (live.status !== 'ACTIVE') throw new Error(live.status);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const ended = await env().store.get(id);
    expect(ended).toMatchObject({ status: 'REVOKED' });
    // Ended at the click, well before the window's end.
    if (ended.status === 'REVOKED') expect(Date.parse(ended.endedAt)).toBeLessThan(Date.parse(live.window.end));
    expect(endsSoonDms()).toHaveLength(1);
  });

  it('is not told under a policy that turns it off, nor for a window shorter than twice the notice', async () => {
    const off = await granted(3, 'svm1-quick');
    expect((await env().finished(off.executionArn)).status).toBe('SUCCEEDED');
    const short = await granted(3.5);
    expect((await env().finished(short.executionArn)).status).toBe('SUCCEEDED');
    expect(endsSoonDms()).toEqual([]);
    for (const { executionArn } of [off, short]) {
      const counters = env().local.counters.execution(executionArn);
      // The approved lifecycle's eight transitions, unchanged.
      expect(counters.stateTransitions).toBe(8);
    }
  });

  it('a lost "ends soon" DM is told by the reconciler before the end, once', async () => {
    const { id, executionArn } = await granted(5);
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    await env().local.sfn.whenEntered(executionArn, 'PlanEndWait');
    env().slack.faults.chooser = undefined;
    const owed = await env().store.get(id);
    expect(owed.told ?? []).not.toContain('ends-soon');
    const rt = env().runtime;
    const at = Date.parse(owed.endsSoonAt ?? '') + (NOTICE_GRACE_SECONDS + 5) * 1000;
    for (let i = 0; i < 2; i++) await reconcile({ ...rt, clock: { now: () => at } }, rt.logger);
    expect(endsSoonDms()).toHaveLength(1);
    expect((await env().store.get(id)).told).toContain('ends-soon');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});
