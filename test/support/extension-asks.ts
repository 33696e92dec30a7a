/**
 * The extension asks the extension click tests decide: a workflow environment behind the real Slack
 * ingress where Alice and Bob (one person with two Slack identities) get grants approved by Carol and
 * ask to extend them, and the helpers that click the ask's buttons as Slack sends them, hold the request's
 * read until Slack has been asked, and count the reads before the write.
 */
import { parseConfig } from '../../lambdas/config/load';
import type { AccessRequest } from '../../lambdas/domain/request';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { clickOnButton, holdReadUntilAsked, SLACK_WITH_BOB_TWICE } from './decision-clicks';
import { fixtureWith } from './hardening';
import { useWorkflowEnv } from './workflow-env';

const policy = (name: string, role: string, seats: number) => ({
  name,
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: [role],
  requesters: 'anyone',
  approvers: { users: ['U0BOB', 'U0CAROL'] },
  defaultDuration: '1h',
  maxDuration: '1d',
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

/** Two policies whose extensions need approval: `operators` (one approver) and `pairs` (two). */
export const EXTENSION_ASK_CONFIG = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: SLACK_WITH_BOB_TWICE,
  policies: [policy('operators', 'vsadmin', 1), policy('pairs', 'vsadmin-volume', 2)],
});

/** Answers to a click, as one text. */
export const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

/** A button of a message, as the Slack stand-in keeps it. */
interface Button {
  readonly action_id: string;
  readonly value: string;
}

/** A live grant as the store keeps it. */
export type Live = Extract<AccessRequest, { status: 'ACTIVE' }>;

/** Starts the environment (once per file) and gives the helpers that work on it. */
export function useExtensionAsks() {
  const env = useWorkflowEnv({
    ingress: true,
    config: EXTENSION_ASK_CONFIG,
    fixture: fixtureWith(['bob-adm']),
    directory: { users: EXAMPLE_DIRECTORY.users, usergroups: {} },
  });
  /** The grants a test made: one left live (a test that failed midway) is revoked so the next can be granted. */
  const granted: { id: string; executionArn: string; requester: string }[] = [];
  afterEach(async () => {
    env().slack.faults.chooser = undefined;
    for (const { id, executionArn, requester } of granted.splice(0)) {
      if ((await env().store.get(id)).status !== 'ACTIVE') continue;
      await env().ingress.click(requester, 'jit_revoke', id);
      await env().finished(executionArn);
    }
  });

  async function live(id: string): Promise<Live> {
    const r = await env().store.get(id);
    if (r.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${r.status}`);
    return r;
  }

  /** A request by `requester` for `role` (20 hours: 20 real seconds), granted on Carol's approval, extension asked. */
  async function asked(
    requester: string,
    role = 'vsadmin',
  ): Promise<{ id: string; executionArn: string; live: Live; deletes: number }> {
    const made = await env().ingress.request(requester, `svm1 ${role} 20h Resize the finance volume`);
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
    return clickOnButton(env(), askOf(id), { user, actionId, id, ...(value !== undefined ? { value } : {}) });
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

  const holdRead = (id: string, users: readonly string[]) => holdReadUntilAsked(env(), id, users);
  return {
    env,
    live,
    asked,
    askOf,
    clickOnAsk,
    holdReadUntilAsked: holdRead,
    extended,
    askText,
    deletesSince,
    dmsTo,
    revoke,
  };
}
