/**
 * The audit write never decides a transition's outcome: with every audit item refused by DynamoDB
 * (a fault proxy in front of dynalite), an Approve through the signed ingress is recorded and
 * answered as recorded, the workflow grants and keeps the entry, and the failures are logged and
 * counted; the reconciler then writes the missing audit items.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { jitEntryRows } from '../../local/stack';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true, dynamoProxy: true });

/** The audit items as stored (not the trail read, which repairs itself). */
async function auditSeqs(id: string): Promise<number[]> {
  const doc = DynamoDBDocumentClient.from(env().dynamo.client);
  const out = await doc.send(
    new QueryCommand({
      TableName: env().dynamo.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': `REQ#${id}`, ':a': 'AUDIT#' },
    }),
  );
  return (out.Items ?? []).map((item) => Number(item.seq)).sort((a, b) => a - b);
}

describe('audit items that cannot be written', () => {
  it('change no outcome: the approval stands, the grant stays, and the reconciler writes them later', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 2h Rotate the export policy');
    await env().waiting(executionArn, 'AwaitApproval');
    env().dynamoProxy.chooser = (operation, body) =>
      operation === 'PutItem' && (body.Item as { sk?: { S?: string } } | undefined)?.sk?.S?.startsWith('AUDIT#')
        ? 'server-error'
        : undefined;

    const { answer, responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(answer.status).toBe(200);
    const told = responses()
      .map((r) => String(r.text))
      .join('\n');
    expect(told).not.toMatch(/nothing was changed|went wrong|try again/i);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(jitEntryRows(env().sim).filter((e) => e.account === 'alice')).toHaveLength(1);
    expect(await auditSeqs(id)).toEqual([0]);
    expect(env().logs.filter((l) => l.includes('audit item not written'))).toHaveLength(2);
    expect(env().logs.filter((l) => l.includes('"AuditWriteFailed":1'))).toHaveLength(2);

    env().dynamoProxy.chooser = undefined;
    const rt = env().runtime;
    const pass = await reconcile(
      { ...rt, clock: { now: () => env().clock.now() + RECONCILE_PERIOD_SECONDS * 1000 } },
      rt.logger,
    );
    expect(pass.events['audit-repaired']).toBe(2);
    expect(await auditSeqs(id)).toEqual([0, 1, 2]);
    expect((await env().store.getStored(id)).auditRepair).toBeFalsy();

    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    // Revoke requested, revoked, and the grant's activity digest.
    expect(await auditSeqs(id)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
