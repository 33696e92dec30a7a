/**
 * "Ends soon": the reconciler tells the requester with a new DM once end − notice has come (never
 * before, never after the end, once), while the workflow waits for the end in one step (no state
 * transitions for the notice); "Revoke now" still ends the grant at once. Through the signed ingress
 * and the real workflow on the scaled clock; the reconciler's passes are run at chosen times.
 */
import { parseDuration } from '../../lambdas/domain/durations';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { policyWith } from '../support/configs';
import { useWorkflowEnv } from '../support/workflow-env';
import { checkBlockKit } from './block-kit-limits';

const config = policyWith('svm1-operators', { endsSoonNotice: '2h' });
const quick = config.policies.find((p) => p.name === 'svm1-quick');
if (quick) Object.assign(quick, { endsSoonNotice: 'off' });
const env = useWorkflowEnv({ ingress: true, config });
const NOTICE_MS = parseDuration('2h') * 1000;

const endsSoonDms = (): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf('U0ALICE') && m.text.includes(' ends '))
    .map((m) => JSON.stringify(m.blocks));

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().slack.faults.chooser = undefined;
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

/** One reconciler pass as if run at `iso` (business time). */
async function passAt(iso: string): Promise<void> {
  const rt = env().runtime;
  await reconcile({ ...rt, clock: { now: () => Date.parse(iso) } }, rt.logger);
}

/** An ISO instant `ms` after `iso`. */
const plusMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** Alice's live request as stored, with the time "ends soon" is due. */
async function live(id: string): Promise<{ endsSoonAt: string; end: string }> {
  const r = await env().store.get(id);
  if (r.status !== 'ACTIVE' || r.endsSoonAt === undefined) throw new Error(`not live with a notice: ${r.status}`);
  return { endsSoonAt: r.endsSoonAt, end: r.window.end };
}

describe('ends soon', () => {
  it('is told once, by the reconciler, from end − notice; the grant runs to its exact end in 7 transitions', async () => {
    const { id, executionArn } = await granted(5);
    const { endsSoonAt, end } = await live(id);
    expect(endsSoonAt).toBe(new Date(Date.parse(end) - NOTICE_MS).toISOString().replace('.000Z', 'Z'));
    await passAt(plusMs(endsSoonAt, -60_000));
    expect(endsSoonDms()).toEqual([]);
    await passAt(endsSoonAt);
    expect(endsSoonDms()).toEqual([expect.stringContaining('ends <!date^')]);
    expect(endsSoonDms()[0]).toContain('in about 2 hours');
    await passAt(plusMs(endsSoonAt, 120_000));
    expect(endsSoonDms()).toHaveLength(1);
    expect((await env().store.get(id)).told).toContain('ends-soon');

    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const counters = env().local.counters.execution(executionArn);
    expect(counters.statesEntered).toMatchObject({ AwaitEnd: 1, Revoke: 1, Ended: 1 });
    expect(counters.statesEntered.PlanEndWait).toBeUndefined();
    expect(counters.stateTransitions).toBe(7);
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED' });
    expect(env().jitCalls('DELETE')).toHaveLength(1);
  });

  it('"Revoke now" before the notice ends it at once, and "ends soon" is never told', async () => {
    const { id, executionArn } = await granted(5);
    const { endsSoonAt } = await live(id);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED', revokedBy: 'U0ALICE' });
    await passAt(endsSoonAt);
    expect(endsSoonDms()).toEqual([]);
  });

  it('"Revoke now" after the notice ends it at once too', async () => {
    const { id, executionArn } = await granted(5);
    const { endsSoonAt, end } = await live(id);
    await passAt(endsSoonAt);
    expect(endsSoonDms()).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const ended = await env().store.get(id);
    expect(ended).toMatchObject({ status: 'REVOKED' });
    if (ended.status === 'REVOKED') expect(Date.parse(ended.endedAt)).toBeLessThan(Date.parse(end));
    expect(endsSoonDms()).toHaveLength(1);
  });

  it('is not told under a policy that turns it off, nor for a window shorter than twice the notice', async () => {
    // One after the other: both are Alice's on the same SVM, one live grant at a time.
    for (const [hours, policy] of [
      [3, 'svm1-quick'],
      [3.5, 'svm1-operators'],
    ] as const) {
      const { id, executionArn } = await granted(hours, policy);
      expect((await env().store.get(id)).endsSoonAt).toBeUndefined();
      expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
      expect(env().local.counters.execution(executionArn).stateTransitions).toBe(7);
    }
    expect(endsSoonDms()).toEqual([]);
  });

  it('a pass that cannot post it leaves it owed; the next pass tells it, once', async () => {
    const { id, executionArn } = await granted(5);
    const { endsSoonAt } = await live(id);
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    await passAt(endsSoonAt).catch(() => undefined);
    env().slack.faults.chooser = undefined;
    expect(endsSoonDms()).toEqual([]);
    expect((await env().store.get(id)).told ?? []).not.toContain('ends-soon');
    for (let i = 0; i < 2; i++) await passAt(plusMs(endsSoonAt, (i + 3) * 60_000));
    expect(endsSoonDms()).toHaveLength(1);
    expect((await env().store.get(id)).told).toContain('ends-soon');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});
