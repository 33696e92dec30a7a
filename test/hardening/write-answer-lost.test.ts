/**
 * A write of the request item whose answer is lost (the write landed; the writer cannot tell), through the
 * signed ingress, the real workflow on the local runner, and dynalite behind the DynamoDB fault proxy. The
 * SDK tries again and finds its own write there (the version moved on), or gets no answer on any try. The
 * store reads the item back and knows its own write: an approval lost that way is still an approval (the
 * workflow is signalled, the approver told nothing went wrong), a grant lost that way is still a grant (its
 * entry stays, the window runs).
 */
import { SIGNAL_GRACE_SECONDS } from '../../lambdas/domain/attention';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { REQUEST_SK, requestPk } from '../../lambdas/store/table';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true, dynamoProxy: true });

type Body = Record<string, unknown>;
const attr = (value: unknown, key: string): string | undefined =>
  (value as Record<string, { S?: string } | undefined> | undefined)?.[key]?.S;

/** A replacement of the request item (the versioned write every lifecycle event makes) that sets `status`. */
const writesStatus = (operation: string, body: Body, status: string): boolean =>
  operation === 'PutItem' &&
  attr(body.Item, 'sk') === REQUEST_SK &&
  body.ConditionExpression === 'version = :v' &&
  attr(body.Item, 'status') === status;

/** Loses the answers to the first `times` writes that set `status` (each lands). */
function loseAnswers(status: string, times: number): void {
  let left = times;
  env().dynamoProxy.chooser = (operation, body) => {
    if (left === 0 || !writesStatus(operation, body, status)) return undefined;
    left -= 1;
    return 'lost-write-answer';
  };
}

afterEach(() => {
  env().dynamoProxy.chooser = undefined;
});

/** The requester revokes the grant now; its workflow runs to its end. */
async function revokeToEnd(id: string, executionArn: string): Promise<void> {
  await env().ingress.click('U0ALICE', 'jit_revoke', id);
  expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
}

async function waitingRequest(): Promise<{ id: string; executionArn: string }> {
  const asked = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Resize the finance volume');
  await env().waiting(asked.executionArn, 'AwaitApproval');
  return asked;
}

describe('an approval whose write answer was lost', () => {
  it('once (the SDK tries again and finds it there): approved, signalled, granted, nobody told otherwise', async () => {
    const { id, executionArn } = await waitingRequest();
    loseAnswers('APPROVED', 1);
    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(env().dynamoProxy.injected.get('lost-write-answer PutItem')).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(responses())).not.toMatch(/went wrong|already|not signalled|could not/i);
    await env().waiting(executionArn, 'AwaitEnd');
    const stored = await env().store.getStored(id);
    expect(stored.history.filter((e) => e.type === 'APPROVE')).toHaveLength(1);
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    await revokeToEnd(id, executionArn);
  });

  it('on every try: read back, and it is an approval all the same', async () => {
    const { id, executionArn } = await waitingRequest();
    loseAnswers('APPROVED', 10);
    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(JSON.stringify(responses())).not.toMatch(/went wrong|already|not signalled|could not/i);
    env().dynamoProxy.chooser = undefined;
    await env().waiting(executionArn, 'AwaitEnd');
    expect((await env().store.getStored(id)).history.filter((e) => e.type === 'APPROVE')).toHaveLength(1);
    await revokeToEnd(id, executionArn);
  });
});

describe('a doubled approval, one of whose write answers was lost', () => {
  it('is one approval: each click knows its own write from the other’s, one signal, one grant', async () => {
    const { id, executionArn } = await waitingRequest();
    loseAnswers('APPROVED', 1);
    const clicks = await Promise.all([
      env().ingress.click('U0BOB', 'jit_approve', id),
      env().ingress.click('U0BOB', 'jit_approve', id),
    ]);
    const said = clicks.map((c) => JSON.stringify(c.responses()));
    expect(said.join('\n')).not.toMatch(/went wrong|could not/i);
    await env().waiting(executionArn, 'AwaitEnd');
    const stored = await env().store.getStored(id);
    expect(stored.history.filter((e) => e.type === 'APPROVE')).toHaveLength(1);
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    expect(env().local.counters.execution(executionArn).taskInvocations['grant-access']).toBe(1);
    await revokeToEnd(id, executionArn);
  });
});

describe('an approval whose write answer was lost and whose read back failed too', () => {
  it('tells the approver it could not be confirmed, never that nothing changed; the reconciler signals it', async () => {
    const { id, executionArn } = await waitingRequest();
    // Every try of the approval's write lands unanswered; from then on, until the answer, reads of it fail.
    let lost = false;
    env().dynamoProxy.chooser = (operation, body) => {
      if (writesStatus(operation, body, 'APPROVED')) {
        lost = true;
        return 'lost-write-answer';
      }
      const readsIt = operation === 'GetItem' && attr(body.Key, 'pk') === requestPk(id);
      return lost && readsIt ? 'server-error' : undefined;
    };
    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    env().dynamoProxy.chooser = undefined;
    const said = JSON.stringify(responses());
    expect(said).toContain('could not confirm that this was recorded');
    expect(said).not.toMatch(/nothing was changed|already/i);
    // It was recorded: once the signal's grace is over, the reconciler completes the approval wait.
    expect((await env().store.get(id)).status).toBe('APPROVED');
    const rt = env().runtime;
    const clock = { now: () => env().clock.now() + (SIGNAL_GRACE_SECONDS + 5) * 1000 };
    await reconcile({ ...rt, clock }, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }), {
      itemDeadlineMs: 5000,
    });
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    await revokeToEnd(id, executionArn);
  });
});

describe('a grant whose GRANTED write answer was lost', () => {
  it('once: the entry stays, the request is live, the window runs to its revoke', async () => {
    const { id, executionArn } = await waitingRequest();
    const deletesBefore = env().jitCalls('DELETE').length;
    loseAnswers('ACTIVE', 1);
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().dynamoProxy.injected.get('lost-write-answer PutItem')).toBeGreaterThanOrEqual(1);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(env().jitCalls('DELETE')).toHaveLength(deletesBefore);
    const granted = (await env().store.getStored(id)).history.filter((e) => e.type === 'GRANTED');
    expect(granted).toHaveLength(1);
    await revokeToEnd(id, executionArn);
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED' });
  });

  it('on every try, its read back failing too: the retry finds it granted and goes on to the window', async () => {
    const { id, executionArn } = await waitingRequest();
    const deletesBefore = env().jitCalls('DELETE').length;
    let lost = false;
    let failedReads = 0;
    env().dynamoProxy.chooser = (operation, body) => {
      // Every try of the GRANTED write lands unanswered (until the reads after it have failed)...
      if (failedReads === 0 && writesStatus(operation, body, 'ACTIVE')) {
        lost = true;
        return 'lost-write-answer';
      }
      // ...and the grant's read back fails (every SDK try), then DynamoDB answers again.
      const readsIt = operation === 'GetItem' && attr(body.Key, 'pk') === requestPk(id);
      if (!(lost && readsIt && failedReads < 3)) return undefined;
      failedReads += 1;
      return 'server-error';
    };
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    env().dynamoProxy.chooser = undefined;
    const counts = env().local.counters.execution(executionArn);
    expect(counts.taskInvocations['grant-access']).toBe(2);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(env().jitCalls('DELETE')).toHaveLength(deletesBefore);
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    const granted = (await env().store.getStored(id)).history.filter((e) => e.type === 'GRANTED');
    expect(granted).toHaveLength(1);
    await revokeToEnd(id, executionArn);
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED' });
  });
});
