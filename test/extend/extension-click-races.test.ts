/**
 * Extension approvals doubled or at once, through the signed ingress and the real workflow: a click
 * Slack sends twice fills one seat, and of two approvers whose writes race, the one that lost reads
 * the request again and counts too; the extension is applied once.
 */
import { texts, useExtensionAsks } from '../support/extension-asks';
import { latch } from '../support/latch';

const { env, live, asked, askOf, clickOnAsk, extended, askText, deletesSince, revoke } = useExtensionAsks();

describe('an Approve extension click Slack sends twice', () => {
  it('a doubled click fills one seat of two; the second approver completes it, applied once', async () => {
    const { id, executionArn, deletes } = await asked('U0ALICE', 'vsadmin-volume');
    const click = clickOnAsk('U0CAROL', 'jit_extend_approve', id);
    const [first, second] = await Promise.all([env().ingress.interact(click), env().ingress.interact(click)]);
    expect([first.answer.status, second.answer.status]).toEqual([200, 200]);
    expect((await live(id)).extension?.approvals.map((a) => a.by)).toEqual(['U0CAROL']);
    const approvals = (await env().store.auditTrail(id)).filter((e) => e.type === 'EXTEND_APPROVE');
    expect(approvals).toHaveLength(1);
    expect(deletesSince(deletes)).toBe(0);

    await env().ingress.interact(clickOnAsk('U0BOB', 'jit_extend_approve', id));
    const after = await extended(id);
    expect(after.extensions).toHaveLength(1);
    expect(after.extensions?.[0]?.approvedBy).toEqual(['U0CAROL', 'U0BOB']);
    expect(deletesSince(deletes)).toBe(1);
    await revoke('U0ALICE', id, executionArn);
  });
});

describe('two approvers of an extension needing two, deciding at once', () => {
  it('the write that lost the race reads again: both seats filled, the ask says so, applied once', async () => {
    const { id, executionArn, deletes } = await asked('U0ALICE', 'vsadmin-volume');
    const { ts } = askOf(id);
    const { client } = env().dynamo;
    // Carol's write waits until Bob's approval is written: hers is then made on a stale copy, and fails.
    const writing = latch();
    const released = latch();
    let armed = true;
    let reads = 0;
    const name = `hold-write-${id}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify((args as { input?: unknown }).input ?? {});
        if (input.includes(id) && context.commandName === 'GetItemCommand' && armed) reads += 1;
        if (armed && context.commandName === 'PutItemCommand' && input.includes(id)) {
          armed = false;
          writing.open();
          await released.opened;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const carol = env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_approve', id));
      await writing.opened;
      expect(reads).toBe(1);
      const bob = await env().ingress.interact(clickOnAsk('U0BOB', 'jit_extend_approve', id));
      expect(texts(bob.responses())).toBe('');
      released.open();
      const { answer, responses } = await carol;
      expect(answer.status).toBe(200);
      expect(texts(responses())).toBe('');
    } finally {
      released.open();
      client.middlewareStack.remove(name);
    }
    const after = await extended(id);
    expect(after.extensions).toHaveLength(1);
    expect(after.extensions?.[0]?.approvedBy).toEqual(['U0BOB', 'U0CAROL']);
    expect(deletesSince(deletes)).toBe(1);
    expect(askText(ts)).toContain('Approved by <@U0BOB>, <@U0CAROL>');
    await revoke('U0ALICE', id, executionArn);
  });
});
