/**
 * An extension's Approve and Deny clicks ask Slack who decides and who the requester is while the
 * request is read, and read it once before their write, through the signed ingress and the real
 * workflow on the local stack (an hour is a real second). The ask's buttons name the request's
 * requester and policy; the stored request still decides: an ask posted before (its value the id
 * alone) still works, a value naming someone else is decided against the stored requester, a value of
 * neither shape or a failed lookup changes nothing and says so.
 */
import { texts, useExtensionAsks } from '../support/extension-asks';

const { env, live, asked, askOf, clickOnAsk, holdReadUntilAsked, extended, askText, deletesSince, dmsTo, revoke } =
  useExtensionAsks();

describe('an Approve extension click on a new ask', () => {
  it('names the requester and policy, asks Slack beside the one read before its write, and extends', async () => {
    const { id, executionArn, live: before, deletes } = await asked('U0ALICE');
    const { ts, buttons } = askOf(id);
    expect(buttons.map((b) => b.value)).toEqual([`${id} U0ALICE operators`, `${id} U0ALICE operators`]);
    const hold = holdReadUntilAsked(id, ['U0CAROL', 'U0ALICE']);
    const { answer, responses } = await env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_approve', id));
    expect(await hold.released).toBe('asked');
    expect(hold.stop()).toBe(1);
    expect(answer.status).toBe(200);
    expect(texts(responses())).toBe('');
    const after = await extended(id);
    expect(Date.parse(after.window.end) - Date.parse(before.window.end)).toBe(3600_000);
    expect(after.extensions?.[0]?.approvedBy).toEqual(['U0CAROL']);
    expect(deletesSince(deletes)).toBe(1);
    // The ask says so, and was not redrawn as an approval message.
    expect(askText(ts)).toContain('Approved by <@U0CAROL>');
    expect(askText(ts)).not.toContain('jit_revoke');
    await revoke('U0ALICE', id, executionArn);
  });
});

describe('an Approve extension click on an ask posted before its buttons named the requester', () => {
  it('reads the request, then asks Slack, and extends', async () => {
    const { id, executionArn } = await asked('U0ALICE');
    const { answer, responses } = await env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_approve', id, id));
    expect(answer.status).toBe(200);
    expect(texts(responses())).toBe('');
    expect((await extended(id)).extensions?.[0]?.approvedBy).toEqual(['U0CAROL']);
    await revoke('U0ALICE', id, executionArn);
  });
});

describe('an extension click naming another requester than the stored request', () => {
  it("is decided against the stored requester: Bob's other identity does not approve his own extension", async () => {
    const { id, executionArn, live: before, deletes } = await asked('U0BOBADM');
    // The value names Alice as the requester: looked up early, Bob could pass for another person.
    const value = `${id} U0ALICE operators`;
    const { answer, responses } = await env().ingress.interact(clickOnAsk('U0BOB', 'jit_extend_approve', id, value));
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('same person as the requester');
    expect(env().ingress.logs.join('\n')).toContain('click named another requester or policy than the request');
    const after = await live(id);
    expect(after.extension).toMatchObject({ approvals: [] });
    expect(after.window).toEqual(before.window);
    expect(deletesSince(deletes)).toBe(0);

    const denied = await env().ingress.interact(clickOnAsk('U0BOB', 'jit_extend_deny', id, value));
    expect(texts(denied.responses())).toContain('same person as the requester');
    expect((await live(id)).extension).toBeDefined();
    await revoke('U0BOBADM', id, executionArn);
  });

  it('with a value that names no request, changes nothing and says so', async () => {
    const { id, executionArn, deletes } = await asked('U0ALICE');
    const { answer, responses } = await env().ingress.interact(
      clickOnAsk('U0CAROL', 'jit_extend_approve', id, `${id} alice operators`),
    );
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('nothing was changed');
    expect((await live(id)).extension).toMatchObject({ approvals: [] });
    expect(deletesSince(deletes)).toBe(0);
    await revoke('U0ALICE', id, executionArn);
  });
});

describe('a Slack lookup that fails while the read succeeds', () => {
  it('changes nothing and says why; the next Approve extension click goes through', async () => {
    const { id, executionArn } = await asked('U0ALICE');
    const click = clickOnAsk('U0CAROL', 'jit_extend_approve', id);
    env().slack.faults.chooser = (method) => method === 'users.info';
    const { answer, responses } = await env().ingress.interact(click);
    expect(answer.status).toBe(200);
    expect(texts(responses())).toContain('Slack did not answer in time; please try again. Nothing was changed.');
    expect((await live(id)).extension).toMatchObject({ approvals: [] });
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'EXTEND_APPROVE')).toHaveLength(0);

    env().slack.faults.chooser = undefined;
    await env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_approve', id));
    expect((await extended(id)).extensions?.[0]?.approvedBy).toEqual(['U0CAROL']);
    await revoke('U0ALICE', id, executionArn);
  });
});

describe('a Deny extension click on a new ask', () => {
  it('asks Slack beside the read, and the reason modal carries whose request it is to its submission', async () => {
    const { id, executionArn, live: before, deletes } = await asked('U0ALICE');
    const { ts } = askOf(id);
    const views = new Set(env().slack.views.keys());
    const opening = holdReadUntilAsked(id, ['U0CAROL', 'U0ALICE']);
    const { answer } = await env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_deny', id));
    expect(await opening.released).toBe('asked');
    opening.stop();
    expect(answer.status).toBe(200);
    const [view] = [...env().slack.views.keys()].filter((k) => !views.has(k));
    if (!view) throw new Error('no reason modal');
    const metadata = JSON.parse(String(env().slack.views.get(view)?.view.private_metadata));
    expect(metadata).toMatchObject({ requestId: id, claim: { requester: 'U0ALICE', policy: 'operators' } });

    const submitting = holdReadUntilAsked(id, ['U0CAROL', 'U0ALICE']);
    const submitted = await env().ingress.submitView('U0CAROL', view, { reason: 'Not during the freeze' });
    expect(await submitting.released).toBe('asked');
    expect(submitting.stop()).toBe(1);
    expect(submitted.status).toBe(200);
    const after = await live(id);
    expect(after.extension).toBeUndefined();
    expect(after.window).toEqual(before.window);
    expect(deletesSince(deletes)).toBe(0);
    expect(
      dmsTo('U0ALICE').some((m) => m.includes('denied your extension') && m.includes('Not during the freeze')),
    ).toBe(true);
    expect(askText(ts)).toContain('Denied by <@U0CAROL>');
    await revoke('U0ALICE', id, executionArn);
  });
});
