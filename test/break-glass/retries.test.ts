/**
 * Break-glass when the parts between the announcement, the self-grant and the workflow fail: a task
 * tried again, a completion of the wait that never arrives. Real workflow on the local runner,
 * dynalite, the simulator and the Slack stand-in; the announcement and the BreakGlassUsed metric
 * happen once per request whatever is retried, and the grant still happens.
 */
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { make as makeAwaitApproval } from '../../lambdas/handlers/await-approval';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { SlackTransientError } from '../../lambdas/slack/errors';
import { APPROVAL_CHANNEL, policiesWith } from '../support/configs';
import { useWorkflowEnv } from '../support/workflow-env';

const config = policiesWith(
  {
    'svm1-operators': {
      roles: ['vsadmin'],
      approvalTimeout: '2d',
      endsSoonNotice: 'off',
      breakGlass: {
        who: { users: ['U0ALICE'] },
        maxDuration: '2h',
        mention: '<!subteam^S0STORAGE>',
        reviewWithin: '1d',
      },
    },
  },
  { only: true },
);

/** Failures the next checks of the requester at AwaitApproval throw, oldest first. */
const failures: Error[] = [];
const awaitApproval = makeAwaitApproval(async () => {
  const rt = env().runtime;
  const directory = rt.directory;
  return {
    ...rt,
    directory: {
      identity: (...args: Parameters<typeof directory.identity>) => directory.identity(...args),
      actor: (...args: Parameters<typeof directory.actor>) => directory.actor(...args),
      requesterNow: async (...args: Parameters<typeof directory.requesterNow>) => {
        const failure = failures.shift();
        if (failure) throw failure;
        return directory.requesterNow(...args);
      },
    },
  };
});
const env = useWorkflowEnv({ config, handlers: { 'await-approval': (event: unknown) => awaitApproval(event) } });

const REASON = 'INC-99: the array is filling up';
const announcements = () =>
  env()
    .slack.callsTo('chat.postMessage')
    .filter((c) => c.args.channel === APPROVAL_CHANNEL && String(c.args.text).includes('BREAK-GLASS'));
const used = () => [...env().logs].filter((l) => l.includes('"_aws"') && l.includes('"BreakGlassUsed"')).length;

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().local.faults.clear();
  failures.length = 0;
});

async function breakGlass() {
  return env().submit({
    durationSeconds: 3600,
    policy: 'svm1-operators',
    role: 'vsadmin',
    breakGlass: { reason: REASON, mention: '<!subteam^S0STORAGE>' },
  });
}

describe('break-glass under retries', () => {
  it('a task tried again after the announcement posts nothing twice and counts once', async () => {
    const before = used();
    failures.push(new SlackTransientError('usergroups.users.list'));
    const { id, executionArn } = await breakGlass();
    await env().waiting(executionArn, 'AwaitEnd');
    expect(failures).toEqual([]);
    expect(announcements()).toHaveLength(1);
    expect(String(announcements()[0]?.args.text)).toMatch(/^<!subteam\^S0STORAGE> BREAK-GLASS/);
    expect(used() - before).toBe(1);
    const trail = await env().store.auditTrail(id);
    expect(trail.filter((e) => e.type === 'BREAK_GLASS')).toHaveLength(1);
    expect(env().jitCalls('POST')).toHaveLength(1);
    await env().revokeNow(id, 'U0ALICE');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('a lost completion of the wait is sent again by the reconciler; granted once, announced once', async () => {
    const before = used();
    // Every completion fails, the SDK's tries and a retried task's alike: the self-grant is recorded, the
    // workflow not told, until the reconciler's pass (the faults are cleared just before it).
    env().local.faults.add('SendTaskSuccess', 1000);
    const { id, executionArn } = await breakGlass();
    for (let i = 0; i < 2000 && (await env().store.get(id)).status !== 'APPROVED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await env().store.get(id)).breakGlass?.usedAt).toBeDefined();
    expect(env().jitCalls('POST')).toHaveLength(0);
    // Cleared only once the task has given up on its completion (its SDK tries back off between attempts).
    const gaveUp = () => [...env().logs].some((l) => l.includes('break-glass wait not ended'));
    for (let i = 0; i < 2000 && !gaveUp(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gaveUp()).toBe(true);
    env().local.faults.clear();
    const rt = env().runtime;
    const clock = { now: () => env().clock.now() + RECONCILE_PERIOD_SECONDS * 1000 };
    const result = await reconcile({ ...rt, clock }, rt.logger);
    expect(result.events['signal-resent']).toBe(1);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect(announcements()).toHaveLength(1);
    expect(used() - before).toBe(1);
    await env().revokeNow(id, 'U0ALICE');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });
});
