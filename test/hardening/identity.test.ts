/**
 * One person, one approval, through the signed Slack ingress and the real workflow on the local
 * stack: a person's second Slack identity (linked by ONTAP account, by e-mail, or by the
 * configuration's grouping) neither approves their own request nor fills a second seat; a requester
 * who no longer qualifies after asking gets nothing; a user group Slack cannot resolve stops nobody
 * else; guests, deactivated users and the open-request limit are refused. In every refused case
 * nothing reaches the cluster.
 */
import { parseConfig } from '../../lambdas/config/load';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { fixtureWith, trail } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const policy = (name: string, role: string, extra: Record<string, unknown> = {}) => ({
  name,
  clusters: ['cluster1'],
  svms: ['svm1'],
  roles: [role],
  requesters: 'anyone',
  approvers: {
    users: ['U0BOB', 'U0BOBX', 'U0BOBMAIL', 'U0BOBADM', 'U0CAROL', 'U0GUEST', 'U0GONE'],
    groups: ['S0STORAGE', 'S0DELETED'],
  },
  defaultDuration: '1h',
  maxDuration: '8h',
  // Two real days at the test's scale would be 48 s: nothing expires while a test runs.
  approvalTimeout: '2d',
  ...extra,
});

const CONFIG = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: {
    approvalChannel: 'C0APPROVALS',
    accounts: {
      map: {
        U0ALICE: 'alice',
        U0BOB: 'bob',
        U0CAROL: 'carol',
        U0BOBMAIL: 'bob.test',
        U0BOBADM: 'bob-adm',
        U0FRANK: 'frank',
        U0GUEST: 'gus',
        U0GONE: 'gina',
      },
      emailLocalPart: true,
      trustedEmailDomains: ['example.com', 'corp.example.com'],
      people: { bob: ['U0BOB', 'U0BOBADM'] },
    },
  },
  policies: [
    policy('one-of-m', 'vsadmin'),
    policy('two-of-m', 'vsadmin-volume', { approvalsRequired: 2 }),
    policy('listed', 'snapmirror-operator', { requesters: { users: ['U0ALICE', 'U0FRANK'] } }),
  ],
});

/** Bob's other Slack identities, each linked to him by one thing only. */
const BOB_ALTS = {
  // Not in the map: its confirmed address in a trusted domain has local part `bob`, Bob's ONTAP account.
  'the ONTAP account': 'U0BOBX',
  // Mapped to another account, but the same mailbox (`+tag` and case aside).
  'the e-mail address': 'U0BOBMAIL',
  // Another account, another address: listed with U0BOB under slack.accounts.people.
  'the configured grouping': 'U0BOBADM',
} as const;

/** Run right before each Grant task (set per test): what changes between the approval and the grant. */
const beforeGrant: { hook?: (requestId: string) => Promise<void> } = {};

/** The product's grant-access handler over this file's environment. */
const grantAccessHandler = makeGrantAccess(async () => env().runtime);

const env = useWorkflowEnv({
  ingress: true,
  handlers: {
    'grant-access': async (event: { requestId: string }) => {
      await beforeGrant.hook?.(event.requestId);
      return grantAccessHandler(event);
    },
  },
  config: CONFIG,
  fixture: fixtureWith(['bob-adm', 'bob.test', 'frank']),
  directory: {
    users: [
      ...EXAMPLE_DIRECTORY.users.filter((u) => u.id !== 'U0BOBADM'),
      { id: 'U0BOBX', name: 'bobx', realName: 'Bob (corp)', email: 'bob@corp.example.com', tz: 'UTC' },
      { id: 'U0BOBMAIL', name: 'bobmail', realName: 'Bob (test)', email: 'Bob+test@Example.com', tz: 'UTC' },
      { id: 'U0BOBADM', name: 'bob-adm', realName: 'Bob (admin)', email: 'bob-adm@example.com', tz: 'UTC' },
      { id: 'U0FRANK', name: 'frank', realName: 'Frank Leaving', email: 'frank@example.com', tz: 'UTC' },
    ],
    usergroups: { S0STORAGE: ['U0ERIN'] },
  },
});

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');
const postsFor = (account: string) =>
  env()
    .jitCalls('POST')
    .filter((c) => JSON.stringify(c.body ?? '').includes(`"${account}"`));

