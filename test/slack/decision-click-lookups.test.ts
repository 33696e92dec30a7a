/**
 * A decision click asks Slack who decides and who the requester is while the request is read, through
 * the signed ingress and the real workflow on the local stack: the buttons name the request's requester
 * and policy, so neither lookup waits for the read. The stored request still decides: a click on an
 * older message (its value the request id alone) takes the slower path and works; a click naming
 * someone else is decided against the stored requester; a failed lookup changes nothing and says why;
 * a doubled click approves once.
 */
import { parseConfig } from '../../lambdas/config/load';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { clickOnButton, holdReadUntilAsked, SLACK_WITH_BOB_TWICE } from '../support/decision-clicks';
import { fixtureWith } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const policy = (name: string, role: string) => ({
  name,
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: [role],
  requesters: 'anyone',
  approvers: { users: ['U0BOB', 'U0BOBADM', 'U0CAROL'], groups: ['S0STORAGE'] },
  defaultDuration: '1h',
  maxDuration: '8h',
  // Two real days at the test's scale would be 48 s: nothing expires while a test runs.
  approvalTimeout: '2d',
});

const CONFIG = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: SLACK_WITH_BOB_TWICE,
  policies: [policy('operators', 'vsadmin'), policy('volumes', 'vsadmin-volume')],
});

const env = useWorkflowEnv({
  ingress: true,
  config: CONFIG,
  fixture: fixtureWith(['bob-adm']),
  directory: { users: EXAMPLE_DIRECTORY.users, usergroups: { S0STORAGE: ['U0ERIN'] } },
});

afterEach(() => {
  env().slack.faults.chooser = undefined;
});

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

interface Button {
  readonly action_id: string;
  readonly value: string;
}

/** The approval message the workflow posted for a request, and its buttons. */
function approvalMessageOf(id: string): { channel: string; ts: string; buttons: Button[] } {
  const message = env()
    .slack.messages.filter((m) => m.channel === CONFIG.slack.approvalChannel && !m.threadTs && m.text.includes(id))
    .at(-1);
  if (!message) throw new Error(`no approval message for ${id}`);
  const blocks = (message.blocks ?? []) as { type: string; elements?: Button[] }[];
  const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
  return { channel: message.channel, ts: message.ts, buttons };
}

/** A click on a button of the request's approval message, as Slack sends it; `value` replaces the button's. */
function clickOnMessage(user: string, actionId: string, id: string, value?: string): Record<string, unknown> {
  const message = approvalMessageOf(id);
  return clickOnButton(env(), message, { user, actionId, id, ...(value !== undefined ? { value } : {}) });
}

/** A new request by `requester`, waiting for approval. */
async function waitingRequest(requester = 'U0ALICE'): Promise<{ id: string; executionArn: string }> {
  const asked = await env().ingress.request(requester, 'svm1 vsadmin 1h Resize the finance volume');
  await env().waiting(asked.executionArn, 'AwaitApproval');
  return asked;
}

