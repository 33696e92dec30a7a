/**
 * After a revoke that could not complete (REVOKE_FAILED: the alert went out, the execution failed),
 * the approval message still offers "Revoke now". A click there cannot reach a workflow any more,
 * so the person is told plainly that the automatic revoke failed, operators were alerted, and when
 * ONTAP ends the access regardless, instead of silence that reads as "done".
 */
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true, ontapClient: { timeoutMs: 200 } });

describe('"Revoke now" on a grant whose revoke failed', () => {
  it('records the ask and tells the person the access is still there until ONTAP ends it', async () => {
    const { sim, store } = env();
    sim.reset();
    sim.faults.add({
      method: 'DELETE',
      path: '/api/security/jit-privilege-users/*',
      times: 1000,
      type: 'status',
      status: 503,
    });
    const { id, executionArn } = await env().ingress.request(
      'U0ALICE',
      'svm1 vsadmin 30m Fix the snapmirror schedule tonight',
    );
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    expect((await env().finished(executionArn)).status).toBe('FAILED');
    expect((await store.get(id)).status).toBe('REVOKE_FAILED');

    const { answer, responses } = await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect(answer.status).toBe(200);
    const told = responses()
      .map((r) => String(r.text))
      .join('\n');
    expect(told).toMatch(/could not remove/i);
    expect(told).toMatch(/alerted/i);
    expect(told).toMatch(/<!date\^\d+\^/);
    expect(await store.get(id)).toMatchObject({ status: 'REVOKE_FAILED', revokeRequestedBy: 'U0ALICE' });
    sim.faults.clear();
  });
});