describe('finding 1: a second Slack identity of the same person', () => {
  it.each(Object.entries(BOB_ALTS))('linked by %s cannot have its request approved by Bob', async (_link, alt) => {
    const { store } = env();
    const { id, executionArn } = await env().ingress.request(alt, 'svm1 vsadmin 1h Resize the finance volume');
    await env().waiting(executionArn, 'AwaitApproval');
    const account = (await store.get(id)).requester.ontapAccount;

    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(texts(responses())).toContain('same person as the requester');
    expect(await store.get(id)).toMatchObject({ status: 'PENDING', approvals: [] });
    expect(postsFor(account)).toEqual([]);

    // Someone else may: the request itself was fine.
    await env().ingress.click('U0CAROL', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(postsFor(account)).toHaveLength(1);
    await env().ingress.click('U0CAROL', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it.each(Object.entries(BOB_ALTS))(
    'linked by %s cannot fill the second seat of a 2-of-M policy after Bob',
    async (_link, alt) => {
      const { store } = env();
      const { id, executionArn } = await env().ingress.request(
        'U0ALICE',
        'svm1 vsadmin-volume 1h Move the finance volume',
      );
      await env().waiting(executionArn, 'AwaitApproval');
      await env().ingress.click('U0BOB', 'jit_approve', id);

      const { responses } = await env().ingress.click(alt, 'jit_approve', id);
      expect(texts(responses())).toContain('You already approved this request as <@U0BOB>');
      const after = await store.get(id);
      expect(after.status).toBe('PENDING');
      expect(after.approvals.map((a) => a.by)).toEqual(['U0BOB']);
      expect(postsFor('alice')).toEqual([]);

      await env().ingress.click('U0CAROL', 'jit_approve', id);
      await env().waiting(executionArn, 'AwaitEnd');
      expect(postsFor('alice')).toHaveLength(1);
      await env().ingress.click('U0ALICE', 'jit_revoke', id);
      await env().finished(executionArn);
      env().sim.reset();
    },
  );
});

describe('finding 2: a requester who no longer qualifies after asking', () => {
  it('taken out of the policy and the account map: the approval closes the request, nothing is granted, both are told', async () => {
    const { store, slack } = env();
    const listed = CONFIG.policies.find((p) => p.name === 'listed');
    if (!listed || listed.requesters === 'anyone') throw new Error('no listed policy');
    const { id, executionArn } = await env().ingress.request(
      'U0FRANK',
      'svm1 snapmirror-operator 1h Resync the mirror of vol_finance',
    );
    await env().waiting(executionArn, 'AwaitApproval');

    // The configuration as redeployed after Frank left: the same objects both sides read.
    const users = listed.requesters.users;
    users.splice(users.indexOf('U0FRANK'), 1);
    const map = CONFIG.slack.accounts.map as Record<string, string>;
    delete map.U0FRANK;
    try {
      const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
      expect(texts(responses())).toContain('no longer one of the requesters of policy "listed"');
      expect(texts(responses())).toContain('nothing was granted');
      expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
      const after = await store.get(id);
      expect(after).toMatchObject({ status: 'FAILED', stage: 'authorization', approvals: [] });
      const audit = await store.auditTrail(id);
      expect(audit.at(-1)).toMatchObject({ type: 'REAUTHORIZATION_FAILED', to: 'FAILED' });
      expect(audit.at(-1)?.detail).toContain('no longer one of the requesters');
      expect(postsFor('frank')).toEqual([]);
      // Frank hears it in his DM (a new message, not only an edit), the approvers on the approval message.
      const dm = slack.messages
        .filter((m) => m.channel === slack.dmChannelOf('U0FRANK'))
        .map((m) => m.text + JSON.stringify(m.blocks));
      expect(dm.join('\n')).toContain('closed and nothing was granted');
      const approval = slack.messages.find((m) => m.channel === 'C0APPROVALS' && after.slack.approval?.ts === m.ts);
      expect(JSON.stringify(approval?.blocks)).toContain('Closed, nothing granted');
    } finally {
      users.push('U0FRANK');
      map.U0FRANK = 'frank';
    }
  });

  it('deactivated in Slack while a scheduled request waits for its start: nothing is granted at the start', async () => {
    const { store, slack, local } = env();
    const start = new Date(env().clock.now() + 3 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0FRANK', ontapAccount: 'frank' },
      policy: 'listed',
      role: 'snapmirror-operator',
      requestedStart: start,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await local.sfn.whenEntered(executionArn, 'WaitForStart');
    expect((await store.get(id)).status).toBe('APPROVED');

    const frank = slack.directory.users.find((u) => u.id === 'U0FRANK');
    if (!frank) throw new Error('no Frank');
    slack.setUser({ ...frank, deleted: true });
    try {
      expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
      expect(await store.get(id)).toMatchObject({
        status: 'FAILED',
        stage: 'authorization',
        reason: 'The requester is no longer an active Slack user.',
      });
      expect(await trail(store, id)).toContain('REAUTHORIZATION_FAILED:FAILED');
      expect(postsFor('frank')).toEqual([]);
    } finally {
      slack.setUser(frank);
    }
  });
});

describe('re-authorized at grant time, before anything reaches the cluster', () => {
  it('mapped to another ONTAP account between the approval and the grant: nothing is granted', async () => {
    const { store } = env();
    const { id, executionArn } = await env().ingress.request(
      'U0FRANK',
      'svm1 snapmirror-operator 1h Resync the mirror of vol_hr',
    );
    await env().waiting(executionArn, 'AwaitApproval');
    const map = CONFIG.slack.accounts.map as Record<string, string>;
    beforeGrant.hook = async (requestId) => {
      if (requestId === id) map.U0FRANK = 'frank.new';
    };
    try {
      await env().ingress.click('U0BOB', 'jit_approve', id);
      expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
      expect(await store.get(id)).toMatchObject({
        status: 'FAILED',
        stage: 'authorization',
        reason: 'The requester now maps to ONTAP account "frank.new", not "frank" that was asked for.',
      });
      expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Grant: 1, Closed: 1 });
      expect(postsFor('frank')).toEqual([]);
      expect(postsFor('frank.new')).toEqual([]);
    } finally {
      delete beforeGrant.hook;
      map.U0FRANK = 'frank';
    }
  });
});

describe('finding 7: user groups fail small', () => {
  it('a deleted group named by every policy stops nobody, and is logged and counted', async () => {
    const { store } = env();
    const before = env().ingress.logs.length;
    const { id, executionArn } = await env().ingress.request(
      'U0ALICE',
      'svm1 vsadmin 1h Check the export policy rules',
    );
    const logged = env()
      .ingress.logs.slice(before)
      .filter((l) => l.includes('user group not resolved'));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0] as string)).toMatchObject({ group: 'S0DELETED', problem: 'no_such_subteam' });
    const counted = env()
      .ingress.logs.slice(before)
      .filter((l) => l.includes('"UnresolvedUserGroup"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(counted[0]).toMatchObject({
      UnresolvedUserGroup: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'OntapJitApprovals', Dimensions: [[]] }] },
    });

    // A member of the group that still exists approves as before.
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0ERIN', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    expect((await store.get(id)).status).toBe('ACTIVE');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });
});

