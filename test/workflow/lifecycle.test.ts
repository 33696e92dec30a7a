/**
 * The synthesized state machine end to end: local runner, dynalite, the ONTAP simulator and the
 * Slack stand-in, on a clock where one real second is one hour.
 */
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv();

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

describe('an approved request', () => {
  it('is granted exactly as approved, removed at the end of its window, and recorded all along', async () => {
    const { sim, slack, store } = env();
    const { id, executionArn } = await env().submit({ durationSeconds: 3600, ticket: 'CHG-42' });
    await env().waiting(executionArn, 'AwaitApproval');

    // Approval message in the channel with the buttons; the requester's DM says pending.
    const approval = slack.messages.find((m) => m.channel === 'C0APPROVALS' && !m.threadTs);
    expect(approval?.text).toContain(id);
    expect(JSON.stringify(approval?.blocks)).toContain('"action_id":"jit_approve"');
    expect(slack.messages.find((m) => m.channel === slack.dmChannelOf('U0ALICE'))?.text).toContain('Waiting for approval');
    expect(env().jitCalls('POST')).toHaveLength(0);

    expect((await env().approve(id, 'U0BOB')).ok).toBe(true);
    await env().waiting(executionArn, 'AwaitEnd');

    const posts = env().jitCalls('POST');
    expect(posts).toHaveLength(1);
    const active = await store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    expect(posts[0]?.body).toEqual({
      owner: { uuid: SVM_UUID.svm1 },
      account: { name: 'alice' },
      application: 'ssh',
      role: { name: 'vsadmin' },
      jit_validity: 'PT1H',
      session_validity: 'PT1H',
      start_time: expect.any(String),
      comment: `ontap-jit-approvals request ${id} for U0ALICE`,
    });
    // UTC, whole seconds, the approved window's start.
    expect((posts[0]?.body as { start_time: string }).start_time).toBe(`${active.window.start.slice(0, 19)}+00:00`);
    expect(Date.parse(active.window.end) - Date.parse(active.window.start)).toBe(3600_000);
    expect(sim.jitEntries()).toEqual([expect.objectContaining({ account: expect.objectContaining({ name: 'alice' }), jit_validity: 'PT1H' })]);

    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().jitCalls('DELETE')[0]?.path).toBe(`/api/security/jit-privilege-users/${SVM_UUID.svm1}/alice/ssh`);
    expect(sim.jitEntries()).toEqual([]);

    const ended = await store.get(id);
    expect(ended).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended', svm: { uuid: SVM_UUID.svm1 } });
    expect((await store.auditTrail(id)).map((e) => `${e.type}:${e.to}`)).toEqual([
      'REQUESTED:PENDING',
      'APPROVE:APPROVED',
      'GRANTED:ACTIVE',
      'REVOKED:EXPIRED',
    ]);
    expect(await store.lockHolder({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account: 'alice', application: 'ssh' })).toBeUndefined();

    // The approval message was updated in place and the events threaded under it.
    const updated = slack.messages.find((m) => m.ts === approval?.ts);
    expect(updated?.edited).toBeGreaterThan(0);
    expect(JSON.stringify(updated?.blocks)).not.toContain('jit_approve');
    expect(slack.messages.filter((m) => m.threadTs === approval?.ts).map((m) => m.text)).toEqual([
      expect.stringContaining('Granted'),
      expect.stringContaining('Window over'),
    ]);
    expect(slack.messages.find((m) => m.channel === slack.dmChannelOf('U0ALICE'))?.text).toContain('ended');

    // What a lifecycle costs, for the benchmarks.
    const counts = env().local.counters.execution(executionArn);
    console.log(`approved lifecycle: ${counts.stateTransitions} state transitions, ${counts.dynamo.writes} DynamoDB writes, ${counts.dynamo.reads} reads (workflow tasks only)`);
    expect(counts.stateTransitions).toBeLessThanOrEqual(15);
  });
});
