/**
 * A signal the workflow took whose answer was lost (SendTaskSuccess served, the connection closed before
 * its answer), through the signed ingress, the real workflow on the local runner and its Step Functions
 * API. The SDK tries again and finds the token closed: that counts as taken (the earlier try closed it),
 * not as "nothing is waiting", so the click does not draw its own copy of the request over what the
 * workflow drew since (a granted request shown as merely approved, a revoked one as still live).
 */
import { approvalMessage } from '../../lambdas/slack/blocks/approval-message';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true });
const APPROVALS = 'C0APPROVALS';

afterEach(() => {
  env().local.faults.clear();
});

async function waitingRequest(): Promise<{ id: string; executionArn: string }> {
  const asked = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Resize the finance volume');
  await env().waiting(asked.executionArn, 'AwaitApproval');
  return asked;
}

/** The approval message of request `id` as Slack shows it now. */
const approvalMessageOf = (id: string) =>
  env().slack.messages.find((m) => m.channel === APPROVALS && !m.threadTs && m.text.includes(id));

/**
 * The next SendTaskSuccess is taken and its answer lost; the SDK's retry is held until `until` settles,
 * so it arrives after the workflow has moved on (in AWS the workflow's steps run beside the click).
 */
function loseSignalAnswer(until: () => Promise<void>): void {
  const faults = env().local.faults;
  faults.loseAnswers('SendTaskSuccess', 1);
  let calls = 0;
  faults.holder = (operation) => {
    if (operation !== 'SendTaskSuccess') return undefined;
    calls += 1;
    return calls === 2 ? until() : undefined;
  };
}

/** Signals served whose answers were lost so far (the count runs over the whole file). */
const lostAnswers = (): number => env().local.faults.injected.get('SendTaskSuccess answer lost') ?? 0;

describe('an approval whose signal was taken and its answer lost', () => {
  it('leaves the message to the workflow, which shows the grant; one POST; the approver is told nothing wrong', async () => {
    const { id, executionArn } = await waitingRequest();
    const lostBefore = lostAnswers();
    loseSignalAnswer(() => env().waiting(executionArn, 'AwaitEnd'));
    const { answer, responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(answer.status).toBe(200);
    expect(lostAnswers()).toBe(lostBefore + 1);
    expect(JSON.stringify(responses())).not.toMatch(/went wrong|not signalled|not in effect|could not/i);
    const stored = await env().store.get(id);
    expect(stored.status).toBe('ACTIVE');
    // What Slack shows is the live grant the workflow drew, not the click's copy of the approval.
    expect(approvalMessageOf(id)?.text).toBe(approvalMessage(stored).text);
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('a "Revoke now" whose signal was taken and its answer lost', () => {
  it('the retry arriving after the workflow ended: Slack shows the request as revoked, one DELETE', async () => {
    const { id, executionArn } = await waitingRequest();
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    const deletesBefore = env().jitCalls('DELETE').length;
    const lostBefore = lostAnswers();
    loseSignalAnswer(async () => {
      await env().finished(executionArn);
    });
    const { answer, responses } = await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect(answer.status).toBe(200);
    expect(lostAnswers()).toBe(lostBefore + 1);
    expect(JSON.stringify(responses())).not.toMatch(/went wrong|not signalled|could not/i);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const stored = await env().store.get(id);
    expect(stored.status).toBe('REVOKED');
    // The execution had ended: the click drew the request as stored then, the revoke and not the request for it.
    expect(approvalMessageOf(id)?.text).toBe(approvalMessage(stored).text);
    expect(env().jitCalls('DELETE')).toHaveLength(deletesBefore + 1);
  });
});

describe('a signal whose token is stale at its first try (the execution was stopped)', () => {
  it('is shown on the message by the click itself (nothing else draws it), and reported stale', async () => {
    const { id, executionArn } = await waitingRequest();
    env().local.sfn.stopExecution({ executionArn, error: 'Test', cause: 'stopped by the test' });
    const { answer } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(answer.status).toBe(200);
    const stored = await env().store.get(id);
    expect(stored.status).toBe('APPROVED');
    expect(approvalMessageOf(id)?.text).toBe(approvalMessage(stored).text);
    expect(env().ingress.logs.join('\n')).toContain('stale task token');
  });
});
