/**
 * An extension's Approve and Deny clicks ask Slack who decides and who the requester is while the
 * request is read, and read it once before their write, through the signed ingress and the real
 * workflow on the local stack (an hour is a real second). The ask's buttons name the request's
 * requester and policy; the stored request still decides: an ask posted before (its value the id
 * alone) still works, a value naming someone else is decided against the stored requester, a value of
 * neither shape changes nothing, and a doubled click fills one seat.
 */
import { parseConfig } from '../../lambdas/config/load';
import type { AccessRequest } from '../../lambdas/domain/request';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { fixtureWith } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const policy = (name: string, role: string, seats: number) => ({
  name,
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: [role],
  requesters: 'anyone',
  approvers: { users: ['U0BOB', 'U0CAROL'] },
  defaultDuration: '1h',
  maxDuration: '12h',
  approvalTimeout: '2d',
  endsSoonNotice: 'off',
  extension: {
    by: '2h',
    times: 2,
    approval: 'required',
    approvers: { users: ['U0BOB', 'U0CAROL', 'U0ERIN'] },
    approvalsRequired: seats,
  },
});

const CONFIG = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: {
    approvalChannel: 'C0APPROVALS',
    accounts: {
      map: { U0ALICE: 'alice', U0BOB: 'bob', U0CAROL: 'carol', U0BOBADM: 'bob-adm' },
      people: { bob: ['U0BOB', 'U0BOBADM'] },
    },
  },
  policies: [policy('operators', 'vsadmin', 1), policy('pairs', 'vsadmin-volume', 2)],
});

const env = useWorkflowEnv({
  ingress: true,
  config: CONFIG,
  fixture: fixtureWith(['bob-adm']),
  directory: { users: EXAMPLE_DIRECTORY.users, usergroups: {} },
});

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

/** The grants a test made: one left live (a test that failed midway) is revoked so the next can be granted. */
const granted: { id: string; executionArn: string; requester: string }[] = [];
afterEach(async () => {
  for (const { id, executionArn, requester } of granted.splice(0)) {
    if ((await env().store.get(id)).status !== 'ACTIVE') continue;
    await env().ingress.click(requester, 'jit_revoke', id);
    await env().finished(executionArn);
  }
});

type Live = Extract<AccessRequest, { status: 'ACTIVE' }>;
async function live(id: string): Promise<Live> {
  const r = await env().store.get(id);
  if (r.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${r.status}`);
  return r;
}

/** A request by `requester` for `role` (8 hours: 8 real seconds), approved by Carol, granted, with an extension asked. */
async function asked(
  requester: string,
  role = 'vsadmin',
): Promise<{ id: string; executionArn: string; live: Live; deletes: number }> {
  const made = await env().ingress.request(requester, `svm1 ${role} 8h Resize the finance volume`);
  granted.push({ ...made, requester });
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().ingress.click('U0CAROL', 'jit_approve', made.id);
  await env().waiting(made.executionArn, 'AwaitEnd');
  const before = await live(made.id);
  const views = new Set(env().slack.views.keys());
  await env().ingress.click(requester, 'jit_extend', made.id);
  const [view] = [...env().slack.views.keys()].filter((k) => !views.has(k));
  if (!view) throw new Error('no extend modal');
  await env().ingress.submitView(requester, view, { extend_by: '3600', extend_reason: 'the migration runs late' });
  // The ask is threaded, and where it went kept, after Slack has its answer: wait for that to settle.
  for (let i = 0; i < 2000 && (await live(made.id)).extension?.message === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { ...made, live: before, deletes: env().jitCalls('DELETE').length };
}

interface Button {
  readonly action_id: string;
  readonly value: string;
}

/** The extension ask threaded under the request's approval message, and its buttons. */
function askOf(id: string): { channel: string; ts: string; buttons: Button[] } {
  const ask = env()
    .slack.messages.filter((m) => m.threadTs !== undefined && m.text.includes('asks to extend'))
    .map((m) => {
      const blocks = (m.blocks ?? []) as { type: string; elements?: Button[] }[];
      return { ...m, buttons: blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []) };
    })
    .filter((m) => m.buttons.some((b) => b.value.split(' ')[0] === id))
    .at(-1);
  if (!ask) throw new Error(`no extension ask for ${id}`);
  return { channel: ask.channel, ts: ask.ts, buttons: ask.buttons };
}

/** A click on a button of the request's extension ask, as Slack sends it; `value` replaces the button's. */
function clickOnAsk(user: string, actionId: string, id: string, value?: string): Record<string, unknown> {
  const ask = askOf(id);
  const button = ask.buttons.find((b) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} on the extension ask of ${id}`);
  const payload = env().ingress.clickPayload(user, actionId, id);
  const [action] = payload.actions as Record<string, unknown>[];
  return {
    ...payload,
    actions: [{ ...action, value: value ?? button.value }],
    container: { ...(payload.container as object), channel_id: ask.channel, message_ts: ask.ts },
    channel: { ...(payload.channel as object), id: ask.channel },
    message: { ...(payload.message as object), ts: ask.ts },
  };
}