describe('finding 8: account status and limits', () => {
  it.each([
    ['a guest', 'U0GUEST', 'Slack guest accounts cannot request'],
    ['a deactivated user', 'U0GONE', 'deactivated'],
  ])('%s cannot ask', async (_who, user, told) => {
    const { responses } = await env().ingress.command(user, 'svm1 vsadmin 1h Let me in please');
    expect(texts(responses())).toContain(told);
    expect(await env().store.listByRequester(user)).toEqual([]);
  });

  it.each([
    ['a guest', 'U0GUEST', 'Slack guest accounts cannot approve'],
    ['a deactivated user', 'U0GONE', 'deactivated'],
  ])('%s listed as an approver cannot approve', async (_who, user, told) => {
    const { store } = env();
    const { id, executionArn } = await env().ingress.request('U0CAROL', 'svm1 vsadmin 1h Rotate the snapshot schedule');
    await env().waiting(executionArn, 'AwaitApproval');
    const { responses } = await env().ingress.click(user, 'jit_approve', id);
    expect(texts(responses())).toContain(told);
    expect(await store.get(id)).toMatchObject({ status: 'PENDING', approvals: [] });
    expect(postsFor('carol')).toEqual([]);
    await env().ingress.click('U0CAROL', 'jit_cancel', id);
    await env().finished(executionArn);
  });

  it('one person may have 3 open requests under a policy; the 4th, from any of their identities, is refused and not recorded', async () => {
    const { store } = env();
    const made: string[] = [];
    for (const n of [1, 2, 3])
      made.push((await env().ingress.request('U0BOB', `svm1 vsadmin 1h Open request number ${n} of three`)).id);
    const executions = env().local.sfn.listExecutions().length;

    const typed = await env().ingress.command('U0BOB', 'svm1 vsadmin 1h One request too many');
    expect(texts(typed.responses())).toContain('You already have 3 open requests under policy "one-of-m"');
    // Bob's grouped identity counts as Bob.
    const grouped = await env().ingress.command('U0BOBADM', 'svm1 vsadmin 1h One request too many again');
    expect(texts(grouped.responses())).toContain('You already have 3 open requests');
    expect((await store.listByRequester('U0BOB')).filter((r) => r.status === 'PENDING')).toHaveLength(3);
    expect((await store.listByRequester('U0BOBADM')).filter((r) => r.status === 'PENDING')).toEqual([]);
    // The modal says so on the form, and records nothing either.
    await env().ingress.command('U0BOB', '');
    const view = [...env().slack.views.values()].filter((v) => v.user === 'U0BOB').at(-1);
    if (!view) throw new Error('no modal');
    const answer = await env().ingress.submitView('U0BOB', view.id, {
      role: 'vsadmin',
      justification: 'One request too many, by the form',
    });
    expect(JSON.stringify(answer.json())).toContain('You already have 3 open requests under policy \\"one-of-m\\"');
    expect((await store.listByRequester('U0BOB')).filter((r) => r.status === 'PENDING')).toHaveLength(3);
    expect(env().local.sfn.listExecutions()).toHaveLength(executions);

    // A cancelled request frees its place.
    await env().ingress.click('U0BOB', 'jit_cancel', made[0] as string);
    const again = await env().ingress.request('U0BOB', 'svm1 vsadmin 1h A place was freed');
    for (const id of [...made.slice(1), again.id]) await env().ingress.click('U0BOB', 'jit_cancel', id);
  });
});
