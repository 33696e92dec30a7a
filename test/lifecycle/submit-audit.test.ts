/**
 * A one-line request writes its REQUESTED audit item while its workflow starts. When that write is
 * lost (DynamoDB refuses it, through a fault proxy in front of dynalite), the request is still
 * recorded, answered and started, the request is flagged, and the reconciler writes the item. A
 * process that dies before the write leaves the event in the request's own history, so the trail
 * read still holds it (and writes it).
 */
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { auditSk, requestPk } from '../../lambdas/store/table';
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
});

describe('the REQUESTED audit item, written while the workflow starts', () => {
  it('lost: the request is answered and started, flagged, and the reconciler writes the item', async () => {
    env().dynamoProxy.chooser = refuseAudit;
    const { id, executionArn, reply } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 2h Rotate the keys');
    expect(reply).toContain('Submitted');
    env().dynamoProxy.chooser = undefined;
    await env().waiting(executionArn, 'AwaitApproval');
    expect(await auditSeqs(id)).toEqual([]);
    expect((await env().store.getStored(id)).auditRepair).toBe(true);

    const rt = env().runtime;
    const later = { now: () => env().clock.now() + RECONCILE_PERIOD_SECONDS * 1000 };
    const pass = await reconcile({ ...rt, clock: later }, rt.logger);
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
});