/**
 * Holds the next read of request `id` until Slack has been asked about every one of `users`, and counts
 * the reads of the request item made before its next write. A click that looks people up only after its
 * read never releases it: after `deadlockMs` the read goes on anyway, and says it was not released by them.
 */
function holdReadUntilAsked(id: string, users: readonly string[], deadlockMs = 10_000) {
  const { slack } = env();
  const { client } = env().dynamo;
  const from = slack.callsTo('users.info').length;
  const asked = (): boolean => {
    const seen = slack
      .callsTo('users.info')
      .slice(from)
      .map((c) => c.args.user);
    return users.every((u) => seen.includes(u));
  };
  let release: (how: 'asked' | 'not asked') => void = () => undefined;
  const released = new Promise<'asked' | 'not asked'>((resolve) => {
    release = resolve;
  });
  const onChange = (): void => {
    if (asked()) release('asked');
  };
  slack.events.on('change', onChange);
  const deadlock = setTimeout(() => release('not asked'), deadlockMs);
  let armed = true;
  let reads = 0;
  let readsBeforeWrite: number | undefined;
  const name = `hold-read-${id}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = JSON.stringify((args as { input?: unknown }).input ?? {});
      const command = String(context.commandName);
      if (input.includes(id) && command === 'GetItemCommand') reads += 1;
      if (input.includes(id) && /^(Put|Update|TransactWrite)/.test(command) && readsBeforeWrite === undefined) {
        readsBeforeWrite = reads;
      }
      if (armed && command === 'GetItemCommand' && input.includes(id)) {
        armed = false;
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  const done = released.finally(() => {
    clearTimeout(deadlock);
    slack.events.off('change', onChange);
  });
  return {
    released: done,
    /** Stops counting; the reads of the request item before its first write (undefined: no write). */
    stop(): number | undefined {
      client.middlewareStack.remove(name);
      return readsBeforeWrite;
    },
  };
}

/** Resolves once the workflow has applied an extension (it polls the record; no timing is asserted). */
async function extended(id: string): Promise<Live> {
  for (let i = 0; i < 2000; i++) {
    const r = await live(id);
    if ((r.extensions?.length ?? 0) >= 1 && r.extension === undefined) return r;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no extension applied');
}

/** What a message in the approval channel says now, its blocks included. */
const askText = (ts: string): string =>
  env()
    .slack.messages.filter((m) => m.ts === ts)
    .map((m) => `${m.text} ${JSON.stringify(m.blocks)}`)
    .join('\n');

/** Calls to ONTAP's JIT entries since `from` (what an earlier test made is not counted). */
const deletesSince = (from: number): number => env().jitCalls('DELETE').length - from;

const dmsTo = (user: string): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(user))
    .map((m) => `${m.text} ${JSON.stringify(m.blocks)}`);

async function revoke(user: string, id: string, executionArn: string): Promise<void> {
  await env().ingress.click(user, 'jit_revoke', id);
  await env().finished(executionArn);
}

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
    await revoke('U0ALICE', id, executionArn);
  });

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
    let held: () => void = () => undefined;
    const writing = new Promise<void>((resolve) => {
      held = resolve;
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let armed = true;
    let reads = 0;
    const name = `hold-write-${id}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify((args as { input?: unknown }).input ?? {});
        if (input.includes(id) && context.commandName === 'GetItemCommand' && armed) reads += 1;
        if (armed && context.commandName === 'PutItemCommand' && input.includes(id)) {
          armed = false;
          held();
          await released;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const carol = env().ingress.interact(clickOnAsk('U0CAROL', 'jit_extend_approve', id));
      await writing;
      expect(reads).toBe(1);
      const bob = await env().ingress.interact(clickOnAsk('U0BOB', 'jit_extend_approve', id));
      expect(texts(bob.responses())).toBe('');
      release();
      const { answer, responses } = await carol;
      expect(answer.status).toBe(200);
      expect(texts(responses())).toBe('');
    } finally {
      release();
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
