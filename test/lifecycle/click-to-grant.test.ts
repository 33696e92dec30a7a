/**
 * Click to grant: what sits between an approver's Approve click and the JIT entry's POST on the
 * cluster, counted on the whole local stack (the real ingress, the state machine on the local runner,
 * dynalite, the Slack stand-in, the ONTAP simulator): only what the grant needs, every Slack update
 * after the POST, and one read of the request item per step.
 */
import type { OntapClient } from '../../lambdas/ontap';
import { useWorkflowEnv } from '../support/workflow-env';

/** Counts taken when the JIT entry is about to be created. */
interface AtPost {
  readonly slack: number;
  readonly dynamo: Record<string, number>;
  readonly entered: Record<string, number>;
}

let atPost: AtPost | undefined;
let snapshot: () => AtPost = () => ({ slack: 0, dynamo: {}, entered: {} });
let watched = '';

const env = useWorkflowEnv({
  ingress: true,
  ontap: (client) =>
    new Proxy(client, {
      get(target, property) {
        if (property === 'ensureJitUser') {
          return (...args: Parameters<OntapClient['ensureJitUser']>) => {
            atPost ??= snapshot();
            return target.ensureJitUser(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
});

const since = (before: Record<string, number>, after: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) if (n - (before[key] ?? 0) > 0) out[key] = n - (before[key] ?? 0);
  return out;
};

describe('from the Approve click to the POST', () => {
  it('makes only what the grant needs: one read of the request per step, no Slack update before the POST', async () => {
    const { submit, waiting, ingress, slack, local, jitCalls } = env();
    const { id, executionArn } = await submit();
    await waiting(executionArn, 'AwaitApproval');
    watched = executionArn;
    snapshot = () => ({
      slack: slack.calls.length,
      dynamo: { ...local.counters.dynamo.byOperation },
      entered: { ...local.counters.execution(watched).statesEntered },
    });
    // The click on the approval message the workflow posted, as Slack sends it.
    const ref = (await env().store.get(id)).slack.approval;
    if (!ref) throw new Error('no approval message');
    const payload = ingress.clickPayload('U0BOB', 'jit_approve', id);
    const onMessage = {
      ...payload,
      container: { ...(payload.container as object), channel_id: ref.channel, message_ts: ref.ts },
      channel: { ...(payload.channel as object), id: ref.channel },
      message: { ...(payload.message as object), ts: ref.ts },
    };
    const before = snapshot();
    atPost = undefined;
    const { answer } = await ingress.interact(onMessage);
    expect(answer.status).toBe(200);
    await waiting(executionArn, 'AwaitEnd');
    expect(jitCalls('POST')).toHaveLength(1);
    const at = atPost as AtPost | undefined;
    if (!at) throw new Error('no JIT entry was created');

    const methods = slack.calls.slice(before.slack, at.slack).map((c) => c.method);
    const dynamo = since(before.dynamo, at.dynamo);
    const states = since(before.entered, at.entered);
    expect(states).toEqual({ RouteDecision: 1, Grant: 1 });
    // Who approves and whether the requester still qualifies (the ingress, before its write), the requester
    // again at the grant; every message drawn after the POST.
    expect(methods).toEqual(['users.info', 'users.info', 'users.info']);
    // The ingress reads the request (with its token) once and writes the approval (and its audit item) on that
    // copy; the grant reads it once and takes the grant lock.
    expect(dynamo).toEqual({ GetItem: 2, PutItem: 3 });
    // After the POST, GRANTED is written on the copy the grant read: the reads left are the ones keeping the
    // requester's new card and the end wait's token with the request.
    expect(since(at.dynamo, local.counters.dynamo.byOperation).GetItem).toBe(2);
    // After the POST, both sides are told it is granted.
    const after = slack.calls.slice(at.slack).map((c) => c.method);
    expect(after).toEqual(expect.arrayContaining(['chat.update', 'chat.postMessage']));
    const message = slack.messages.find((m) => m.channel === ref.channel && m.ts === ref.ts);
    expect(JSON.stringify(message?.blocks)).toContain('Granted until');
  });
});