describe('an Approve click on a new message', () => {
  it('asks Slack about the approver and the requester while the request is read, and grants once', async () => {
    const { id, executionArn } = await waitingRequest();
    const click = clickOnMessage('U0BOB', 'jit_approve', id);
    const read = holdReadUntilAsked(env(), id, ['U0BOB', 'U0ALICE']);
    const { answer, responses } = await env().ingress.interact(click);
    expect(await read.released).toBe('asked');
    read.stop();
    expect(answer.status).toBe(200);
    expect(texts(responses())).toBe('');
    await env().waiting(executionArn, 'AwaitEnd');
    expect(
      env()
        .jitCalls('POST')
        .filter((c) => JSON.stringify(c.body).includes('"alice"')),
    ).toHaveLength(1);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', approvals: [{ by: 'U0BOB' }] });
    await env().ingress.click('U0BOB', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('approves once when Slack sends the click twice at the same time', async () => {
    const { id, executionArn } = await waitingRequest();
    const click = clickOnMessage('U0CAROL', 'jit_approve', id);
    const posts = env().jitCalls('POST').length;
    const [first, second] = await Promise.all([env().ingress.interact(click), env().ingress.interact(click)]);
    expect([first.answer.status, second.answer.status]).toEqual([200, 200]);
    await env().waiting(executionArn, 'AwaitEnd');
    const request = await env().store.get(id);
    expect(request).toMatchObject({ status: 'ACTIVE', approvals: [{ by: 'U0CAROL' }] });
    expect(request.approvals).toHaveLength(1);
    expect(env().jitCalls('POST')).toHaveLength(posts + 1);
    await env().ingress.click('U0CAROL', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});

describe('the grant after an approval to grant now', () => {
  it('takes its lock and asks Slack about the requester while it reads the request', async () => {
    const { id, executionArn } = await waitingRequest();
    const { slack } = env();
    const { client } = env().dynamo;
    const from = slack.callsTo('users.info').length;
    let reads = 0;
    let lockWrites = 0;
    let release: (how: 'asked' | 'not asked') => void = () => undefined;
    const released = new Promise<'asked' | 'not asked'>((resolve) => {
      release = resolve;
    });
    // The click reads the request once (and asks about Alice once); the grant's read is the second.
    const check = (): void => {
      const alice = slack
        .callsTo('users.info')
        .slice(from)
        .filter((c) => c.args.user === 'U0ALICE').length;
      if (lockWrites > 0 && alice >= 2) release('asked');
    };
    slack.events.on('change', check);
    const deadlock = setTimeout(() => release('not asked'), 10_000);
    const name = 'hold-grant-read';
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify((args as { input?: unknown }).input ?? {});
        if (context.commandName === 'PutItemCommand' && input.includes('LOCK#')) {
          lockWrites += 1;
          check();
        }
        if (context.commandName === 'GetItemCommand' && input.includes(id) && ++reads === 2) await released;
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const { answer } = await env().ingress.interact(clickOnMessage('U0BOB', 'jit_approve', id));
      expect(answer.status).toBe(200);
      expect(await released).toBe('asked');
      await env().waiting(executionArn, 'AwaitEnd');
    } finally {
      clearTimeout(deadlock);
      slack.events.off('change', check);
      client.middlewareStack.remove(name);
    }
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(
      env()
        .jitCalls('POST')
        .filter((c) => JSON.stringify(c.body).includes('"alice"')).length,
    ).toBeGreaterThan(0);
    await env().ingress.click('U0BOB', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});

describe('an Approve click on a message posted before buttons named the requester', () => {
  it('reads the request first, then asks Slack, and grants', async () => {
    const { id, executionArn } = await waitingRequest();
    const { answer } = await env().ingress.interact(clickOnMessage('U0BOB', 'jit_approve', id, id));
    expect(answer.status).toBe(200);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', approvals: [{ by: 'U0BOB' }] });
    await env().ingress.click('U0BOB', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});

describe('a click naming another requester or policy than the stored request', () => {
  it("is decided against the stored requester: Bob's own request is not approved by Bob, nothing is granted", async () => {
    const { id } = await waitingRequest('U0BOBADM');
    const posts = env().jitCalls('POST').length;
    const asked = env().slack.callsTo('users.info').length;
    // The value names Alice as the requester: Bob could approve Alice's request.
    const { answer, responses } = await env().ingress.interact(
      clickOnMessage('U0BOB', 'jit_approve', id, `${id} U0ALICE operators`),
    );
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('same person as the requester');
    expect(await env().store.get(id)).toMatchObject({ status: 'PENDING', approvals: [] });
    expect(env().jitCalls('POST')).toHaveLength(posts);
    // The stored requester was looked up after the read.
    const lookedUp = env()
      .slack.callsTo('users.info')
      .slice(asked)
      .map((c) => c.args.user);
    expect(lookedUp).toEqual(expect.arrayContaining(['U0BOB', 'U0ALICE', 'U0BOBADM']));
    expect(env().ingress.logs.join('\n')).toContain('click named another requester or policy than the request');
    await env().ingress.click('U0BOBADM', 'jit_cancel', id);
  });

  it('naming another policy, is decided under the stored one', async () => {
    const { id, executionArn } = await waitingRequest();
    const { answer } = await env().ingress.interact(
      clickOnMessage('U0CAROL', 'jit_approve', id, `${id} U0ALICE volumes`),
    );
    expect(answer.status).toBe(200);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', policy: 'operators' });
    await env().ingress.click('U0CAROL', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('with a value that names no request, changes nothing and says so', async () => {
    const { id } = await waitingRequest();
    const { answer, responses } = await env().ingress.interact(
      clickOnMessage('U0BOB', 'jit_approve', id, `${id} alice operators`),
    );
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('nothing was changed');
    expect(await env().store.get(id)).toMatchObject({ status: 'PENDING', approvals: [] });
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
  });
});

describe('a Slack lookup that fails while the read succeeds', () => {
  it('changes nothing and says why; the next click goes through', async () => {
    const { id, executionArn } = await waitingRequest();
    const click = clickOnMessage('U0BOB', 'jit_approve', id);
    env().slack.faults.chooser = (method) => method === 'users.info';
    const { answer, responses } = await env().ingress.interact(click);
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('Slack did not answer in time; please try again. Nothing was changed.');
    expect(await env().store.get(id)).toMatchObject({ status: 'PENDING', approvals: [] });
    expect(await env().store.auditTrail(id)).toHaveLength(1);

    env().slack.faults.chooser = undefined;
    await env().ingress.interact(clickOnMessage('U0BOB', 'jit_approve', id));
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    await env().ingress.click('U0BOB', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});

describe('Deny and Cancel clicks on a new message', () => {
  it('Deny asks Slack about the approver and the requester while the request is read, then asks why', async () => {
    const { id } = await waitingRequest();
    const before = new Set(env().slack.views.keys());
    const read = holdReadUntilAsked(env(), id, ['U0BOB', 'U0ALICE']);
    const { answer } = await env().ingress.interact(clickOnMessage('U0BOB', 'jit_deny', id));
    expect(await read.released).toBe('asked');
    read.stop();
    expect(answer.status).toBe(200);
    expect([...env().slack.views.keys()].filter((k) => !before.has(k))).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
  });

  it('the reason, once submitted, is recorded with both lookups made while the request is read again', async () => {
    const { id, executionArn } = await waitingRequest();
    const before = new Set(env().slack.views.keys());
    await env().ingress.interact(clickOnMessage('U0BOB', 'jit_deny', id));
    const [view] = [...env().slack.views.keys()].filter((k) => !before.has(k));
    if (!view) throw new Error('no reason modal');
    const read = holdReadUntilAsked(env(), id, ['U0BOB', 'U0ALICE']);
    const answer = await env().ingress.submitView('U0BOB', view, { reason: 'Not during the freeze' });
    expect(await read.released).toBe('asked');
    read.stop();
    expect(answer.status).toBe(200);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'DENIED', deniedBy: 'U0BOB' });
  });

  it("the requester's own Cancel asks Slack nothing", async () => {
    const { id, executionArn } = await waitingRequest();
    const asked = env().slack.callsTo('users.info').length;
    const { answer } = await env().ingress.interact(clickOnMessage('U0ALICE', 'jit_cancel', id));
    expect(answer.status).toBe(200);
    expect(env().slack.callsTo('users.info').slice(asked)).toEqual([]);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0ALICE' });
  });
});
