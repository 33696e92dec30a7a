/**
 * The REQUESTED audit item is the workflow's to write (its first step), so Slack's answer to a new
 * request waits for the request's own write alone. Doubled (validate retried), it stays one item. Lost
 * (DynamoDB refuses it, through a fault proxy in front of dynalite): the request is still answered and
 * started, flagged, and the reconciler writes the item. Never written (the workflow never started, or the
 * item removed): the event is in the request's own history, so the reconciler closing the request and
 * every trail read write it.
 */
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RECONCILE_PERIOD_SECONDS, START_GRACE_SECONDS } from '../../lambdas/domain/attention';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { requestIdFor } from '../../lambdas/lifecycle/submit';
import { auditSk, requestPk } from '../../lambdas/store/table';
import { TEAM } from '../support/slack';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true, dynamoProxy: true });

/** The audit items as stored (not the trail read, which repairs itself). */
async function auditSeqs(id: string): Promise<number[]> {
  const doc = DynamoDBDocumentClient.from(env().dynamo.client);
  const out = await doc.send(
    new QueryCommand({
      TableName: env().dynamo.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': requestPk(id), ':a': 'AUDIT#' },
    }),
  );
  return (out.Items ?? []).map((item) => Number(item.seq)).sort((a, b) => a - b);
}

const refuseAudit = (operation: string, body: Record<string, unknown>) =>
  operation === 'PutItem' && (body.Item as { sk?: { S?: string } } | undefined)?.sk?.S?.startsWith('AUDIT#')
    ? ('server-error' as const)
    : undefined;

afterEach(() => {
  env().dynamoProxy.chooser = undefined;
  env().local.faults.clear();
});

/** A reconciler pass `seconds` of business time from now. */
function passIn(seconds: number) {
  const rt = env().runtime;
  return reconcile({ ...rt, clock: { now: () => env().clock.now() + seconds * 1000 } }, rt.logger);
}

describe('the REQUESTED audit item, written by the workflow', () => {
  it('written once the workflow runs; written again (validate retried), still one item', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 2h Rotate the keys');
    await env().waiting(executionArn, 'AwaitApproval');
    expect(await auditSeqs(id)).toEqual([0]);
    await env().store.recordOpening(await env().store.getStored(id));
    expect(await auditSeqs(id)).toEqual([0]);
    expect((await env().store.getStored(id)).auditRepair).toBeFalsy();
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('doubled: validate run again by the workflow after a cluster hiccup writes it once, unflagged', async () => {
    // Both of the ONTAP client's tries refused: the first validate fails and the state machine retries it.
    env().sim.faults.add({ method: 'GET', path: '/api/svm/svms', times: 2, type: 'status', status: 503 });
    env().sim.clearCalls();
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 2h Rotate the keys');
    await env().waiting(executionArn, 'AwaitApproval');
    // Two validate runs reached the cluster: the first's two tries refused, the second's one answered. (A
    // run that read before the request's write landed, started beside it, stopped before the cluster.)
    const svmReads = env()
      .sim.calls()
      .filter((c) => c.method === 'GET' && c.path.startsWith('/api/svm/svms'));
    expect(svmReads).toHaveLength(3);
    expect(await auditSeqs(id)).toEqual([0]);
    expect((await env().store.getStored(id)).auditRepair).toBeFalsy();
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('a Slack retry of the same submission makes one request, one execution and one REQUESTED item', async () => {
    const before = new Set(env().slack.views.keys());
    await env().ingress.command('U0ALICE', '');
    const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
    const answers = { justification: 'Rotate the keys' };
    const [first, again] = await Promise.all([
      env().ingress.submitView('U0ALICE', viewId, answers),
      env().ingress.submitView('U0ALICE', viewId, answers, { retryNum: 1 }),
    ]);
    expect([first.body, again.body]).toEqual(['', '']);
    const id = requestIdFor(`${TEAM}:view:${viewId}`);
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    const mine = env()
      .local.sfn.listExecutions()
      .filter((e) => e.name === id);
    expect(mine).toHaveLength(1);
    expect(await auditSeqs(id)).toEqual([0]);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('lost: the request is answered and started, flagged, and the reconciler writes the item', async () => {
    env().dynamoProxy.chooser = refuseAudit;
    const { id, executionArn, reply } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 2h Rotate the keys');
    expect(reply).toContain('Submitted');
    await env().waiting(executionArn, 'AwaitApproval');
    env().dynamoProxy.chooser = undefined;
    expect(await auditSeqs(id)).toEqual([]);
    expect((await env().store.getStored(id)).auditRepair).toBe(true);

    const pass = await passIn(RECONCILE_PERIOD_SECONDS);
    expect(pass.events['audit-repaired']).toBe(1);
    expect(await auditSeqs(id)).toEqual([0]);
    expect((await env().store.getStored(id)).auditRepair).toBeFalsy();
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('never written (the process died first): the trail holds REQUESTED from the request and writes it', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Check the quotas');
    await env().waiting(executionArn, 'AwaitApproval');
    // As if the write had never been sent: the audit item removed behind the store's back.
    const doc = DynamoDBDocumentClient.from(env().dynamo.client);
    const key = { pk: requestPk(id), sk: auditSk(0) };
    await doc.send(new DeleteCommand({ TableName: env().dynamo.tableName, Key: key }));
    expect(await auditSeqs(id)).toEqual([]);
    const trail = await env().store.auditTrail(id);
    expect(trail.map((e) => [e.seq, e.type, e.actor])).toEqual([[0, 'REQUESTED', 'U0ALICE']]);
    expect(await auditSeqs(id)).toEqual([0]);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('never written, the workflow never started: the reconciler closes the request and writes the item', async () => {
    const before = new Set(env().slack.views.keys());
    await env().ingress.command('U0DAVE', '');
    const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
    // Both tries of the start refused: the modal stays open with "try again", and nobody sends it again.
    env().local.faults.add('StartExecution', 2);
    const answer = await env().ingress.submitView('U0DAVE', viewId, { justification: 'Check the quotas' });
    expect(answer.body).toContain('could not be reached');
    const id = requestIdFor(`${TEAM}:view:${viewId}`);
    expect((await env().store.get(id)).status).toBe('PENDING');
    expect(await auditSeqs(id)).toEqual([]);

    const pass = await passIn(START_GRACE_SECONDS + RECONCILE_PERIOD_SECONDS);
    expect(pass.events['unstarted-closed']).toBe(1);
    expect((await env().store.get(id)).status).toBe('FAILED');
    expect(await auditSeqs(id)).toEqual([0, 1]);
  });
});
